/**
 * A pool of worker threads for the big CPU kernels (Node only).
 *
 * JavaScript runs one thread per isolate; `worker_threads` adds more, and memory in a
 * SharedArrayBuffer — the CPU backend's WebAssembly arena (memory.ts) above all — is visible
 * to all of them without copying. A kernel written over a range, `kernel(...args, lo, hi)`,
 * can then be shared out: its range is cut into chunks, and every thread (this one included)
 * takes the next chunk from a shared counter until none are left. Each chunk's output is
 * written by exactly one thread, so results are identical to a single-threaded run.
 *
 * Why chunks taken from a counter rather than fixed halves: this is a shared machine. When
 * the second core is busy with someone else's process, a worker can wake milliseconds late;
 * with fixed halves this thread would then sit waiting for the worker's half, and with
 * chunks it simply takes the worker's chunks too (the run is never slower than one thread
 * by more than one chunk's wait). And when the worker keeps the join waiting anyway — its
 * core is taken, so it is time-sliced with this thread and every chunk it takes is a wait —
 * the kernels run here alone for a second before sharing is tried again (the back-off below).
 *
 * How a job reaches a worker (measured in the README, "Dense compute and both cores"): the job's numbers go
 * into a shared mailbox and the worker, parked in `Atomics.wait`, is woken with
 * `Atomics.notify` — no message, no event loop. Things that cannot travel as numbers (a
 * WebAssembly module and its memory, a JS kernel's source, a JS kernel's typed-array
 * arguments) are posted on a MessagePort and picked up synchronously with
 * `receiveMessageOnPort` when the worker wakes. Workers are started on first use from
 * source text (`eval: true`), so the bundles need no separate worker file.
 *
 * The protocol, with ctrl = the shared control words:
 *   main:   write the mailbox; SEQ++; OPEN = 1; notify SEQ; take chunks; OPEN = 0;
 *           wait until ACTIVE = 0 (workers still inside a chunk).
 *   worker: wait while SEQ is unchanged; ACTIVE++; if OPEN, take chunks of job SEQ;
 *           ACTIVE−−; notify.
 * A worker that wakes after OPEN went back to 0 does nothing; the sequentially consistent
 * Atomics make "ACTIVE++ then read OPEN" against "OPEN = 0 then read ACTIVE" safe.
 *
 * Where there is no `worker_threads` (a browser), one core, no SharedArrayBuffer, or
 * SPARSEGRAD_THREADS=1, everything runs on this thread. SPARSEGRAD_THREADS=n caps the
 * threads at n (this one included); `setThreads(n)` does the same at run time.
 */
import * as workerThreads from 'node:worker_threads';
import { cpus } from 'node:os';

type RowKernel = (...args: any[]) => void;
type Shareable = Float32Array | Float64Array | Int32Array;

/** control words (Int32 indices); workers numbered LIMIT and above sit a job out */
const SEQ = 0, OPEN = 1, NEXT = 2, ACTIVE = 3, FAILED = 4, LIMIT = 5;
/** from here, one counter per thread (0 = this one) of the chunks it ran: who really worked */
const TAKEN = 8;
const CTRL_WORDS = 24;
/** mailbox layout (Float64 indices): kind, module, fn, nargs, nchunks, total, grain, threadArg, threadStride, args…, bounds… */
const BOX_HEAD = 9;
const BOX_WORDS = 512;
const KIND_WASM = 0, KIND_JS = 1;

/** Below this much work (multiply-adds), handing out a matmul costs more than it saves. */
const MIN_WORK = 1 << 18;
/**
 * Row kernels (gather-dot, scaled segment sums, lazy Adam, spmm) are bound by random reads
 * of embedding rows, so a second thread pays off at far less arithmetic than a matmul needs
 * — as long as the tables already live in shared memory (memory.ts puts them there).
 */
export const ROW_MIN_WORK = 1 << 16;
/** A worker that has not finished its chunk after this long is taken for dead: an error, never a hang. */
const TIMEOUT_MS = 30000;
/** At most this many threads in all, whatever the machine (beyond it the arena's bandwidth is the limit). */
const MAX_THREADS = CTRL_WORDS - TAKEN;

interface WorkerSlot {
  worker: import('node:worker_threads').Worker;
  port: import('node:worker_threads').MessagePort;
}

interface Pool {
  workers: WorkerSlot[];
  ctrl: Int32Array;
  box: Float64Array;
  seq: number;
  /** wasm modules registered with the workers, by id */
  modules: { module: WebAssembly.Module; memory: WebAssembly.Memory; names: string[] }[];
  /** JS kernels' sources the workers have, by name */
  known: Map<string, string>;
}

let pool: Pool | null | undefined;
let wanted = envThreads();

