/**
 * Where the executor runs, and how a read comes back.
 *
 * - `WorkerHost`: the executor (and the WebGPU device) live in a worker — a Node
 *   `worker_threads` worker, or a browser `Worker`. Command lists are posted to it. A
 *   synchronous read posts a request carrying a SharedArrayBuffer and blocks until the
 *   worker has copied the bytes into it: with `Atomics.wait` where the thread may block
 *   (Node, a browser worker), by spinning on `Atomics.load` on a page's main thread (which
 *   may not wait — a blocking read freezes the page exactly as WebGL's readPixels does).
 * - `InlineHost`: the executor runs in this thread; reads are asynchronous only (WebGPU
 *   maps buffers with a Promise and nothing can wait for it synchronously here).
 *
 * The worker is started from source text (executor.ts and device.ts are self-contained),
 * so neither the npm package nor the browser bundle ships a separate worker file.
 */
import { createExecutor, type Command, type Executor } from './executor.js';
import { openDevice, type AdapterReport } from './device.js';
import type { GPULike } from './gpu-types.js';

export interface Host {
  readonly kind: 'worker' | 'inline';
  readonly report: AdapterReport;
  /** whether readSync works here */
  readonly canReadSync: boolean;
  run(commands: Command[], transfer: ArrayBuffer[]): void;
  readSync(id: number, offset: number, bytes: number): Uint8Array;
  read(id: number, offset: number, bytes: number): Promise<Uint8Array>;
  /** an error that ends the device (lost device, dead worker), or null; other errors come with the next read */
  error(): string | null;
  destroy(): void;
}

/** If the worker does not answer a synchronous read in this time, the read fails. */
const READ_TIMEOUT_MS = 120_000;

// ---- in this thread ------------------------------------------------------------------

export class InlineHost implements Host {
  readonly kind = 'inline';
  readonly canReadSync = false;
  /** `gpu` is held on purpose: Dawn's Node binding tears its instance down when the GPU object is collected. */
  private constructor(private executor: Executor, readonly report: AdapterReport, private readonly gpu: GPULike) {}

  static async open(gpu: GPULike): Promise<InlineHost> {
    const { device, report } = await openDevice(gpu);
    return new InlineHost(createExecutor(device), report, gpu);
  }

  run(commands: Command[]): void {
    this.executor.run(commands);
  }

  readSync(): Uint8Array {
    throw new Error('webgpu: this backend runs WebGPU in this thread (no worker), where a GPU buffer can only be read ' +
      'asynchronously: use `await tensor.data()` instead of dataSync()/item(). A page served cross-origin isolated ' +
      '(COOP/COEP headers, so SharedArrayBuffer exists) gets a GPU worker and synchronous reads.');
  }

  read(id: number, offset: number, bytes: number): Promise<Uint8Array> {
    return this.executor.read(id, offset, bytes);
  }

  error(): string | null {
    return this.executor.fatal();
  }

  destroy(): void {
    this.executor.destroy();
  }
}

// ---- in a worker -----------------------------------------------------------------------

/** The two ends a worker host needs, whatever the platform. */
export interface WorkerPort {
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: any) => void): void;
  /** called when the worker dies (error or exit) */
  onExit(listener: (why: string) => void): void;
  terminate(): void;
  /** Node: keep the process alive while the device opens or an asynchronous read is outstanding (the worker is unref'd otherwise) */
  keepAlive?(on: boolean): void;
}

type WorkerReply =
  | { type: 'init'; report?: AdapterReport; error?: string }
  | { type: 'read'; seq: number; bytes: Uint8Array | null; error: string | null }
  | { type: 'error'; error: string }
  | { type: 'ran' };

