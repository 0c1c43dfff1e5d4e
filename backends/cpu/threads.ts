/**
 * A second thread for the big CPU kernels (Node only).
 *
 * JavaScript runs one thread per isolate; `worker_threads` adds more, and typed arrays over
 * a SharedArrayBuffer are visible to all of them without copying. A kernel written as a
 * self-contained row-range function `kernel(...args, i0, i1)` can then split its rows: the
 * worker runs [mid, rows) while this thread runs [0, mid), and this thread waits for the
 * worker with `Atomics.wait` (allowed on Node's main thread). Both halves compute exactly
 * what one thread would, so results are identical.
 *
 * The worker is started on first use from the kernel's source text (`new Worker(src,
 * {eval: true})`), so the built bundles need no separate worker file. Where there is no
 * `worker_threads` (a browser), one core, or the worker fails, everything runs here.
 * Set SPARSEGRAD_THREADS=1 to disable the worker.
 *
 * Used for matmul, where the work (M·N·K) dwarfs copying the operands into shared memory.
 * Tried and dropped for the MF kernels (gather-dot, segment sums, lazy Adam): they are
 * bound by random row reads, and the copies of ids and gradients into shared memory plus
 * the hand-off cost more than the second core saved (MF: 550k → 420k samples/s).
 */
import * as workerThreads from 'node:worker_threads';
import { cpus } from 'node:os';

type RowKernel = (...args: any[]) => void;
type Shareable = Float32Array | Float64Array | Int32Array;

interface Pool {
  worker: import('node:worker_threads').Worker;
  /** kernel sources the worker has compiled, by name */
  known: Set<string>;
  /** set to 1 by the worker when its rows are done */
  done: Int32Array;
}

let pool: Pool | null | undefined;

/** Below this much work (multiply-adds), a message round trip costs more than it saves. */
const MIN_WORK = 1 << 22;
/**
 * Row kernels (gather-dot, scaled segment sums, lazy Adam, spmm) are bound by random reads
 * of embedding rows, so a second thread pays off at far less arithmetic than a matmul needs
 * — as long as the tables already live in shared memory (memory.ts puts them there).
 */
export const ROW_MIN_WORK = 1 << 16;
/** If the worker does not answer in this time, its rows are computed here instead. */
const TIMEOUT_MS = 20000;

function workerSource(): string {
  return `
const { parentPort } = require('node:worker_threads');
const kernels = new Map();
parentPort.on('message', (m) => {
  if (m.define) { kernels.set(m.define, (0, eval)('(' + m.source + ')')); return; }
  try { kernels.get(m.kernel)(...m.args, m.i0, m.i1); }
  finally { Atomics.store(m.done, 0, 1); Atomics.notify(m.done, 0); }
});`;
}

function getPool(): Pool | null {
  if (pool !== undefined) return pool;
  pool = null;
  try {
    const env = typeof process !== 'undefined' ? process.env?.SPARSEGRAD_THREADS : undefined;
    if (env === '1' || typeof workerThreads.Worker !== 'function' || !workerThreads.isMainThread) return pool;
    if (typeof SharedArrayBuffer !== 'function') return pool;
    if ((cpus?.().length ?? 1) < 2) return pool;
    const worker = new workerThreads.Worker(workerSource(), { eval: true });
    worker.unref();
    worker.on('error', () => { pool = null; });
    pool = { worker, known: new Set(), done: new Int32Array(new SharedArrayBuffer(4)) };
  } catch {
    pool = null;
  }
  return pool;
}

/** `a` itself when it lives in shared memory, else a shared copy. */
function shared<T extends Shareable>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

export interface SplitOptions {
  /** indices of args that must already live in shared memory (big tables), else no split */
  mustBeShared?: number[];
  /** least work worth a hand-off (default: matmul-sized, 4M multiply-adds) */
  minWork?: number;
  /** the row where the worker's share starts (default: half, rounded to even) */
  split?: number;
}

/**
 * Runs `kernel(...args, i0, i1)` over rows [0, rows), split with the worker when the work is
 * big enough. The last argument in `args` is the output; when it is not in shared memory,
 * the worker writes a shared copy that is copied back. Returns false when it did not run
 * (no worker, small work): the caller then runs the kernel itself.
 */
export function parallelRows(kernel: RowKernel, args: unknown[], rows: number, work: number, opts: SplitOptions = {}): boolean {
  const { mustBeShared = [], minWork = MIN_WORK } = opts;
  if (work < minWork || rows < 8) return false;
  // big tables (embeddings, optimizer state) are only worth sharing when they already are:
  // copying a 1M-row table per call would cost more than the whole step
  if (mustBeShared.some((i) => !((args[i] as Shareable).buffer instanceof SharedArrayBuffer))) return false;
  const p = getPool();
  if (!p) return false;
  const outIndex = args.length - 1;
  const out = args[outIndex] as Shareable;
  const sharedArgs = args.map((a) => (ArrayBuffer.isView(a) ? shared(a as Shareable) : a));
  if (!p.known.has(kernel.name)) {
    p.worker.postMessage({ define: kernel.name, source: kernel.toString() });
    p.known.add(kernel.name);
  }
  const mid = opts.split ?? Math.floor(rows / 4) * 2; // even, so 2-row blocks stay whole
  Atomics.store(p.done, 0, 0);
  p.worker.postMessage({ kernel: kernel.name, args: sharedArgs, i0: mid, i1: rows, done: p.done });
  kernel(...sharedArgs, 0, mid);
  if (Atomics.wait(p.done, 0, 0, TIMEOUT_MS) === 'timed-out') {
    // never hang: do the worker's rows here and stop using it
    pool = null;
    kernel(...sharedArgs, mid, rows);
  }
  if (sharedArgs[outIndex] !== out) out.set(sharedArgs[outIndex] as never);
  return true;
}