/**
 * Back-off when the other cores are busy. If this thread keeps waiting at the join for a
 * worker that holds a chunk — on a machine whose other cores run someone else's processes
 * the worker is time-sliced with this thread, and every chunk it takes costs a wait — the
 * shared jobs are slower than running alone. `lateness` is a running average of the join
 * wait as a fraction of each shared job's time (a worker on a core of its own keeps it near
 * the last chunk's imbalance, ≲ 0.2); above LATE the kernels run on this thread alone for
 * BACKOFF_MS, then sharing is tried again.
 */
const LATE = 0.35;
const BACKOFF_MS = 1000;
let lateness = 0;
let aloneUntil = 0;
let backoff = true;
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Tests: turn the back-off off (so a loaded machine cannot make a threads test run alone) or on. */
export function setBackoff(on: boolean): void {
  backoff = on;
  aloneUntil = 0;
  lateness = 0;
}
/** set while a job is being handed out: a kernel called from inside one runs alone (no nesting) */
let busy = false;

function envThreads(): number {
  const env = typeof process !== 'undefined' ? process.env?.SPARSEGRAD_THREADS : undefined;
  const n = env ? Number.parseInt(env, 10) : NaN;
  return Number.isFinite(n) && n >= 1 ? n : Infinity;
}

/**
 * Use at most `n` threads for the CPU kernels, this one included (1 = no workers; Infinity =
 * one per core). Workers beyond the count stay parked (so switching back is free). Returns
 * the previous setting.
 */
export function setThreads(n: number): number {
  if (!(n >= 1)) throw new Error(`setThreads: need a count ≥ 1, got ${n}`);
  const before = wanted;
  wanted = n;
  return before;
}

/** The number of threads kernels are currently shared between (1 when there is no pool). */
export function threadCount(): number {
  if (aloneUntil > 0 && now() < aloneUntil) return 1;
  const p = wanted >= 2 ? getPool() : null;
  return p ? Math.min(wanted, 1 + p.workers.length) : 1;
}

function workerSource(): string {
  return `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ctrl, box, port, index } = workerData;
const modules = [];
const kernels = new Map();
const jobs = new Map();
function drain() {
  for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
    const msg = m.message;
    if (msg.wasm !== undefined) {
      const exports = new WebAssembly.Instance(msg.module, { env: { memory: msg.memory } }).exports;
      modules[msg.wasm] = msg.names.map((n) => exports[n]);
    } else if (msg.define) kernels.set(msg.define, (0, eval)('(' + msg.source + ')'));
    else jobs.set(msg.job, msg);
  }
}
function run(seq) {
  const kind = box[0], nargs = box[3], nchunks = box[4], total = box[5], grain = box[6], threadArg = box[7];
  let fn, args;
  if (kind === ${KIND_WASM}) {
    fn = modules[box[1]][box[2]];
    args = Array.from(box.subarray(${BOX_HEAD}, ${BOX_HEAD} + nargs));
    if (threadArg >= 0) args[threadArg] += index * box[8];
  } else {
    if (!jobs.has(seq)) drain();
    const msg = jobs.get(seq);
    fn = kernels.get(msg.kernel);
    args = msg.args;
  }
  const bounds = ${BOX_HEAD} + nargs;
  for (;;) {
    const c = Atomics.add(ctrl, ${NEXT}, 1);
    if (c >= nchunks) return;
    const lo = grain > 0 ? c * grain : box[bounds + c];
    const hi = grain > 0 ? Math.min(total, lo + grain) : box[bounds + c + 1];
    Atomics.add(ctrl, ${TAKEN} + index, 1);
    try { fn(...args, lo, hi); }
    catch (e) { Atomics.store(ctrl, ${FAILED}, 1); return; }
  }
}
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, ${SEQ}, seen);
  seen = Atomics.load(ctrl, ${SEQ});
  drain();
  Atomics.add(ctrl, ${ACTIVE}, 1);
  if (Atomics.load(ctrl, ${OPEN}) === 1 && index < Atomics.load(ctrl, ${LIMIT})) run(Atomics.load(ctrl, ${SEQ}));
  // a job this worker sat out (woke after the main thread closed it) is dropped too: kept,
  // its shared arrays (whole embedding tables) would pile up until the worker runs out of memory
  for (const k of jobs.keys()) if (k <= seen) jobs.delete(k);
  Atomics.sub(ctrl, ${ACTIVE}, 1);
  Atomics.notify(ctrl, ${ACTIVE});
}`;
}

function startWorker(p: Pool, index: number): WorkerSlot {
  const { port1, port2 } = new workerThreads.MessageChannel();
  const worker = new workerThreads.Worker(workerSource(), {
    eval: true, workerData: { ctrl: p.ctrl, box: p.box, port: port2, index }, transferList: [port2],
  });
  worker.unref();
  port1.unref();
  worker.on('error', () => { pool = null; });
  // a new worker learns every module and kernel registered so far
  p.modules.forEach((m, id) => port1.postMessage({ wasm: id, module: m.module, memory: m.memory, names: m.names }));
  for (const [name, source] of p.known) port1.postMessage({ define: name, source });
  return { worker, port: port1 };
}

