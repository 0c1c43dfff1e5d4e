/**
 * AdaGrad updates — accelerations (core/kernels.ts; the reference is models/optim/adagrad.ts
 * `adagradMaths`), in place on the weight and its accumulator:
 *   g' = g + wd·w;  h += g'²;  w −= lr·g' / (√h + ε)
 * Dense and row-sparse share one per-element function (see sgd.ts). JavaScript only.
 */
import type { AdaGradOptions } from '../../core/kernels.js';
import type { FloatArray } from './elementwise.js';
import { weightOffset, type RowTarget } from './views.js';

function adagradRange(w: FloatArray, wo: number, g: FloatArray, go: number, h: FloatArray, so: number, len: number, o: AdaGradOptions): void {
  const { lr, eps, weightDecay } = o;
  for (let k = 0; k < len; k++) {
    const gi = g[go + k] + weightDecay * w[wo + k];
    h[so + k] += gi * gi;
    w[wo + k] -= (lr * gi) / (Math.sqrt(h[so + k]) + eps);
  }
}

export function adagradDense(w: FloatArray, g: FloatArray, h: FloatArray, o: AdaGradOptions): void {
  adagradRange(w, 0, g, 0, h, 0, w.length, o);
}

export function adagradSparse(w: FloatArray, t: RowTarget, g: FloatArray, h: FloatArray, o: AdaGradOptions): void {
  for (let i = 0; i < t.rows.length; i++) adagradRange(w, weightOffset(t, i), g, i * t.width, h, t.rows[i] * t.width, t.width, o);
}
