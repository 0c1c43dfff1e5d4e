/** Row kernels for embedding tables: gather, segment sum, scatter-add. O(rows touched · D). */
import type { TypedArray } from '../../core/dtype.js';

/** out[i] = table[ids[i]] for rows of `width` values. */
export function gatherRowsInto(table: TypedArray, ids: Int32Array | Float32Array, width: number, out: TypedArray): void {
  const n = ids.length;
  if (width === 1) {
    for (let i = 0; i < n; i++) out[i] = table[ids[i]];
    return;
  }
  if (width >= 64) {
    for (let i = 0; i < n; i++) {
      const src = ids[i] * width;
      out.set(table.subarray(src, src + width), i * width);
    }
    return;
  }
  // short rows: a plain loop beats creating a subarray view per row
  for (let i = 0, o = 0; i < n; i++) {
    const src = ids[i] * width;
    for (let j = 0; j < width; j++) out[o++] = table[src + j];
  }
}

/** out[seg[i]] += values[i], rows of `width`; out must start zeroed. */
export function segmentSumInto(values: ArrayLike<number>, seg: Int32Array, width: number, out: Float32Array | Float64Array): void {
  const n = seg.length;
  for (let i = 0; i < n; i++) {
    const dst = seg[i] * width;
    const src = i * width;
    for (let j = 0; j < width; j++) out[dst + j] += values[src + j];
  }
}

/** out[i] = a[aIds[i]] · b[bIds[i]] over rows of `width`. */
export function gatherDotInto(a: ArrayLike<number>, b: ArrayLike<number>, aIds: ArrayLike<number>, bIds: ArrayLike<number>, width: number, out: Float32Array | Float64Array): void {
  for (let i = 0; i < out.length; i++) {
    const ao = aIds[i] * width;
    const bo = bIds[i] * width;
    let s = 0;
    for (let j = 0; j < width; j++) s += a[ao + j] * b[bo + j];
    out[i] = s;
  }
}

/** out[seg[i]] += scale[i] · table[rowIds[i]]; out must start zeroed. */
export function segmentSumScaledInto(scale: ArrayLike<number>, table: ArrayLike<number>, rowIds: ArrayLike<number>, seg: Int32Array,
  width: number, out: Float32Array | Float64Array): void {
  for (let i = 0; i < seg.length; i++) {
    const s = scale[i];
    const src = rowIds[i] * width;
    const dst = seg[i] * width;
    for (let j = 0; j < width; j++) out[dst + j] += s * table[src + j];
  }
}
