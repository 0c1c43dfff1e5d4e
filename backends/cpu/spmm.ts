/**
 * spmm — a primitive (core/kernels.ts): CSR [M, K] · dense b [K, N] → [M, N]. The sparse input
 * of user-row models (a user's 20,000-item row with 200 entries costs 200 scaled rows of b,
 * not 20,000), and with the transposed CSR the RowSparse weight gradient.
 *
 * Implementations, chosen by variants.ts:
 *   spmmInto    the JavaScript twin (float64 row sums)
 *   emitSpmm    the WebAssembly SIMD kernel on the arena (b and out in place, the CSR arrays
 *               copied in), rows shared with the worker threads:
 *
 *   spmm(indptr, indices, values, b, ldb, N, out, ldo, i0, i1)
 *     out[i, 0:N] = Σ_p values[p] · b[indices[p], 0:N] over row i's entries, for rows i in [i0, i1)
 *
 * Row i of out (2.4 KB at the Mult-VAE's 600 columns) stays in L1 while row i's entries are
 * added into it eight at a time (then four, then one): out[i] += v₁·b[k₁] + … + v₈·b[k₈], one
 * vector of columns after another. Per entry and vector that is one load of b and a
 * multiply-add; the load and store of out are shared by the group (one entry at a time, they
 * were half the instructions); and eight rows of b stream at once, which keeps more memory
 * reads in flight — in the forward pass b is a 48 MB weight read at random rows, so the kernel
 * waits on memory more than it computes. Measured (CPU time, one thread, the Mult-VAE's
 * 500 × 20,000 1% batch · [20,000, 600]): one entry at a time 32.7 ms, a 32-column segment of
 * out kept in registers over all entries 34.7 ms (it cuts b's rows into short reads the
 * prefetcher cannot follow), groups of four 19.3 ms, of eight 13.8 ms; the weight gradient
 * (Xᵀ·dy, 20,000 rows of ~5 entries) 7.9 → 5.8 ms. Every output element is written (rows
 * without entries get zeros), so the output needs no clearing first.
 *
 * Rows of b start every ldb bytes and rows of out every ldo bytes, so either can be a column
 * window of a wider matrix: the same kernel is then an embedding lookup into a slice of a
 * concatenation (one entry of value 1 per row) and the segment sum of a column window
 * (gather-concat.ts).
 */
import type { CSRInfo } from '../../core/kernels.js';
import type { FloatArray } from './elementwise.js';
import type { Arena } from './memory.js';
import { chooseVariant } from './variants.js';
import { Code, emitModule, I32, Locals, type FunctionDef } from './wasm/emitter.js';
import { ArenaArgs, ArenaKernel } from './wasm/modules.js';

/** out[M,N] = A[M,K] (CSR) · b[K,N]: each stored entry adds a scaled row of b; every row written. */
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

/** entries added per pass over a row of out */
export const SPMM_GROUP = 8;

