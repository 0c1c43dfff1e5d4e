/**
 * Dense and sparse matrix products. Loop orders keep the innermost loop walking memory
 * contiguously (i-k-j for a·b, dot products of rows for a·bᵀ), which on a CPU matters more
 * than anything else short of SIMD.
 */
import type { CSRInfo } from '../backend.js';
import type { FloatArray } from './elementwise.js';

/** out[M,N] = op(a) · op(b); a is [M,K] (or [K,M] when transposeA), b is [K,N] (or [N,K]). */
export function matmulInto(a: FloatArray, b: FloatArray, M: number, K: number, N: number,
  transposeA: boolean, transposeB: boolean, out: FloatArray): void {
  if (transposeA) {
    // materialise aᵀ once: keeps the inner loops contiguous
    const at = new (a.constructor as new (n: number) => FloatArray)(M * K);
    for (let k = 0; k < K; k++) for (let i = 0; i < M; i++) at[i * K + k] = a[k * M + i];
    a = at;
  }
  if (transposeB) {
    // out[i,j] = a[i,:] · b[j,:] — both rows contiguous
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      for (let j = 0; j < N; j++) {
        const bj = j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ai + k] * b[bj + k];
        out[i * N + j] = s;
      }
    }
    return;
  }
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    row.fill(0);
    const ai = i * K;
    for (let k = 0; k < K; k++) {
      const aik = a[ai + k];
      if (aik === 0) continue;
      const bk = k * N;
      for (let j = 0; j < N; j++) row[j] += aik * b[bk + j];
    }
    out.set(row, i * N);
  }
}

/** out[M,N] = A[M,K] (CSR) · b[K,N]: each stored entry adds a scaled row of b. */
export function spmmInto(a: CSRInfo, b: FloatArray, N: number, out: FloatArray): void {
  const M = a.shape[0];
  const { indptr, indices, values } = a;
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    row.fill(0);
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const v = values[p];
      const bk = indices[p] * N;
      for (let j = 0; j < N; j++) row[j] += v * b[bk + j];
    }
    out.set(row, i * N);
  }
}
