/**
 * Dense matrix products (CSR × dense is spmm.ts). Loop orders keep the innermost loop walking memory
 * contiguously (i-k-j for a·b, dot products of rows for a·bᵀ), which on a CPU matters more
 * than anything else short of SIMD.
 */
import type { FloatArray } from './elementwise.js';
import { parallelRows } from './threads.js';
import type { Arena } from './memory.js';
import { wasmMatmul } from './wasm/gemm.js';

/** A [rows, cols] row-major → its transpose [cols, rows], row-major. */
function transposed(a: FloatArray, rows: number, cols: number): FloatArray {
  const t = new (a.constructor as new (n: number) => FloatArray)(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) t[c * rows + r] = a[base + c];
  }
  return t;
}

/**
 * out[M,N] = op(a) · op(b); a is [M,K] (or [K,M] when transposeA), b is [K,N] (or [N,K]).
 *
 * Both operands are brought to "rows of length K" form — A [M,K] and Bᵀ [N,K] — so every
 * output is a dot product of two contiguous rows (`matmulRows`). Big products split their
 * rows between this thread and a worker (threads.ts); the result is the same either way.
 *
 * float32 products big enough to pay for copying go to the WebAssembly SIMD kernel instead
 * (wasm/gemm.ts: float32 sums, several times faster); float64 always stays here, exact
 * enough for the gradient checks.
 */
export function matmulInto(arena: Arena, a: FloatArray, b: FloatArray, M: number, K: number, N: number,
  transposeA: boolean, transposeB: boolean, out: FloatArray): void {
  if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array &&
    wasmMatmul(arena, a, b, M, K, N, transposeA, transposeB, out)) return;
  const A = transposeA ? transposed(a, K, M) : a;
  const B = transposeB ? b : transposed(b, K, N);
  if (!parallelRows(matmulRows, [A, B, K, N, out], M, M * N * K)) matmulRows(A, B, K, N, out, 0, M);
}

/**
 * Rows [i0, i1) of out = A · Bᵀ (A [M,K], B [N,K], both row-major). A 2×4 block of outputs
 * at a time: 8 running sums kept in registers, each pair of A values and quadruple of B
 * values loaded once per k and used 4 or 2 times. Sums are float64 (JS numbers), stored once.
 * Self-contained (no outside names), because the worker thread runs its source text.
 */
export function matmulRows(A: FloatArray, B: FloatArray, K: number, N: number, out: FloatArray, i0: number, i1: number): void {
  let i = i0;
  for (; i + 2 <= i1; i += 2) {
    const a0 = i * K;
    const a1 = a0 + K;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = j * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k];
        const x1 = A[a1 + k];
        const y0 = B[b0 + k];
        const y1 = B[b1 + k];
        const y2 = B[b2 + k];
        const y3 = B[b3 + k];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      const o0 = i * N + j;
      const o1 = o0 + N;
      out[o0] = s00; out[o0 + 1] = s01; out[o0 + 2] = s02; out[o0 + 3] = s03;
      out[o1] = s10; out[o1 + 1] = s11; out[o1 + 2] = s12; out[o1 + 3] = s13;
    }
    for (; j < N; j++) {
      const bj = j * K;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < K; k++) {
        const y = B[bj + k];
        s0 += A[a0 + k] * y;
        s1 += A[a1 + k] * y;
      }
      out[i * N + j] = s0;
      out[(i + 1) * N + j] = s1;
    }
  }
  for (; i < i1; i++) {
    const ai = i * K;
    for (let j = 0; j < N; j++) {
      const bj = j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[ai + k] * B[bj + k];
      out[i * N + j] = s;
    }
  }
}
