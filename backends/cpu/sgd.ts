/**
 * SGD updates — accelerations (core/kernels.ts; the reference is models/optim/sgd.ts
 * `sgdMaths`), in place on the weight and its velocity:
 *   g' = g + wd·w;  v = μ·v + g' (with momentum);  w −= lr·(v or g')
 * The dense and the row-sparse (lazy) update share one per-element function, so on a row
 * both touch they compute bit-identical results; the sparse one visits only the given rows.
 * JavaScript only: one multiply-add per element is memory-bound either way.
 */
import type { SGDOptions } from '../../core/kernels.js';
import type { FloatArray } from './elementwise.js';
import { weightOffset, type RowTarget } from './views.js';

/** `len` elements: weights from wo, gradient from go, velocity from so. */
function sgdRange(w: FloatArray, wo: number, g: FloatArray, go: number, vel: FloatArray | null, so: number, len: number, o: SGDOptions): void {
  const { lr, momentum, weightDecay } = o;
  if (vel) {
    for (let k = 0; k < len; k++) {
      const gi = g[go + k] + weightDecay * w[wo + k];
      vel[so + k] = momentum * vel[so + k] + gi;
      w[wo + k] -= lr * vel[so + k];
    }
  } else {
    for (let k = 0; k < len; k++) w[wo + k] -= lr * (g[go + k] + weightDecay * w[wo + k]);
  }
}

export function sgdDense(w: FloatArray, g: FloatArray, vel: FloatArray | null, o: SGDOptions): void {
  sgdRange(w, 0, g, 0, vel, 0, w.length, o);
}

export function sgdSparse(w: FloatArray, t: RowTarget, g: FloatArray, vel: FloatArray | null, o: SGDOptions): void {
  for (let i = 0; i < t.rows.length; i++) sgdRange(w, weightOffset(t, i), g, i * t.width, vel, t.rows[i] * t.width, t.width, o);
}
