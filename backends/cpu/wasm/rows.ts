/**
 * The embedding row kernels (rows-module.ts) on the CPU backend's shared arena.
 *
 * Big arrays already live in the arena (memory.ts), so these kernels run on embedding
 * tables, optimizer state and gradients in place: the only copies are of the small host
 * arrays a call brings along (segment ids, touched-row lists), into arena scratch blocks.
 * Each call shares its rows with the worker threads when there are any (threads.ts): every
 * worker instantiates the same module on the same shared memory.
 *
 * Every function returns false (the caller then runs the JavaScript kernel) when
 * WebAssembly SIMD or the arena is missing, an operand is not in the arena, or the kernels
 * are switched off (SPARSEGRAD_WASM=0).
 */
import { arenaAlloc, arenaMemory, arenaOffset, ARENA_MAX_PAGES, release } from '../memory.js';
import { parallelWasm, registerWasm, ROW_MIN_WORK, threadCount, type WasmKernels } from '../threads.js';
import type { TypedArray } from '../../../core/dtype.js';
import { rowsModule } from './rows-module.js';

interface RowKernels {
  pool: WasmKernels;
  gatherRows(table: number, ids: number, width: number, out: number, i0: number, i1: number): void;
  gatherDot(a: number, b: number, aIds: number, bIds: number, width: number, out: number, i0: number, i1: number): void;
  segmentSumScaled(scale: number, table: number, rowIds: number, seg: number, n: number, width: number, out: number, s0: number, s1: number): void;
  adamRows(w: number, g: number, m: number, v: number, rows: number, corr: number, width: number,
    beta1: number, beta2: number, eps: number, weightDecay: number, r0: number, r1: number): void;
  spmm(indptr: number, indices: number, values: number, b: number, N: number, out: number, i0: number, i1: number): void;
}

let kernels: RowKernels | null | undefined;
const enabled = !(typeof process !== 'undefined' && process.env?.SPARSEGRAD_WASM === '0');

function getKernels(): RowKernels | null {
  if (kernels !== undefined) return kernels;
  kernels = null;
  const memory = enabled ? arenaMemory() : null;
  if (!memory) return kernels;
  try {
    const bytes = rowsModule({ shared: true, maxPages: ARENA_MAX_PAGES });
    if (!WebAssembly.validate(bytes)) return kernels;
    const module = new WebAssembly.Module(bytes);
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as RowKernels;
    const pool = registerWasm(module, memory, exports as unknown as Record<string, unknown>);
    kernels = { pool, gatherRows: exports.gatherRows, gatherDot: exports.gatherDot, segmentSumScaled: exports.segmentSumScaled, adamRows: exports.adamRows, spmm: exports.spmm };
  } catch {
    kernels = null; // e.g. a browser main thread that will not compile synchronously
  }
  return kernels;
}

/** Whether the row kernels run on WebAssembly (tests report which path they checked). */
export function wasmRowsActive(): boolean {
  return getKernels() !== null;
}

/** Arena offsets for a call's small host inputs: copies in scratch blocks, released after the call. */
class ArenaArgs {
  private readonly scratch: TypedArray[] = [];
  /** an input: in place, or a copy in the arena (for the small host arrays of a call) */
  input(a: Int32Array | Float32Array): number {
    const at = arenaOffset(a);
    if (at >= 0) return at;
    const copy = arenaAlloc(a instanceof Int32Array ? 'int32' : 'float32', a.length) as Int32Array | Float32Array | null;
    if (!copy) throw new Error('cpu: the WebAssembly arena is full'); // 4 GiB of live tensors
    copy.set(a);
    this.scratch.push(copy);
    return arenaOffset(copy);
  }
  release(): void {
    for (const s of this.scratch) release(s);
  }
}

/**
 * Runs kernel `name` over [0, rows), shared with the worker threads when it pays: in a few
 * chunks per thread, taken in turn — or in exactly the two given by `split` (the scaled
 * segment sums scan every entry once per chunk, so they want as few chunks as possible).
 */
function run(k: RowKernels, name: 'gatherRows' | 'gatherDot' | 'segmentSumScaled' | 'adamRows' | 'spmm', args: number[], rows: number, work: number, split?: number): void {
  if (work >= ROW_MIN_WORK) {
    const chunks = split !== undefined ? { total: rows, bounds: [0, split, rows] } : { total: rows, grain: Math.ceil(rows / (4 * threadCount())) };
    if (parallelWasm(k.pool, name, args, chunks)) return;
  }
  (k[name] as (...a: number[]) => void)(...args, 0, rows);
}