function emitSpmm(group: number): FunctionDef {
  const [indptr, indices, values, b, ldb, N, out, ldo, i0, i1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const L = new Locals(10);
  const i = L.i32(), p = L.i32(), pEnd = L.i32(), j = L.i32(), row = L.i32(), po = L.i32(), lim = L.i32();
  const pb = Array.from({ length: group }, () => L.i32());
  const sv = Array.from({ length: group }, () => L.v128());
  const sf = Array.from({ length: group }, () => L.f32());
  const acc = L.v128(), accf = L.f32();
  const code = new Code();

  /** pb[g] = b + indices[p + g]·ldb and the splatted values, for g < G */
  const loadEntries = (G: number) => {
    for (let g = 0; g < G; g++) {
      code.get(b).get(indices).get(p).i32(4).mul().add().i32Load(4 * g).get(ldb).mul().add().set(pb[g]);
      code.get(values).get(p).i32(4).mul().add().f32Load(4 * g).set(sf[g]);
      code.get(sf[g]).f32x4Splat().set(sv[g]);
    }
  };

  /** out[i, :] (+)= Σ_g v_g · b[k_g, :], vectors then the last N mod 4 floats */
  const addEntries = (G: number, first: boolean) => {
    code.get(row).set(po);
    code.i32(0).set(j);
    code.block().loop();
    code.get(j).get(lim).geS().brIf(1);
    if (first) code.v128Zero(); else code.get(po).v128Load();
    for (let g = 0; g < G; g++) code.get(sv[g]).get(pb[g]).get(j).i32(4).mul().add().v128Load().f32x4Mul().f32x4Add();
    code.set(acc).get(po).get(acc).v128Store();
    code.inc(po, 16).inc(j, 4).br(0);
    code.end().end();
    code.block().loop();
    code.get(j).get(N).geS().brIf(1);
    if (first) code.f32Zero(); else code.get(po).f32Load();
    for (let g = 0; g < G; g++) code.get(sf[g]).get(pb[g]).get(j).i32(4).mul().add().f32Load().f32Mul().f32Add();
    code.set(accf).get(po).get(accf).f32Store();
    code.inc(po, 4).inc(j, 1).br(0);
    code.end().end();
  };

  code.get(N).i32(3).sub().set(lim); // vectors while j < N − 3
  code.get(i0).set(i);
  code.block().loop();
  code.get(i).get(i1).geS().brIf(1);
  code.get(indptr).get(i).i32(4).mul().add().i32Load(0).set(p);
  code.get(indptr).get(i).i32(4).mul().add().i32Load(4).set(pEnd);
  code.get(out).get(i).get(ldo).mul().add().set(row);
  // the first pass writes (zeros for a row without entries), the others add: GROUP entries
  // at a time while they last, then GROUP/2, then one
  const half = group >> 1;
  const pass = (G: number, first: boolean) => { loadEntries(G); addEntries(G, first); code.inc(p, G); };
  code.get(pEnd).get(p).sub().i32(group).geS().if();
  pass(group, true);
  code.else().get(pEnd).get(p).sub().i32(half).geS().if();
  pass(half, true);
  code.else().get(pEnd).get(p).sub().i32(1).geS().if();
  pass(1, true);
  code.else();
  addEntries(0, true);
  code.end().end().end();
  code.block().loop();
  code.get(p).i32(group).add().get(pEnd).gtS().brIf(1);
  pass(group, false);
  code.br(0);
  code.end().end();
  code.get(pEnd).get(p).sub().i32(half).geS().if();
  pass(half, false);
  code.end();
  code.block().loop();
  code.get(p).get(pEnd).geS().brIf(1);
  pass(1, false);
  code.br(0);
  code.end().end();
  code.inc(i, 1).br(0);
  code.end().end();
  return { name: 'spmm', params: new Array(10).fill(I32), locals: L.types, body: code };
}


/** the WebAssembly kernel (exported for the tests, which check it runs) */
export const wasm = new ArenaKernel<'spmm'>('spmm', (memory) => emitModule([emitSpmm(SPMM_GROUP)], memory));

/** out[M, N] = a · b for a CSR a; every element of out is written. */
export function spmm(arena: Arena, a: CSRInfo, b: FloatArray, N: number, out: FloatArray): void {
  if (!spmmStrided(arena, a.indptr, a.indices, a.values, b, 0, N, N, out, 0, N)) spmmInto(a, b, N, out);
}

/**
 * The strided form on WebAssembly: rows of b are `ldb` floats apart and read from column
 * `bOffset`; rows of out are `ldo` floats apart, written from column `outOffset`; N columns.
 * Returns false (nothing done) when the kernel cannot run: the caller runs its JS twin.
 */
export function spmmStrided(arena: Arena, indptr: Int32Array, indices: Int32Array, values: Float32Array,
  b: FloatArray, bOffset: number, ldb: number, N: number, out: FloatArray, outOffset: number, ldo: number): boolean {
  const M = indptr.length - 1;
  const v = chooseVariant(arena, wasm, { inPlace: [b, out], copied: [values] }, Math.max(indices.length, M) * N);
  if (!v.wasm) return false;
  const args = new ArenaArgs(arena);
  try {
    v.wasm.run('spmm', [args.input(indptr), args.input(indices), args.input(values),
      arena.offset(b) + 4 * bOffset, 4 * ldb, N, arena.offset(out) + 4 * outOffset, 4 * ldo], M, v.threads);
  } finally {
    args.release();
  }
  return true;
}
