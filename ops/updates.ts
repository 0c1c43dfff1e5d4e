/**
 * Fused optimizer updates: the backend's in-place kernel, when it has one.
 *
 * The optimizers (models/optim/) hold the readable maths — Adam as a few lines of tensor
 * code, lazily on the touched rows of a RowSparse gradient — and that is the reference. A
 * backend may instead update a weight and its state in one in-place pass (and, row-sparse,
 * only the touched rows): each function here runs that kernel and returns true, or returns
 * false when the backend has none, and the optimizer then runs its reference.
 */
import type { AdaGradOptions, AdamOptions, SGDOptions } from '../core/kernels.js';
import { RowSparse } from '../core/rowsparse.js';
import type { Tensor } from '../core/tensor.js';
import { backendOf } from './util.js';

export type { AdaGradOptions, AdamOptions, SGDOptions };

type Grad = Tensor | RowSparse;

const valuesOf = (g: Grad): Tensor => (g instanceof RowSparse ? g.values : g);

/** SGD (+ momentum when `velocity`) on w with a dense or row-sparse (lazy) gradient. */
export function fusedSgd(w: Tensor, g: Grad, velocity: Tensor | null, o: SGDOptions): boolean {
  const b = backendOf('sgd', w, valuesOf(g), ...(velocity ? [velocity] : []));
  if (g instanceof RowSparse) {
    if (!b.sparseSgdUpdate) return false;
    b.sparseSgdUpdate(w, g.indices, g.values, velocity, o);
  } else {
    if (!b.sgdUpdate) return false;
    b.sgdUpdate(w, g, velocity, o);
  }
  return true;
}

/** Adam; `step` is the dense step count, `rowSteps` each touched row's (row-sparse only). */
export function fusedAdam(w: Tensor, g: Grad, m: Tensor, v: Tensor, step: number, rowSteps: Int32Array | null, o: AdamOptions): boolean {
  const b = backendOf('adam', w, valuesOf(g), m, v);
  if (g instanceof RowSparse) {
    if (!b.sparseAdamUpdate) return false;
    b.sparseAdamUpdate(w, g.indices, g.values, m, v, rowSteps!, o);
  } else {
    if (!b.adamUpdate) return false;
    b.adamUpdate(w, g, m, v, step, o);
  }
  return true;
}

/** AdaGrad with accumulator h. */
export function fusedAdagrad(w: Tensor, g: Grad, h: Tensor, o: AdaGradOptions): boolean {
  const b = backendOf('adagrad', w, valuesOf(g), h);
  if (g instanceof RowSparse) {
    if (!b.sparseAdagradUpdate) return false;
    b.sparseAdagradUpdate(w, g.indices, g.values, h, o);
  } else {
    if (!b.adagradUpdate) return false;
    b.adagradUpdate(w, g, h, o);
  }
  return true;
}