/** The pool's shared state (no workers yet), or null where threads cannot work at all. */
function poolState(): Pool | null {
  if (pool !== undefined) return pool;
  pool = null;
  try {
    if (typeof workerThreads.Worker !== 'function' || typeof SharedArrayBuffer !== 'function') return pool;
    if ((cpus?.().length ?? 1) < 2) return pool;
    pool = {
      workers: [], seq: 0, modules: [], known: new Map(),
      ctrl: new Int32Array(new SharedArrayBuffer(4 * CTRL_WORDS)),
      box: new Float64Array(new SharedArrayBuffer(8 * BOX_WORDS)),
    };
  } catch {
    pool = null;
  }
  return pool;
}

/** The pool with as many workers as the thread setting wants (started on demand), or null. */
function getPool(): Pool | null {
  const threads = Math.min(wanted, MAX_THREADS, cpus?.().length ?? 1);
  if (threads < 2) return null;
  const p = poolState();
  if (!p) return null;
  try {
    while (p.workers.length < threads - 1) p.workers.push(startWorker(p, p.workers.length + 1));
  } catch {
    // no more threads to be had: use the ones there are
  }
  return p.workers.length > 0 ? p : null;
}

/**
 * Chunks each thread has run since the last reset (index 0 = this thread, then the workers):
 * the evidence of whether the workers really take a share (benchmarks and tests report it).
 */
export function threadStats(reset = false): number[] {
  const p = pool;
  if (!p) return [];
  const counts = Array.from({ length: 1 + p.workers.length }, (_, t) => Atomics.load(p.ctrl, TAKEN + t));
  if (reset) for (let t = 0; t < counts.length; t++) Atomics.store(p.ctrl, TAKEN + t, 0);
  return counts;
}

/** A WebAssembly module whose exports the workers can run, instantiated on a shared memory. */
export interface WasmKernels {
  /** id with the pool, or −1 where there is no pool */
  id: number;
  names: string[];
  /** this thread's instance */
  exports: Record<string, (...args: number[]) => void>;
}

/**
 * Makes `module`'s exports callable by the workers (each instantiates it on `memory`, which
 * must be shared). Returns this thread's exports too.
 */
export function registerWasm(module: WebAssembly.Module, memory: WebAssembly.Memory, exports: Record<string, unknown>): WasmKernels {
  const names = Object.keys(exports).filter((n) => typeof exports[n] === 'function');
  const p = memory.buffer instanceof SharedArrayBuffer ? poolState() : null;
  if (!p) return { id: -1, names, exports: exports as WasmKernels['exports'] };
  const id = p.modules.length;
  p.modules.push({ module, memory, names });
  for (const w of p.workers) w.port.postMessage({ wasm: id, module, memory, names });
  return { id, names, exports: exports as WasmKernels['exports'] };
}

export interface Chunks {
  /** the range [0, total) … */
  total: number;
  /** … in chunks of `grain` (the last one shorter) — or else these boundaries (first 0, last total) */
  grain?: number;
  bounds?: number[];
}

export interface WasmJobOptions {
  /** argument `arg` is a per-thread scratch address: thread t gets arg + t·stride */
  perThread?: { arg: number; stride: number };
}

function chunkCount(ch: Chunks): number {
  if (ch.bounds) return ch.bounds.length - 1;
  return Math.ceil(ch.total / Math.max(1, ch.grain ?? ch.total));
}

/** Hands the job to the workers and joins them after this thread's own chunks. */
function share(p: Pool, nchunks: number, runChunk: (lo: number, hi: number) => void, ch: Chunks): void {
  const { ctrl } = p;
  Atomics.store(ctrl, NEXT, 0);
  Atomics.store(ctrl, FAILED, 0);
  Atomics.store(ctrl, LIMIT, threadCount());
  Atomics.store(ctrl, SEQ, ++p.seq);
  Atomics.store(ctrl, OPEN, 1);
  Atomics.notify(ctrl, SEQ);
  busy = true;
  const start = now();
  let joined = start;
  try {
    for (;;) {
      const c = Atomics.add(ctrl, NEXT, 1);
      if (c >= nchunks) break;
      const lo = ch.bounds ? ch.bounds[c] : c * ch.grain!;
      const hi = ch.bounds ? ch.bounds[c + 1] : Math.min(ch.total, lo + ch.grain!);
      Atomics.add(ctrl, TAKEN, 1);
      runChunk(lo, hi);
    }
  } finally {
    Atomics.store(ctrl, OPEN, 0);
    busy = false;
    joined = now();
    const t0 = Date.now();
    for (let n = Atomics.load(ctrl, ACTIVE); n !== 0; n = Atomics.load(ctrl, ACTIVE)) {
      if (Date.now() - t0 > TIMEOUT_MS) {
        pool = null;
        throw new Error(`cpu threads: a worker did not finish its share in ${TIMEOUT_MS / 1000} s`);
      }
      Atomics.wait(ctrl, ACTIVE, n, 100);
    }
  }
  const end = now();
  lateness = 0.8 * lateness + 0.2 * (end > start ? (end - joined) / (end - start) : 0);
  if (backoff && lateness > LATE) {
    aloneUntil = end + BACKOFF_MS;
    lateness = 0;
  }
  if (Atomics.load(ctrl, FAILED) !== 0) {
    pool = null;
    throw new Error('cpu threads: a kernel failed in a worker thread');
  }
}

