/**
 * Kernels of a fused dense layer y = act(x·W + b).
 *
 * Composed from primitives, a 64-unit layer over 25,000 rows makes three [25000, 64] arrays
 * forward (x·W, +b, relu) and three backward (step(y), dy·step, and a column sum): each a
 * full pass over 6.4 MB. Fused, the forward is one matrix product whose bias and relu are
 * applied before the result leaves WebAssembly memory, and the backward is one pass that
 * writes dz = relu'(y)·dy and sums its columns into the bias gradient at the same time.
 */
import type { FloatArray, NumArray } from './elementwise.js';
import { matmulInto } from './matmul.js';
import type { Arena } from './memory.js';
import { wasmDense, wasmReluGrad } from './wasm/gemm.js';

/** out[M,N] = act(x[M,K] · w[K,N] + bias[N]); bias may be null, act is relu or identity. */
export function denseInto(arena: Arena, x: FloatArray, w: FloatArray, M: number, K: number, N: number,
  bias: FloatArray | null, relu: boolean, out: FloatArray): void {
  if (x instanceof Float32Array && w instanceof Float32Array && out instanceof Float32Array &&
    (bias === null || bias instanceof Float32Array) && wasmDense(arena, x, w, M, K, N, false, false, bias, relu, out)) return;
  matmulInto(arena, x, w, M, K, N, false, false, out);
  biasActivationInto(out, N, bias, relu);
}

/** In place on rows of N values: v += bias[j], then relu (v > 0 ? v : 0) when asked. */
function biasActivationInto(out: FloatArray, N: number, bias: FloatArray | null, relu: boolean): void {
  if (!bias && !relu) return;
  for (let base = 0; base < out.length; base += N) {
    for (let j = 0; j < N; j++) {
      const v = out[base + j] + (bias ? bias[j] : 0);
      out[base + j] = relu ? (v > 0 ? v : 0) : v;
    }
  }
}

/**
 * dz = act'(y)·dy for rows of N values (relu: dy where y > 0, the subgradient at 0 being 0,
 * as in relu's own backward), and column sums of dz into `dBias` when given. float32 relu
 * goes to WebAssembly (branch-free; the bias sums are then float32).
 */
export function denseGradInto(arena: Arena, y: NumArray, dy: NumArray, N: number, relu: boolean, dz: NumArray, dBias: NumArray | null): void {
  if (relu && y instanceof Float32Array && dy instanceof Float32Array && dz instanceof Float32Array &&
    (dBias === null || dBias instanceof Float32Array) && wasmReluGrad(arena, y, dy, N, dz, dBias)) return;
  const acc = dBias ? new Float64Array(N) : null; // float64 sums, as the reductions use
  for (let base = 0; base < dy.length; base += N) {
    for (let j = 0; j < N; j++) {
      const g = relu && !(y[base + j] > 0) ? 0 : dy[base + j];
      dz[base + j] = g;
      if (acc) acc[j] += g;
    }
  }
  if (dBias && acc) dBias.set(acc);
}
