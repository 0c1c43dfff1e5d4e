/**
 * Fused optimizer updates. The dense and the row-sparse (lazy) kernel of each optimizer
 * share one per-element function, so on a row that both touch they compute bit-identical
 * results; the sparse kernel simply visits only the given rows.
 */
import type { AdaGradOptions, AdamOptions, SGDOptions } from '../backend.js';
import type { FloatArray } from './elementwise.js';

/** SGD on elements [lo, hi) of w, reading gradient from g starting at gOff. */
function sgdRange(w: FloatArray, g: FloatArray, gOff: number, vel: FloatArray | null, lo: number, hi: number, o: SGDOptions): void {
  const { lr, momentum, weightDecay } = o;
  if (vel) {
    for (let i = lo, k = gOff; i < hi; i++, k++) {
      const gi = g[k] + weightDecay * w[i];
      vel[i] = momentum * vel[i] + gi;
      w[i] -= lr * vel[i];
    }
  } else {
    for (let i = lo, k = gOff; i < hi; i++, k++) w[i] -= lr * (g[k] + weightDecay * w[i]);
  }
}

function adamRange(w: FloatArray, g: FloatArray, gOff: number, m: FloatArray, v: FloatArray, lo: number, hi: number,
  step: number, o: AdamOptions): void {
  const { lr, beta1, beta2, eps, weightDecay } = o;
  const c1 = 1 - Math.pow(beta1, step);
  const c2 = 1 - Math.pow(beta2, step);
  for (let i = lo, k = gOff; i < hi; i++, k++) {
    const gi = g[k] + weightDecay * w[i];
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
  }
}

function adagradRange(w: FloatArray, g: FloatArray, gOff: number, h: FloatArray, lo: number, hi: number, o: AdaGradOptions): void {
  const { lr, eps, weightDecay } = o;
  for (let i = lo, k = gOff; i < hi; i++, k++) {
    const gi = g[k] + weightDecay * w[i];
    h[i] += gi * gi;
    w[i] -= (lr * gi) / (Math.sqrt(h[i]) + eps);
  }
}

export function sgdDense(w: FloatArray, g: FloatArray, vel: FloatArray | null, o: SGDOptions): void {
  sgdRange(w, g, 0, vel, 0, w.length, o);
}

export function sgdSparse(w: FloatArray, rows: Int32Array, g: FloatArray, vel: FloatArray | null, width: number, o: SGDOptions): void {
  for (let r = 0; r < rows.length; r++) sgdRange(w, g, r * width, vel, rows[r] * width, (rows[r] + 1) * width, o);
}

export function adamDense(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, step: number, o: AdamOptions): void {
  adamRange(w, g, 0, m, v, 0, w.length, step, o);
}

export function adamSparse(w: FloatArray, rows: Int32Array, g: FloatArray, m: FloatArray, v: FloatArray,
  rowSteps: Int32Array, width: number, o: AdamOptions): void {
  for (let r = 0; r < rows.length; r++) {
    adamRange(w, g, r * width, m, v, rows[r] * width, (rows[r] + 1) * width, rowSteps[r], o);
  }
}

export function adagradDense(w: FloatArray, g: FloatArray, h: FloatArray, o: AdaGradOptions): void {
  adagradRange(w, g, 0, h, 0, w.length, o);
}

export function adagradSparse(w: FloatArray, rows: Int32Array, g: FloatArray, h: FloatArray, width: number, o: AdaGradOptions): void {
  for (let r = 0; r < rows.length; r++) adagradRange(w, g, r * width, h, rows[r] * width, (rows[r] + 1) * width, o);
}