/** Whether this thread may block in Atomics.wait (Node: yes; a page's main thread: no). */
function threadCanWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class WorkerHost implements Host {
  readonly kind = 'worker';
  readonly canReadSync = true;
  private shared = new SharedArrayBuffer(1 << 16);
  private seq = 0;
  private pendingReads = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: Error) => void }>();
  private failure: string | null = null;
  private readonly canWait = threadCanWait();

  private constructor(private port: WorkerPort, readonly report: AdapterReport) {
    port.onMessage((m: WorkerReply) => {
      if (m.type === 'read') {
        const p = this.pendingReads.get(m.seq);
        this.pendingReads.delete(m.seq);
        this.updateKeepAlive();
        if (m.error !== null || !m.bytes) p?.reject(new Error(m.error ?? 'webgpu: read failed'));
        else p?.resolve(m.bytes);
      } else if (m.type === 'error') {
        this.failure ??= m.error;
      } else if (m.type === 'ran') {
        this.runsInFlight--;
        this.updateKeepAlive();
      }
    });
    port.onExit((why) => {
      this.failure ??= `the GPU worker stopped (${why})`;
      for (const p of this.pendingReads.values()) p.reject(new Error(`webgpu: ${this.failure}`));
      this.pendingReads.clear();
    });
  }

  /** Waits for the worker to open its device; rejects with the worker's reason when it cannot. */
  static open(port: WorkerPort): Promise<WorkerHost> {
    return new Promise((resolve, reject) => {
      let settled = false;
      port.onMessage((m: WorkerReply) => {
        if (m.type !== 'init' || settled) return;
        settled = true;
        port.keepAlive?.(false);
        if (m.error || !m.report) {
          port.terminate();
          reject(new Error(m.error ?? 'the GPU worker sent no adapter report'));
        } else {
          resolve(new WorkerHost(port, m.report));
        }
      });
      port.onExit((why) => {
        if (!settled) {
          settled = true;
          port.keepAlive?.(false);
          reject(new Error(`the GPU worker stopped before opening a device (${why})`));
        }
      });
    });
  }

  error(): string | null {
    return this.failure;
  }

  /**
   * Node: the worker is unref'd, but the process must not exit while it is inside Dawn
   * (a worker terminated mid-call aborts the process), so it is kept alive while runs or
   * reads are outstanding; the worker answers each run with 'ran'.
   */
  private runsInFlight = 0;
  private updateKeepAlive(): void {
    this.port.keepAlive?.(this.runsInFlight > 0 || this.pendingReads.size > 0);
  }

  run(commands: Command[], transfer: ArrayBuffer[]): void {
    this.runsInFlight++;
    this.updateKeepAlive();
    this.port.post({ type: 'run', commands }, transfer);
  }

  readSync(id: number, offset: number, bytes: number): Uint8Array {
    if (this.failure) throw new Error(`webgpu: ${this.failure}`);
    if (this.shared.byteLength < 8 + bytes) this.shared = new SharedArrayBuffer(2 ** Math.ceil(Math.log2(8 + bytes)));
    const flag = new Int32Array(this.shared, 0, 2);
    Atomics.store(flag, 0, 0);
    this.port.post({ type: 'read', id, offset, bytes, shared: this.shared });
    const start = Date.now();
    if (this.canWait) {
      while (Atomics.load(flag, 0) === 0 && Date.now() - start < READ_TIMEOUT_MS) Atomics.wait(flag, 0, 0, 1000);
    } else {
      while (Atomics.load(flag, 0) === 0 && Date.now() - start < READ_TIMEOUT_MS) { /* spin: a page's main thread may not wait */ }
    }
    const status = Atomics.load(flag, 0);
    if (status === 0) {
      this.failure ??= `a read of ${bytes} bytes got no answer from the GPU worker in ${READ_TIMEOUT_MS / 1000} s`;
      throw new Error(`webgpu: ${this.failure}`);
    }
    if (status === 2) {
      const message = new TextDecoder().decode(new Uint8Array(this.shared, 8, flag[1]).slice());
      throw new Error(message.startsWith('webgpu') ? message : `webgpu: ${message}`);
    }
    return new Uint8Array(this.shared, 8, bytes).slice();
  }

  read(id: number, offset: number, bytes: number): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(new Error(`webgpu: ${this.failure}`));
    const seq = this.seq++;
    return new Promise((resolve, reject) => {
      this.pendingReads.set(seq, { resolve, reject });
      this.updateKeepAlive();
      this.port.post({ type: 'read', seq, id, offset, bytes });
    });
  }

  destroy(): void {
    this.port.post({ type: 'destroy' });
    this.port.terminate();
  }
}

