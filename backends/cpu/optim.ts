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

/** c1 = 1 − β1^t and c2 = 1 − β2^t are Adam's bias corrections for step t. */
function adamRange(w: FloatArray, g: FloatArray, gOff: number, m: FloatArray, v: FloatArray, lo: number, hi: number,
  c1: number, c2: number, o: AdamOptions): void {
  const { lr, beta1, beta2, eps, weightDecay } = o;
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
  adamRange(w, g, 0, m, v, 0, w.length, 1 - Math.pow(o.beta1, step), 1 - Math.pow(o.beta2, step), o);
}

export function adamSparse(w: FloatArray, rows: Int32Array, g: FloatArray, m: FloatArray, v: FloatArray,
  rowSteps: Int32Array, width: number, o: AdamOptions): void {
  // the corrections depend only on a row's step count: compute each distinct count once
  const cache = new Map<number, [number, number]>();
  for (let r = 0; r < rows.length; r++) {
    const t = rowSteps[r];
    let c = cache.get(t);
    if (!c) {
      c = [1 - Math.pow(o.beta1, t), 1 - Math.pow(o.beta2, t)];
      cache.set(t, c);
    }
    adamRange(w, g, r * width, m, v, rows[r] * width, (rows[r] + 1) * width, c[0], c[1], o);
  }
}

export function adagradDense(w: FloatArray, g: FloatArray, h: FloatArray, o: AdaGradOptions): void {
  adagradRange(w, g, 0, h, 0, w.length, o);
}

export function adagradSparse(w: FloatArray, rows: Int32Array, g: FloatArray, h: FloatArray, width: number, o: AdaGradOptions): void {
  for (let r = 0; r < rows.length; r++) adagradRange(w, g, r * width, h, rows[r] * width, (rows[r] + 1) * width, o);
}
