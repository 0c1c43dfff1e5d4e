/**
 * spmm — a primitive (core/kernels.ts): CSR [M, K] · dense b [K, N] → [M, N]. The sparse input
 * of user-row models (a user's 20,000-item row with 200 entries costs 200 scaled rows of b,
 * not 20,000), and with the transposed CSR the RowSparse weight gradient.
 *
 * Implementations, chosen by variants.ts:
 *   spmmInto    the JavaScript twin (float64 row sums)
 *   emitSpmm    the WebAssembly SIMD kernel on the arena (b and out in place, the CSR arrays
 *               copied in), rows shared with the worker threads
 */
import type { CSRInfo } from '../../core/kernels.js';
import type { FloatArray } from './elementwise.js';
import type { Arena } from './memory.js';
import { chooseVariant } from './variants.js';
import { Code, emitModule, I32, Locals, type FunctionDef } from './wasm/emitter.js';
import { forRange, overRow } from './wasm/loops.js';
import { ArenaArgs, ArenaKernel } from './wasm/modules.js';

/** out[M,N] = A[M,K] (CSR) · b[K,N]: each stored entry adds a scaled row of b. */
export function spmmInto(a: CSRInfo, b: FloatArray, N: number, out: FloatArray): void {
  const M = a.shape[0];
  const { indptr, indices, values } = a;
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    if (indptr[i] === indptr[i + 1]) continue; // empty row: out is already zero
    row.fill(0);
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const v = values[p];
      const bk = indices[p] * N;
      for (let j = 0; j < N; j++) row[j] += v * b[bk + j];
    }
    out.set(row, i * N);
  }
}

/** spmm(indptr, indices, values, b, N, out, i0, i1): out[i] += Σ_p values[p] · b[indices[p]] over row i's entries. */
function emitSpmm(): FunctionDef {
  const [indptr, indices, values, b, N, out, i0, i1] = [0, 1, 2, 3, 4, 5, 6, 7];
  const L = new Locals(8);
  const i = L.i32(), p = L.i32(), pEnd = L.i32(), k = L.i32(), src = L.i32(), dst = L.i32(), rowBytes = L.i32();
  const sv = L.v128(), sf = L.f32();
  const code = new Code();
  code.get(N).i32(4).mul().set(rowBytes);
  forRange(code, i, i0, i1, () => {
    code.get(indptr).get(i).i32(4).mul().add().i32Load(0).set(p);
    code.get(indptr).get(i).i32(4).mul().add().i32Load(4).set(pEnd);
    forRange(code, p, p, pEnd, () => {
      code.get(values).get(p).i32(4).mul().add().f32Load().tee(sf).f32x4Splat().set(sv);
      code.get(b).get(indices).get(p).i32(4).mul().add().i32Load().get(rowBytes).mul().add().set(src);
      code.get(out).get(i).get(rowBytes).mul().add().set(dst);
      overRow(code, k, N, [src, dst],
        () => code.get(dst).get(dst).v128Load().get(sv).get(src).v128Load().f32x4Mul().f32x4Add().v128Store(),
        () => code.get(dst).get(dst).f32Load().get(sf).get(src).f32Load().f32Mul().f32Add().f32Store());
    });
  });
  return { name: 'spmm', params: new Array(8).fill(I32), locals: L.types, body: code };
}

/** the WebAssembly kernel (exported for the tests, which check it runs) */
export const wasm = new ArenaKernel<'spmm'>('spmm', (memory) => emitModule([emitSpmm()], memory));

/** out[M, N] = a · b for a CSR a; out starts zeroed. */
export function spmm(arena: Arena, a: CSRInfo, b: FloatArray, N: number, out: FloatArray): void {
  const v = chooseVariant(arena, wasm, { inPlace: [b, out], copied: [a.values] }, a.indices.length * N);
  if (!v.wasm) return spmmInto(a, b, N, out);
  const args = new ArenaArgs(arena);
  try {
    v.wasm.run('spmm', [args.input(a.indptr), args.input(a.indices), args.input(a.values), arena.offset(b), N, arena.offset(out)], a.shape[0], v.threads);
  } finally {
    args.release();
  }
}
