/**
 * Reductions: sum, mean, max, min over any axes, with keepDims.
 * Backward broadcasts dy back over the reduced axes: for sum every input element gets dy,
 * for mean dy / count, for max/min dy goes to the elements equal to the extremum (split
 * evenly between ties).
 */
import { recordOp } from '../core/autograd.js';
import { normalizeAxes } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, scalarOn, wrap } from './util.js';
import { binaryRaw } from './elementwise.js';
import type { ReduceOp } from '../core/kernels.js';

export interface ReduceOptions {
  keepDims?: boolean;
}

function keptShape(shape: readonly number[], axes: number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function reduceRaw(op: ReduceOp, x: Tensor, axes: number[], keepDims: boolean): Tensor {
  const b = backendOf(op, x);
  const shape = keepDims ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
  return wrap(b.reduce(op, x, axes), shape, x.dtype, b);
}

/** dy (reduced shape) spread back to `shape` (the input's). */
export function broadcastTo(dy: Tensor, keepShape: readonly number[], shape: readonly number[]): Tensor {
  const b = dy.backend;
  const zero = scalarOn(b, 0, dy.dtype);
  const view = wrap(b.copy(dy), keepShape, dy.dtype, b);
  return wrap(b.binary('add', view, zero, shape, dy.dtype), shape, dy.dtype, b);
}

type AxesArg = number | number[] | null | undefined;

function defineReduce(name: 'sum' | 'mean' | 'max' | 'min') {
  const impl = (x: Tensor, axesArg: AxesArg, keepDims: boolean): Tensor => {
    const axes = normalizeAxes(axesArg, x.rank, name);
    const kernel: ReduceOp = name === 'mean' ? 'sum' : name;
    let y = reduceRaw(kernel, x, axes, keepDims);
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    if (name === 'mean') {
      const s = y;
      y = binaryRaw('div', s, scalarOn(s.backend, count, s.dtype === 'int32' ? 'float32' : s.dtype));
      s.dispose();
    }
    recordOp(name, [x], y, (dy) => {
      const keep = keptShape(x.shape, axes);
      const spread = broadcastTo(dy, keep, x.shape);
      if (name === 'sum') return [spread];
      if (name === 'mean') return [binaryRaw('div', spread, scalarOn(dy.backend, count, dy.dtype))];
      // max/min: mask of the winners, ties share the gradient
      const yFull = broadcastTo(y, keep, x.shape);
      const mask = binaryRaw('equal', x, yFull);
      const ties = broadcastTo(reduceRaw('sum', mask, axes, true), keep, x.shape);
      return [binaryRaw('div', binaryRaw('mul', spread, mask), ties)];
    });
    return y;
  };
  return typed(name, {
    Tensor: (x: Tensor) => impl(x, null, false),
    'Tensor, number | Array | null': (x: Tensor, axes: number | number[] | null) => impl(x, axes, false),
    'Tensor, number | Array | null, boolean': (x: Tensor, axes: number | number[] | null, keepDims: boolean) => impl(x, axes, keepDims),
    'Tensor, number | Array | null, Object': (x: Tensor, axes: number | number[] | null, o: ReduceOptions) => impl(x, axes, !!o.keepDims),
  }) as (x: Tensor, axes?: number | readonly number[] | null, keepDims?: boolean | ReduceOptions) => Tensor;
}

export const sum = defineReduce('sum');
export const mean = defineReduce('mean');
export const max = defineReduce('max');
export const min = defineReduce('min');
