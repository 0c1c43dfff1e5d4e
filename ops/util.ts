/** Helpers shared by the ops: output construction, scalars, reducing broadcast gradients. */
import type { Backend, DataId } from '../core/kernels.js';
import { toStorage, type DType } from '../core/dtype.js';
import { engine } from '../core/engine.js';
import { Tensor } from '../core/tensor.js';
import { broadcastReduceAxes, fmtShape, shapesEqual } from '../core/shape.js';

export function wrap(dataId: DataId, shape: readonly number[], dtype: DType, backend: Backend): Tensor {
  return new Tensor(dataId, shape, dtype, backend);
}

/** The backend all inputs live on (and which must be the active one). */
export function backendOf(op: string, ...xs: Tensor[]): Backend {
  const b = xs[0].backend;
  for (const x of xs) {
    if (x.isDisposed) throw new Error(`${op}: input ${x.describe()} was disposed`);
    if (x.backend !== b) {
      throw new Error(`${op}: inputs live on different backends ('${b.name}' and '${x.backend.name}'); move them with sg.toBackend()`);
    }
  }
  return b;
}

/** Typed storage holding `values` in dtype's representation (float16 encoded). */
export const storageFor = toStorage;

/** A 0-d tensor holding `value`, on backend b. */
export function scalarOn(b: Backend, value: number, dtype: DType): Tensor {
  return wrap(b.write(storageFor([value], dtype), dtype), [], dtype, b);
}

export function currentBackend(): Backend {
  return engine.backend;
}

/**
 * The gradient of a broadcast input: sum dy over the axes the input was expanded along,
 * then give it the input's shape.
 */
export function reduceToShape(dy: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  const axes = broadcastReduceAxes(shape, dy.shape);
  const b = dy.backend;
  const summed = axes.length ? wrap(b.reduce('sum', dy, axes), dy.shape.filter((_, i) => !axes.includes(i)), dy.dtype, b) : dy;
  if (shapesEqual(summed.shape, shape)) return summed;
  const out = wrap(b.copy(summed), shape, summed.dtype, b);
  if (summed !== dy) summed.dispose();
  return out;
}

export function assertShape(op: string, what: string, actual: readonly number[], expected: readonly number[]): void {
  if (!shapesEqual(actual, expected)) {
    throw new Error(`${op}: ${what} has shape ${fmtShape(actual)}, expected ${fmtShape(expected)}`);
  }
}

/** A copy of x under another shape (same element count): how reshape moves no values. */
export function viewAs(x: Tensor, shape: readonly number[]): Tensor {
  const b = x.backend;
  return wrap(b.copy(x), shape, x.dtype, b);
}
