/** Data movement: transpose (any permutation), slice, concat. */
import { stridesOf, sizeOf } from '../../core/shape.js';
import type { TypedArray } from '../../core/dtype.js';

/** out = x with axes permuted: out.shape[i] = shape[perm[i]]. */
export function transposeInto(x: TypedArray, shape: readonly number[], perm: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const n = x.length;
  if (rank === 2 && perm[0] === 1) {
    const [rows, cols] = shape;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
    return;
  }
  // walk the output in order; src moves by the input stride of each output axis
  const step = perm.map((p) => inStrides[p]);
  const counter = new Array<number>(rank).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    out[i] = x[src];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      src += step[d];
      if (counter[d] < outShape[d]) break;
      src -= step[d] * counter[d];
      counter[d] = 0;
    }
  }
}

export function sliceInto(x: TypedArray, shape: readonly number[], begin: readonly number[], size: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  const strides = stridesOf(shape);
  // copy contiguous runs along the last axis
  const run = size[rank - 1] ?? 1;
  const outer = rank === 0 ? 1 : sizeOf(size.slice(0, rank - 1));
  const counter = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let o = 0;
  for (let k = 0; k < outer; k++) {
    let src = rank === 0 ? 0 : begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) src += (begin[d] + counter[d]) * strides[d];
    out.set(x.subarray(src, src + run), o);
    o += run;
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      if (counter[d] < size[d]) break;
      counter[d] = 0;
    }
  }
}

export function concatInto(xs: { values: TypedArray; shape: readonly number[] }[], axis: number, out: TypedArray): void {
  const shape0 = xs[0].shape;
  const outer = sizeOf(shape0.slice(0, axis));
  let offset = 0;
  const totalInner = xs.reduce((s, x) => s + sizeOf(x.shape.slice(axis)), 0);
  for (const x of xs) {
    const inner = sizeOf(x.shape.slice(axis));
    for (let o = 0; o < outer; o++) {
      out.set(x.values.subarray(o * inner, (o + 1) * inner), o * totalInner + offset);
    }
    offset += inner;
  }
}
