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
import { arenaAlloc, arenaMemory, arenaOffset, ARENA_MAX_PAGES, release } from './memory.js';
import { parallelWasm, registerWasm, ROW_MIN_WORK, threadCount, type WasmKernels } from './threads.js';
import { multinomialModule } from './wasm/multinomial-module.js';

interface Kernels {
  pool: WasmKernels;
  memory: WebAssembly.Memory;
  rowMaxSumExp(z: number, N: number, stats: number, r0: number, r1: number): void;
  softmaxScaled(z: number, params: number, N: number, g: number, r0: number, r1: number): void;
  expVec(x: number, out: number, n: number): void;
}

let kernels: Kernels | null | undefined;
let enabled = !(typeof process !== 'undefined' && process.env?.SPARSEGRAD_WASM === '0');

/** Tests: force the JavaScript loops (false) or let float32 arena logits use WebAssembly (true). */
export function setWasmMultinomial(on: boolean): void {
  enabled = on;
}

function getKernels(): Kernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  const memory = arenaMemory();
  if (!memory) return kernels;
  try {
    const bytes = multinomialModule({ shared: true, maxPages: ARENA_MAX_PAGES });
    if (!WebAssembly.validate(bytes)) return kernels;
    const module = new WebAssembly.Module(bytes);
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernels;
    const pool = registerWasm(module, memory, exports as unknown as Record<string, unknown>);
    kernels = { pool, memory, rowMaxSumExp: exports.rowMaxSumExp, softmaxScaled: exports.softmaxScaled, expVec: exports.expVec };
  } catch {
    kernels = null;
  }
  return kernels;
}

/** Whether float32 arena logits take the WebAssembly path (tests report which path they checked). */
export function wasmMultinomialActive(): boolean {
  return enabled && getKernels() !== null;
}

/** Runs a row kernel over [0, B), shared with the workers when the row work is big. */
function overRows(k: Kernels, fn: 'rowMaxSumExp' | 'softmaxScaled', args: number[], B: number, N: number): void {
  if (B * N >= ROW_MIN_WORK && B > 1 && parallelWasm(k.pool, fn, args, { total: B, grain: Math.max(1, Math.ceil(B / (4 * threadCount()))) })) return;
  (k[fn] as (...a: number[]) => void)(...args, 0, B);
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
function rowStats(z: FloatArray, B: number, N: number, stats: Float64Array): void {
  const k = z instanceof Float32Array && enabled ? getKernels() : null;
  const at = k ? arenaOffset(z) : -1;
  const out = at >= 0 ? (arenaAlloc('float64', 2 * B) as Float64Array | null) : null;
  if (k && out) {
    overRows(k, 'rowMaxSumExp', [at, N, arenaOffset(out)], B, N);
    for (let r = 0; r < B; r++) { stats[2 * r] = out[2 * r]; stats[2 * r + 1] = Math.log(out[2 * r + 1]); }
    release(out);
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
export function multinomialNLLInto(z: FloatArray, N: number, x: CSRInfo, stats: FloatArray): number {
  const B = x.shape[0];
  const st = new Float64Array(2 * B);
  rowStats(z, B, N, st);
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
export function multinomialNLLGradInto(z: FloatArray, stats: FloatArray, N: number, x: CSRInfo, dy: number, g: FloatArray): void {
  const B = x.shape[0];
  const c = dy / B;
  const { rowSums } = targetSums(z, N, x);
  const k = z instanceof Float32Array && g instanceof Float32Array && enabled ? getKernels() : null;
  const pz = k ? arenaOffset(z) : -1, pg = k ? arenaOffset(g) : -1;
  const params = k && pz >= 0 && pg >= 0 ? (arenaAlloc('float32', 3 * B) as Float32Array | null) : null;
  if (k && params) {
    for (let r = 0; r < B; r++) { params[3 * r] = stats[2 * r]; params[3 * r + 1] = stats[2 * r + 1]; params[3 * r + 2] = c * rowSums[r]; }
    overRows(k, 'softmaxScaled', [pz, arenaOffset(params), N, pg], B, N);
    release(params);
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
export function simdExpForTests(x: Float32Array): Float32Array | null {
  const k = getKernels();
  if (!k) return null;
  const xa = arenaAlloc('float32', x.length) as Float32Array;
  const out = arenaAlloc('float32', x.length) as Float32Array;
  xa.set(x);
  k.expVec(arenaOffset(xa), arenaOffset(out), x.length);
  const res = Float32Array.from(out);
  release(xa);
  release(out);
  return res;
}
