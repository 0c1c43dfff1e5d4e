/**
 * How a CPU kernel runs: the one dispatch rule every kernel file asks.
 *
 * Most accelerated kernels here exist twice — a WebAssembly SIMD version that works in place
 * on the arena (wasm/modules.ts), and its JavaScript twin, self-contained so a worker thread
 * can run it too — and either can share its rows with the worker threads (threads.ts):
 *
 *   WebAssembly  when every big operand is a float32 array in the arena (int32 too, for a
 *                kernel that only moves words) and the kernel's module is there (SIMD
 *                supported, not SPARSEGRAD_WASM=0);
 *   threads      when the work (multiply-adds, or row elements touched) is at least
 *                ROW_MIN_WORK: row kernels are bound by scattered reads, so a second core
 *                pays off early — and the JavaScript twin also needs its big tables already
 *                in shared memory (copying an embedding table per call would cost more);
 *   otherwise    the JavaScript loop on this thread (float64 for the gradient checks,
 *                float16 decoded, plain arrays where there is no arena).
 *
 * Matrix products and the dense layer (matmul.ts, dense.ts → wasm/gemm.ts) follow their own
 * size rule: the gemm kernel copies operands that are not in the arena, and shares only
 * products big enough to amortise waking a worker.
 */
import type { Arena } from './memory.js';
import { parallelRows, ROW_MIN_WORK, threadCount } from './threads.js';
import type { ArenaInstance, ArenaKernel } from './wasm/modules.js';

export interface Variant<F extends string> {
  /** the WebAssembly kernel to run, or null for the JavaScript twin */
  wasm: ArenaInstance<F> | null;
  /** share the rows with the worker threads */
  threads: boolean;
}

export interface Operands {
  /** what the WebAssembly kernel reads or writes in place (tables, state, outputs) */
  inPlace: readonly ArrayBufferView[];
  /** what it would copy into arena scratch (small host arrays: scales, gradients) */
  copied?: readonly ArrayBufferView[];
  /** the kernel moves 4-byte words without arithmetic (a gather): int32 arrays qualify too */
  words?: boolean;
}

/** Whether the WebAssembly kernels can read `a`: float32, or int32 for a kernel that only moves words. */
function wasmReadable(a: ArrayBufferView, words: boolean): boolean {
  return a instanceof Float32Array || (words && a instanceof Int32Array);
}

/**
 * The variant for a call with these operands and this much `work`. Plain loops, no closures:
 * this runs for every kernel call, and the bundles (built with keepNames) give each closure
 * made per call its name with a defineProperty — about a microsecond each.
 */
export function chooseVariant<F extends string>(arena: Arena, kernel: ArenaKernel<F>, operands: Operands, work: number): Variant<F> {
  const words = operands.words === true;
  let fits = true;
  for (const a of operands.inPlace) fits &&= wasmReadable(a, words) && arena.offset(a) >= 0;
  for (const a of operands.copied ?? []) fits &&= wasmReadable(a, words);
  return { wasm: fits ? kernel.on(arena) : null, threads: work >= ROW_MIN_WORK && threadCount() > 1 };
}

type RowKernel = (...args: any[]) => void;

/**
 * Runs a JavaScript row kernel `kernel(...args, lo, hi)` over [0, rows): split with a worker
 * when the variant says threads (and the tables at `mustBeShared` are in shared memory),
 * else here. `split` is where the worker's half starts (default: the middle).
 */
export function runRows(kernel: RowKernel, args: unknown[], rows: number, threads: boolean, opts: { mustBeShared?: number[]; split?: number } = {}): void {
  if (threads && parallelRows(kernel, args, rows, Infinity, { mustBeShared: opts.mustBeShared, minWork: 0, split: opts.split })) return;
  kernel(...args, 0, rows);
}
