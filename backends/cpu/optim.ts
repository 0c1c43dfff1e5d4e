/**
 * Fused optimizer updates. The dense and the row-sparse (lazy) kernel of each optimizer
 * share one per-element function, so on a row that both touch they compute bit-identical
 * results; the sparse kernel simply visits only the given rows.
 *
 * Each range function updates `len` elements: weights from offset wo, state (velocity,
 * moments) from offset so, gradient from offset go. They are usually all the same row, but
 * a float16 table is updated through a compact float32 copy of just the touched rows, so
 * the weight offset can differ from the state's.
 */
import type { AdaGradOptions, AdamOptions, SGDOptions } from '../../core/kernels.js';
import type { FloatArray } from './elementwise.js';

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

/** c1 = 1 − β1^t and c2 = 1 − β2^t are Adam's bias corrections for step t. */
function adamRange(w: FloatArray, wo: number, g: FloatArray, go: number, m: FloatArray, v: FloatArray, so: number, len: number,
  c1: number, c2: number, o: AdamOptions): void {
  const { lr, beta1, beta2, eps, weightDecay } = o;
  for (let k = 0; k < len; k++) {
    const gi = g[go + k] + weightDecay * w[wo + k];
    const s = so + k;
    m[s] = beta1 * m[s] + (1 - beta1) * gi;
    v[s] = beta2 * v[s] + (1 - beta2) * gi * gi;
    w[wo + k] -= (lr * (m[s] / c1)) / (Math.sqrt(v[s] / c2) + eps);
  }
}

function adagradRange(w: FloatArray, wo: number, g: FloatArray, go: number, h: FloatArray, so: number, len: number, o: AdaGradOptions): void {
  const { lr, eps, weightDecay } = o;
  for (let k = 0; k < len; k++) {
    const gi = g[go + k] + weightDecay * w[wo + k];
    h[so + k] += gi * gi;
    w[wo + k] -= (lr * gi) / (Math.sqrt(h[so + k]) + eps);
  }
}

export function sgdDense(w: FloatArray, g: FloatArray, vel: FloatArray | null, o: SGDOptions): void {
  sgdRange(w, 0, g, 0, vel, 0, w.length, o);
}

export function adamDense(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, step: number, o: AdamOptions): void {
  adamRange(w, 0, g, 0, m, v, 0, w.length, 1 - Math.pow(o.beta1, step), 1 - Math.pow(o.beta2, step), o);
}

export function adagradDense(w: FloatArray, g: FloatArray, h: FloatArray, o: AdaGradOptions): void {
  adagradRange(w, 0, g, 0, h, 0, w.length, o);
}

/**
 * Where row i of a sparse update lives: in the state at rows[i]·width, in the weights at
 * wRow(i)·width (rows[i] for a float32 table, i for a compact copy of the touched rows).
 */
export interface RowTarget {
  rows: Int32Array;
  width: number;
  compactWeights: boolean;
}

const wOffset = (t: RowTarget, i: number) => (t.compactWeights ? i : t.rows[i]) * t.width;

export function sgdSparse(w: FloatArray, t: RowTarget, g: FloatArray, vel: FloatArray | null, o: SGDOptions): void {
  for (let i = 0; i < t.rows.length; i++) sgdRange(w, wOffset(t, i), g, i * t.width, vel, t.rows[i] * t.width, t.width, o);
}

export function adamSparse(w: FloatArray, t: RowTarget, g: FloatArray, m: FloatArray, v: FloatArray, rowSteps: Int32Array, o: AdamOptions): void {
  // the corrections depend only on a row's step count: compute each distinct count once
  const cache = new Map<number, [number, number]>();
  for (let i = 0; i < t.rows.length; i++) {
    const step = rowSteps[i];
    let c = cache.get(step);
    if (!c) {
      c = [1 - Math.pow(o.beta1, step), 1 - Math.pow(o.beta2, step)];
      cache.set(step, c);
    }
    adamRange(w, wOffset(t, i), g, i * t.width, m, v, t.rows[i] * t.width, t.width, c[0], c[1], o);
  }
}

export function adagradSparse(w: FloatArray, t: RowTarget, g: FloatArray, h: FloatArray, o: AdaGradOptions): void {
  for (let i = 0; i < t.rows.length; i++) adagradRange(w, wOffset(t, i), g, i * t.width, h, t.rows[i] * t.width, t.width, o);
}

/**
 * Lazy Adam over rows [r0, r1) of the touched-row list, for a float32 table: the same
 * per-element arithmetic as `adamRange` (so results are bit-identical), with each row's
 * bias corrections from its own step count. Self-contained: the worker thread runs it too.
 */
export function adamSparseRows(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, rows: Int32Array, steps: Int32Array,
  width: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, r0: number, r1: number): void {
  // new moments stay in locals, rounded as the state array stores them (float32 or not),
  // instead of being stored and read back: same numbers, less time in V8
  const fround = Math.fround;
  const f32 = m instanceof Float32Array && v instanceof Float32Array;
  let lastStep = -1, c1 = 1, c2 = 1;
  for (let r = r0; r < r1; r++) {
    if (steps[r] !== lastStep) {
      lastStep = steps[r];
      c1 = 1 - Math.pow(beta1, lastStep);
      c2 = 1 - Math.pow(beta2, lastStep);
    }
    const so = rows[r] * width;
    const go = r * width;
    for (let k = 0; k < width; k++) {
      const s = so + k;
      const ws = w[s];
      const gi = g[go + k] + weightDecay * ws;
      const mRaw = beta1 * m[s] + (1 - beta1) * gi;
      const vRaw = beta2 * v[s] + (1 - beta2) * gi * gi;
      const mk = f32 ? fround(mRaw) : mRaw;
      const vk = f32 ? fround(vRaw) : vRaw;
      m[s] = mk;
      v[s] = vk;
      w[s] = ws - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + eps);
    }
  }
}