/** out[i] = table[ids[i]], rows of `width` 4-byte values (table and output in the arena). */
export function wasmGatherRows(table: Float32Array | Int32Array, ids: Int32Array, width: number, out: Float32Array | Int32Array): boolean {
  const k = getKernels();
  if (!k) return false;
  const pt = arenaOffset(table), po = arenaOffset(out);
  if (pt < 0 || po < 0) return false;
  const args = new ArenaArgs();
  const n = ids.length;
  run(k, 'gatherRows', [pt, args.input(ids), width, po], n, n * width);
  args.release();
  return true;
}

/** out[i] = a[aIds[i]] · b[bIds[i]] (float32 tables and output in the arena). */
export function wasmGatherDot(a: Float32Array, b: Float32Array, aIds: Int32Array, bIds: Int32Array, width: number, out: Float32Array): boolean {
  const k = getKernels();
  if (!k) return false;
  const args = new ArenaArgs();
  const pa = arenaOffset(a), pb = arenaOffset(b), po = arenaOffset(out);
  if (pa < 0 || pb < 0 || po < 0) return false;
  const n = aIds.length;
  run(k, 'gatherDot', [pa, pb, args.input(aIds), args.input(bIds), width, po], n, n * width);
  args.release();
  return true;
}

/** out[seg[i]] += scale[i] · table[rowIds[i]]; out zeroed, [numSegments, width]. */
export function wasmSegmentSumScaled(scale: Float32Array, table: Float32Array, rowIds: Int32Array, seg: Int32Array,
  width: number, out: Float32Array, numSegments: number, split: number | undefined): boolean {
  const k = getKernels();
  if (!k) return false;
  const args = new ArenaArgs();
  const pt = arenaOffset(table), po = arenaOffset(out);
  if (pt < 0 || po < 0) return false;
  const n = seg.length;
  run(k, 'segmentSumScaled', [args.input(scale), pt, args.input(rowIds), args.input(seg), n, width, po], numSegments, n * width, split);
  args.release();
  return true;
}

let corrTable = { beta1: NaN, beta2: NaN, values: new Float64Array(0) };

/**
 * [1 / (1 − β1^t), 1 / (1 − β2^t)] for t = 0 … max(steps), kept between calls: every row
 * has its own step count, and two Math.pow per row cost more than the update itself.
 */
function corrections(beta1: number, beta2: number, steps: Int32Array): Float64Array {
  let maxStep = 0;
  for (let r = 0; r < steps.length; r++) if (steps[r] > maxStep) maxStep = steps[r];
  const c = corrTable;
  if (c.beta1 !== beta1 || c.beta2 !== beta2 || c.values.length < 2 * (maxStep + 1)) {
    const size = Math.max(2 * (maxStep + 1), c.values.length * 2, 64);
    const values = new Float64Array(size);
    for (let t = 1; t < size / 2; t++) {
      values[2 * t] = 1 / (1 - Math.pow(beta1, t));
      values[2 * t + 1] = 1 / (1 - Math.pow(beta2, t));
    }
    corrTable = { beta1, beta2, values };
  }
  return corrTable.values;
}

/**
 * Lazy Adam on the given rows of a float32 table (w, m, v in the arena), gradient row r for
 * rows[r], each row with its own step count.
 */
export function wasmAdamRows(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, rows: Int32Array, steps: Int32Array,
  width: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number): boolean {
  const k = getKernels();
  if (!k) return false;
  const args = new ArenaArgs();
  const pw = arenaOffset(w), pm = arenaOffset(m), pv = arenaOffset(v);
  if (pw < 0 || pm < 0 || pv < 0) return false;
  // per-row bias corrections (WebAssembly has no pow), from a table by step count
  const table = corrections(beta1, beta2, steps);
  const corr = new Float32Array(2 * rows.length);
  for (let r = 0; r < rows.length; r++) {
    const t = 2 * steps[r];
    corr[2 * r] = lr * table[t];
    corr[2 * r + 1] = table[t + 1];
  }
  const pass = [pw, args.input(g), pm, pv, args.input(rows), args.input(corr), width, beta1, beta2, eps, weightDecay];
  run(k, 'adamRows', pass, rows.length, rows.length * width);
  args.release();
  return true;
}

/** out[M, N] = X · b for a CSR X [M, K] (b float32 [K, N] and out zeroed, both in the arena). */
export function wasmSpmm(indptr: Int32Array, indices: Int32Array, values: Float32Array, b: Float32Array, N: number, out: Float32Array): boolean {
  const k = getKernels();
  if (!k) return false;
  const args = new ArenaArgs();
  const pb = arenaOffset(b), po = arenaOffset(out);
  if (pb < 0 || po < 0) return false;
  const M = indptr.length - 1;
  run(k, 'spmm', [args.input(indptr), args.input(indices), args.input(values), pb, N, po], M, indices.length * N);
  args.release();
  return true;
}

