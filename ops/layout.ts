/**
 * Shape ops: reshape, transpose, concat, slice (and squeeze/expandDims built on reshape).
 * They move values without arithmetic, so their gradients move dy back: reshape back,
 * transpose by the inverse permutation, slice dy into pieces for concat, pad dy for slice.
 */
import { recordOp } from '../core/autograd.js';
import { fmtShape, sizeOf } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';

function reshapeRaw(x: Tensor, shape: readonly number[]): Tensor {
  const b = backendOf('reshape', x);
  return wrap(b.copy(x), shape, x.dtype, b);
}

/** Resolves one -1 in `shape` and checks the element count. */
function resolveShape(x: Tensor, shape: readonly number[]): number[] {
  const out = shape.slice();
  const free = out.indexOf(-1);
  if (out.some((d, i) => !Number.isInteger(d) || (d < 0 && i !== free)) || out.lastIndexOf(-1) !== free) {
    throw new Error(`reshape: invalid target shape ${fmtShape(shape)} (integers ≥ 0, at most one -1)`);
  }
  if (free >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== free));
    if (rest === 0 || x.size % rest !== 0) throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
    out[free] = x.size / rest;
  }
  if (sizeOf(out) !== x.size) {
    throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)} (${sizeOf(out)} elements)`);
  }
  return out;
}

export const reshape = typed('reshape', {
  'Tensor, Array': (x: Tensor, shape: number[]): Tensor => {
    const target = resolveShape(x, shape);
    const y = reshapeRaw(x, target);
    recordOp('reshape', [x], y, (dy) => [reshapeRaw(dy, x.shape)]);
    return y;
  },
}) as (x: Tensor, shape: readonly number[]) => Tensor;

export const flatten = (x: Tensor): Tensor => reshape(x, [x.size]);

/** Removes size-1 axes (all, or the given one). */
export const squeeze = (x: Tensor, axis?: number): Tensor => {
  if (axis === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const a = axis < 0 ? axis + x.rank : axis;
  if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${axis} of ${fmtShape(x.shape)} has size ${x.shape[a]}, not 1`);
  return reshape(x, x.shape.filter((_, i) => i !== a));
};

export const expandDims = (x: Tensor, axis: number): Tensor => {
  const a = axis < 0 ? axis + x.rank + 1 : axis;
  const shape = x.shape.slice();
  shape.splice(a, 0, 1);
  return reshape(x, shape);
};

function transposeRaw(x: Tensor, perm: readonly number[]): Tensor {
  const b = backendOf('transpose', x);
  return wrap(b.transpose(x, perm), perm.map((p) => x.shape[p]), x.dtype, b);
}

export const transpose = typed('transpose', {
  Tensor: (x: Tensor) => transpose(x, Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i)),
  'Tensor, Array': (x: Tensor, perm: number[]): Tensor => {
    const sorted = perm.slice().sort((a, b) => a - b);
    if (perm.length !== x.rank || sorted.some((p, i) => p !== i)) {
      throw new Error(`transpose: ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`);
    }
    const y = transposeRaw(x, perm);
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => { inverse[p] = i; });
    recordOp('transpose', [x], y, (dy) => [transposeRaw(dy, inverse)]);
    return y;
  },
}) as ((x: Tensor, perm?: readonly number[]) => Tensor);

function sliceRaw(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  const b = backendOf('slice', x);
  return wrap(b.slice(x, begin, size), size, x.dtype, b);
}

function concatRaw(xs: Tensor[], axis: number): Tensor {
  const b = backendOf('concat', ...xs);
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  return wrap(b.concat(xs, axis), shape, xs[0].dtype, b);
}

export const concat = typed('concat', {
  Array: (xs: Tensor[]) => concat(xs, 0),
  'Array, number': (xs: Tensor[], axis: number): Tensor => {
    if (xs.length === 0) throw new Error('concat: no tensors given');
    const rank = xs[0].rank;
    const a = axis < 0 ? axis + rank : axis;
    if (!(a >= 0 && a < rank)) throw new Error(`concat: axis ${axis} is out of range for rank ${rank}`);
    for (const [i, x] of xs.entries()) {
      if (x.rank !== rank || x.shape.some((d, j) => j !== a && d !== xs[0].shape[j]) || x.dtype !== xs[0].dtype) {
        throw new Error(`concat: tensor ${i} has shape ${fmtShape(x.shape)} ${x.dtype}, incompatible with ${fmtShape(xs[0].shape)} ${xs[0].dtype} along axis ${a}`);
      }
    }
    const y = concatRaw(xs, a);
    recordOp('concat', xs, y, (dy) => {
      let offset = 0;
      return xs.map((x) => {
        const begin = dy.shape.map(() => 0);
        begin[a] = offset;
        offset += x.shape[a];
        return x.requiresGrad ? sliceRaw(dy, begin, x.shape) : null;
      });
    });
    return y;
  },
}) as (xs: Tensor[], axis?: number) => Tensor;

/** Zero-pads dy (the gradient of a slice) back to the input's shape, one axis at a time. */
function padRaw(dy: Tensor, shape: readonly number[], begin: readonly number[]): Tensor {
  let cur = dy;
  const b = dy.backend;
  for (let a = 0; a < shape.length; a++) {
    const before = begin[a];
    const after = shape[a] - begin[a] - cur.shape[a];
    if (before === 0 && after === 0) continue;
    const parts: Tensor[] = [];
    const zerosOf = (n: number) => {
      const s = cur.shape.slice();
      s[a] = n;
      return wrap(b.zeros(sizeOf(s), cur.dtype), s, cur.dtype, b);
    };
    if (before > 0) parts.push(zerosOf(before));
    parts.push(cur);
    if (after > 0) parts.push(zerosOf(after));
    cur = concatRaw(parts, a);
  }
  return cur;
}

/** slice(x, begin, size): size -1 means "to the end". */
export const slice = typed('slice', {
  'Tensor, Array, Array': (x: Tensor, begin: number[], size: number[]): Tensor => {
    if (begin.length !== x.rank || size.length !== x.rank) {
      throw new Error(`slice: begin ${JSON.stringify(begin)} and size ${JSON.stringify(size)} need ${x.rank} entries for ${fmtShape(x.shape)}`);
    }
    const sz = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
    for (let i = 0; i < x.rank; i++) {
      if (!(begin[i] >= 0 && sz[i] >= 0 && begin[i] + sz[i] <= x.shape[i])) {
        throw new Error(`slice: begin ${JSON.stringify(begin)} size ${JSON.stringify(size)} is outside ${fmtShape(x.shape)} at axis ${i}`);
      }
    }
    const y = sliceRaw(x, begin, sz);
    recordOp('slice', [x], y, (dy) => [padRaw(dy, x.shape, begin)]);
    return y;
  },
}) as (x: Tensor, begin: readonly number[], size: readonly number[]) => Tensor;
