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

/** out[i] = a[aIds[i]] · b[bIds[i]] over rows of `width`, for i in [i0, i1). Self-contained (runs in the worker too). */
export function gatherDotRows(a: ArrayLike<number>, b: ArrayLike<number>, aIds: ArrayLike<number>, bIds: ArrayLike<number>, width: number,
  out: Float32Array | Float64Array, i0: number, i1: number): void {
  for (let i = i0; i < i1; i++) {
    const ao = aIds[i] * width;
    const bo = bIds[i] * width;
    let s = 0;
    for (let j = 0; j < width; j++) s += a[ao + j] * b[bo + j];
    out[i] = s;
  }
}

/**
 * out[seg[i]] += scale[i] · table[rowIds[i]] for the entries whose segment is in [s0, s1);
 * out must start zeroed. Two threads take disjoint segment ranges, so no output row is
 * written by both. Self-contained (runs in the worker too).
 */
export function segmentSumScaledSegments(scale: ArrayLike<number>, table: ArrayLike<number>, rowIds: ArrayLike<number>, seg: Int32Array,
  width: number, out: Float32Array | Float64Array, s0: number, s1: number): void {
  for (let i = 0; i < seg.length; i++) {
    const g = seg[i];
    if (g < s0 || g >= s1) continue;
    const s = scale[i];
    const src = rowIds[i] * width;
    const dst = g * width;
    for (let j = 0; j < width; j++) out[dst + j] += s * table[src + j];
  }
}
