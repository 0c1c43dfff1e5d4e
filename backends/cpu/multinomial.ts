/**
 * The fused log-softmax + multinomial log-likelihood of a user-row model (Mult-VAE / DAE):
 * logits z [B, N] over every item, targets x a CSR batch (the user's items),
 *
 *   loss = −(1/B) Σ_u Σ_i x_ui log softmax(z_u)_i = (1/B) Σ_u (Σ_i x_ui · lse_u − Σ_i x_ui z_ui)
 *   lse_u = log Σ_i exp(z_ui) = m_u + log Σ_i exp(z_ui − m_u),  m_u = max_i z_ui
 *   ∂loss/∂z_u = (1/B) ((Σ_i x_ui) · exp(z_u − m_u − ls_u) − x_u),  ls_u = lse_u − m_u
 *
 * The backward keeps (m_u, ls_u) per row rather than lse_u: z − m is exact in float32 for
 * the row's own values, while a float32 lse of logits near 10⁴ would be off by 10⁻³.
 *
 * Composed from primitives (ops/recsys-losses.ts, the reference), the forward writes the
 * whole [B, N] log-softmax and the backward a softmax, a broadcast product and a scaled
 * copy: five passes over 10M floats for the seed's 500 × 20,000, each with a float64
 * Math.exp. Fused, the forward reads z twice (max, then Σ exp) and keeps only (m, ls) [B, 2]; the
 * loss needs z at the batch's entries alone (Σ x·z); the backward is one pass writing
 * scale_u · exp(z − lse_u) and then subtracts x/B at the entries. Shifting by the row max
 * keeps every exp ≤ 1 (numerically stable for any logits).
 *
 * Two implementations with the same arithmetic: WebAssembly SIMD for float32 logits in the
 * arena (wasm/multinomial-module.ts, rows shared with the worker threads), and this file's
 * JavaScript loops (float64 sums; float64 logits for the gradient checks; any logits when
 * WebAssembly is off).
 */
import type { CSRInfo } from '../../core/kernels.js';
import type { FloatArray } from './elementwise.js';
import type { Arena } from './memory.js';
import { chooseVariant } from './variants.js';
import { ArenaArgs, ArenaKernel } from './wasm/modules.js';
import { multinomialModule } from './wasm/multinomial-module.js';

type Fn = 'rowMaxSumExp' | 'softmaxScaled' | 'expVec';
export const wasm = new ArenaKernel<Fn>('multinomial', multinomialModule);
let enabled = true;

/** Tests: force the JavaScript loops (false) or let float32 arena logits use WebAssembly (true). */
export function setWasmMultinomial(on: boolean): void {
  enabled = on;
}

/** Whether float32 arena logits take the WebAssembly path on `arena` (tests report which path they checked). */
export function wasmMultinomialActive(arena: Arena): boolean {
  return enabled && wasm.on(arena) !== null;
}

/** Σ_i x_ui per row, and Σ x·z over the stored entries, in float64. */
function targetSums(z: FloatArray, N: number, x: CSRInfo): { rowSums: Float64Array; dot: number } {
  const B = x.shape[0];
  const rowSums = new Float64Array(B);
  let dot = 0;
  for (let r = 0; r < B; r++) {
    let s = 0;
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
      s += x.values[p];
      dot += x.values[p] * z[r * N + x.indices[p]];
    }
    rowSums[r] = s;
  }
  return { rowSums, dot };
}

/** (m_u, ls_u) of every row into stats [B, 2]: WebAssembly where it can, else float64 JS. */
function rowStats(arena: Arena, z: FloatArray, B: number, N: number, stats: Float64Array): void {
  const v = chooseVariant(arena, wasm, { inPlace: [z] }, B * N);
  if (v.wasm && enabled) {
    const args = new ArenaArgs(arena);
    try {
      const out = args.output('float64', 2 * B);
      v.wasm.run('rowMaxSumExp', [arena.offset(z), N, out.at], B, v.threads);
      for (let r = 0; r < B; r++) { stats[2 * r] = out.array[2 * r]; stats[2 * r + 1] = Math.log(out.array[2 * r + 1]); }
    } finally {
      args.release();
    }
    return;
  }
  for (let r = 0; r < B; r++) {
    const base = r * N;
    let m = -Infinity;
    for (let i = 0; i < N; i++) { const v = z[base + i]; m = v > m || v !== v ? v : m; }
    let s = 0;
    for (let i = 0; i < N; i++) s += Math.exp(z[base + i] - m);
    stats[2 * r] = m;
    stats[2 * r + 1] = Math.log(s);
  }
}

/**
 * The forward: the loss (a number: on the CPU the value is already here) and the row
 * statistics (m_u, ls_u) into `stats` [B, 2] for the backward.
 */
export function multinomialNLLInto(arena: Arena, z: FloatArray, N: number, x: CSRInfo, stats: FloatArray): number {
  const B = x.shape[0];
  const st = new Float64Array(2 * B);
  rowStats(arena, z, B, N, st);
  stats.set(st);
  const { rowSums, dot } = targetSums(z, N, x);
  let total = -dot;
  for (let r = 0; r < B; r++) total += rowSums[r] * (st[2 * r] + st[2 * r + 1]);
  return total / B;
}

/**
 * The backward into g [B, N]: g = (dy/B)·((Σ_i x_ui)·exp(z_u − m_u − ls_u) − x_u), dy the
 * upstream gradient of the (scalar) loss, stats the forward's.
 */
export function multinomialNLLGradInto(arena: Arena, z: FloatArray, stats: FloatArray, N: number, x: CSRInfo, dy: number, g: FloatArray): void {
  const B = x.shape[0];
  const c = dy / B;
  const { rowSums } = targetSums(z, N, x);
  const v = chooseVariant(arena, wasm, { inPlace: [z, g] }, B * N);
  if (v.wasm && enabled) {
    const params = new Float32Array(3 * B);
    for (let r = 0; r < B; r++) { params[3 * r] = stats[2 * r]; params[3 * r + 1] = stats[2 * r + 1]; params[3 * r + 2] = c * rowSums[r]; }
    const args = new ArenaArgs(arena);
    try {
      v.wasm.run('softmaxScaled', [arena.offset(z), args.input(params), N, arena.offset(g)], B, v.threads);
    } finally {
      args.release();
    }
  } else {
    for (let r = 0; r < B; r++) {
      const base = r * N, m = stats[2 * r], ls = stats[2 * r + 1], s = c * rowSums[r];
      for (let i = 0; i < N; i++) g[base + i] = s * Math.exp(z[base + i] - m - ls);
    }
  }
  for (let r = 0; r < B; r++) {
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) g[r * N + x.indices[p]] -= c * x.values[p];
  }
}

/** Tests: the SIMD exp on n floats (n a multiple of 4), or null without the kernels. */
export function simdExpForTests(arena: Arena, x: Float32Array): Float32Array | null {
  const k = wasm.on(arena);
  if (!k) return null;
  const args = new ArenaArgs(arena);
  try {
    const out = args.output('float32', x.length);
    k.exports.expVec(args.input(x), out.at, x.length);
    return Float32Array.from(out.array);
  } finally {
    args.release();
  }
}
