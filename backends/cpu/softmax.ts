/** Softmax family over the last axis, with the max subtracted so exp never overflows. */
import type { FloatArray } from './elementwise.js';

export function softmaxInto(x: FloatArray, cols: number, out: FloatArray, log: boolean): void {
  const rows = x.length / cols;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) if (x[base + c] > m) m = x[base + c];
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[base + c] - m);
    if (log) {
      const lse = m + Math.log(s);
      for (let c = 0; c < cols; c++) out[base + c] = x[base + c] - lse;
    } else {
      for (let c = 0; c < cols; c++) out[base + c] = Math.exp(x[base + c] - m) / s;
    }
  }
}

export function logSumExpInto(x: FloatArray, cols: number, out: FloatArray): void {
  const rows = x.length / cols;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) if (x[base + c] > m) m = x[base + c];
    if (m === -Infinity) { out[r] = -Infinity; continue; }
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[base + c] - m);
    out[r] = m + Math.log(s);
  }
}