/**
 * Runs wasm export `fn(...args, lo, hi)` over the chunks of `ch`, shared with the workers.
 * Returns false (nothing ran) when there is no pool, the module is not registered with it,
 * or there is only one chunk: the caller then runs it alone.
 */
export function parallelWasm(k: WasmKernels, fn: string, args: number[], ch: Chunks, opts: WasmJobOptions = {}): boolean {
  const nchunks = chunkCount(ch);
  if (k.id < 0 || nchunks < 2 || busy || threadCount() < 2) return false;
  const p = getPool();
  if (!p || BOX_HEAD + args.length + (ch.bounds?.length ?? 0) > BOX_WORDS) return false;
  const fnIndex = k.names.indexOf(fn);
  if (fnIndex < 0) throw new Error(`cpu threads: no export '${fn}'`);
  const box = p.box;
  box[0] = KIND_WASM; box[1] = k.id; box[2] = fnIndex; box[3] = args.length; box[4] = nchunks;
  box[5] = ch.total; box[6] = ch.bounds ? 0 : ch.grain!;
  box[7] = opts.perThread ? opts.perThread.arg : -1; box[8] = opts.perThread ? opts.perThread.stride : 0;
  box.set(args, BOX_HEAD);
  if (ch.bounds) box.set(ch.bounds, BOX_HEAD + args.length);
  const here = k.exports[fn];
  share(p, nchunks, (lo, hi) => here(...args, lo, hi), ch);
  return true;
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
  /** least work worth a hand-off (default: 256K multiply-adds) */
  minWork?: number;
  /** the row where the second chunk starts (default: half, rounded to even) */
  split?: number;
}

/**
 * Runs a JavaScript row kernel `kernel(...args, i0, i1)` over rows [0, rows) in two chunks
 * shared with a worker, when the work is big enough. The kernel must be self-contained (the
 * worker compiles its source text). The last argument is the output; when it is not in shared
 * memory, the worker writes a shared copy that is copied back. Returns false when it did not
 * run (no pool, small work): the caller then runs the kernel itself.
 */
export function parallelRows(kernel: RowKernel, args: unknown[], rows: number, work: number, opts: SplitOptions = {}): boolean {
  const { mustBeShared = [], minWork = MIN_WORK } = opts;
  if (work < minWork || rows < 8 || busy || threadCount() < 2) return false;
  // big tables (embeddings, optimizer state) are only worth sharing when they already are:
  // copying a 1M-row table per call would cost more than the whole step
  if (mustBeShared.some((i) => !((args[i] as Shareable).buffer instanceof SharedArrayBuffer))) return false;
  const p = getPool();
  if (!p) return false;
  const outIndex = args.length - 1;
  const out = args[outIndex] as Shareable;
  const sharedArgs = args.map((a) => (ArrayBuffer.isView(a) ? shared(a as Shareable) : a));
  if (!p.known.has(kernel.name)) {
    const source = kernel.toString();
    for (const w of p.workers) w.port.postMessage({ define: kernel.name, source });
    p.known.set(kernel.name, source);
  }
  const mid = opts.split ?? Math.floor(rows / 4) * 2; // even, so 2-row blocks stay whole
  const seq = p.seq + 1;
  for (const w of p.workers) w.port.postMessage({ job: seq, kernel: kernel.name, args: sharedArgs });
  p.box[0] = KIND_JS; p.box[3] = 0; p.box[4] = 2; p.box[5] = rows; p.box[6] = 0;
  p.box[BOX_HEAD] = 0; p.box[BOX_HEAD + 1] = mid; p.box[BOX_HEAD + 2] = rows;
  share(p, 2, (lo, hi) => kernel(...sharedArgs, lo, hi), { total: rows, bounds: [0, mid, rows] });
  if (sharedArgs[outIndex] !== out) out.set(sharedArgs[outIndex] as never);
  return true;
}