// ---- the worker's side ---------------------------------------------------------------------

/** What the platform prelude gives the worker main. */
interface WorkerIO {
  post(message: unknown, transfer?: ArrayBuffer[]): void;
  onMessage(listener: (message: any) => void): void;
  loadGpu(): Promise<GPULike | null | undefined>;
}

/** The worker's main function. Self-contained: it runs from its source text. */
export function gpuWorkerMain(io: WorkerIO, makeExecutor: typeof createExecutor, open: typeof openDevice): void {
  let executor: Executor | null = null;
  // held for the worker's life: Dawn's Node binding tears its instance down when the GPU object is collected
  let gpu: GPULike | null | undefined = null;
  const text = new TextEncoder();
  const deliver = (m: { seq: number; shared?: SharedArrayBuffer }, bytes: Uint8Array | null, error: string | null) => {
    if (!m.shared) {
      io.post({ type: 'read', seq: m.seq, bytes, error }, bytes ? [bytes.buffer as ArrayBuffer] : []);
      return;
    }
    const flag = new Int32Array(m.shared, 0, 2);
    if (error !== null || !bytes) {
      const msg = text.encode(error ?? 'read failed').slice(0, m.shared.byteLength - 8);
      new Uint8Array(m.shared, 8).set(msg);
      flag[1] = msg.length;
      Atomics.store(flag, 0, 2);
    } else {
      new Uint8Array(m.shared, 8, bytes.length).set(bytes);
      Atomics.store(flag, 0, 1);
    }
    Atomics.notify(flag, 0);
  };
  io.onMessage(async (m) => {
    if (m.type === 'run') {
      executor?.run(m.commands);
      io.post({ type: 'ran' });
    } else if (m.type === 'read') {
      try {
        if (!executor) throw new Error('no device');
        deliver(m, await executor.read(m.id, m.offset, m.bytes), null);
      } catch (e) {
        deliver(m, null, (e as Error).message);
      }
    } else if (m.type === 'destroy') {
      executor?.destroy();
      executor = null;
      gpu = null;
    }
  });
  (async () => {
    try {
      gpu = await io.loadGpu();
      if (!gpu) throw new Error('no-gpu: this worker has no navigator.gpu');
      const { device, report } = await open(gpu);
      executor = makeExecutor(device, (error) => io.post({ type: 'error', error }));
      io.post({ type: 'init', report });
    } catch (e) {
      io.post({ type: 'init', error: (e as Error).message });
    }
  })();
}

/**
 * The worker's source: the three self-contained functions and a platform prelude.
 * `__name` is the helper esbuild's keepNames inserts into function bodies; here it is a no-op.
 */
export function workerSource(platform: 'node' | 'browser'): string {
  const fns = `const __name = (f) => f;
const createExecutor = (${createExecutor.toString()});
const openDevice = (${openDevice.toString()});
const gpuWorkerMain = (${gpuWorkerMain.toString()});
`;
  if (platform === 'node') {
    return `${fns}
const { parentPort, workerData } = require('node:worker_threads');
gpuWorkerMain({
  post: (m, t) => parentPort.postMessage(m, t),
  onMessage: (f) => parentPort.on('message', f),
  loadGpu: async () => {
    const { create } = await import(require('node:url').pathToFileURL(workerData.modulePath).href);
    return create(workerData.flags);
  },
}, createExecutor, openDevice);`;
  }
  return `${fns}
gpuWorkerMain({
  post: (m, t) => self.postMessage(m, t || []),
  onMessage: (f) => { self.onmessage = (e) => f(e.data); },
  loadGpu: async () => self.navigator.gpu,
}, createExecutor, openDevice);`;
}
