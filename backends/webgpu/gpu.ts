/**
 * The recording side: what the kernels call. It hands out buffers from a pool, remembers
 * which kernels the executor has compiled, packs parameters, appends commands to a list
 * and sends the list to the host (host.ts) at the next read, after 512 commands, or when the
 * current task ends — never one message per kernel.
 *
 * It also counts the GPU work (dispatches, bytes uploaded, bytes read back, submissions),
 * the figures the backend-comparison benchmark reports per training step: on a real GPU
 * they decide the speed, while times measured on SwiftShader (a CPU) do not.
 *
 * Buffers go back to the pool as soon as their tensor is disposed, even if a command not
 * yet run still reads them: the executor runs commands in order (executor.ts), so a later
 * write into the recycled buffer cannot overtake the earlier read.
 */
import type { Command } from './executor.js';
import type { Host } from './host.js';
import { packParams, type ParamFields } from './wgsl.js';

export interface GpuBuffer {
  readonly id: number;
  /** capacity in bytes (a size class, ≥ what was asked) */
  readonly bytes: number;
}

/** A compute kernel: WGSL source with entry point `main`, compiled once per key. */
export interface Kernel {
  readonly key: string;
  readonly code: string;
  readonly fields: ParamFields | null;
}

export interface GpuCounters {
  dispatches: number;
  /** host → GPU writes, and their bytes */
  uploads: number;
  uploadBytes: number;
  /** GPU → host reads, and their bytes */
  readbacks: number;
  readbackBytes: number;
  /** command lists sent to the executor */
  flushes: number;
}

/** Free buffers kept for reuse beyond this are destroyed. */
const POOL_LIMIT_BYTES = 256 * 2 ** 20;
const FLUSH_AT = 512;

/** Size classes: 256 B minimum, then four steps per power of two (at most 25% unused). */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const step = 2 ** (Math.floor(Math.log2(bytes - 1)) - 2);
  return Math.ceil(bytes / step) * step;
}

export class Gpu {
  readonly counters: GpuCounters = { dispatches: 0, uploads: 0, uploadBytes: 0, readbacks: 0, readbackBytes: 0, flushes: 0 };
  private commands: Command[] = [];
  private transfer: ArrayBuffer[] = [];
  private compiled = new Set<string>();
  private kernels = new Map<string, Kernel>();
  private free = new Map<number, GpuBuffer[]>();
  private nextId = 1;
  private flushQueued = false;
  private destroyed = false;
  /** bytes in buffers handed out / kept in the pool */
  allocatedBytes = 0;
  pooledBytes = 0;
  allocatedBuffers = 0;

  /**
   * Whether kernels with a barrier-free variant (one invocation per output: reductions, the
   * softmax family, the multinomial rows, matmul) use it. True on a software adapter
   * (SwiftShader), where a workgroup barrier is a context switch between the workgroup's
   * invocations: measured there, the barrier-free reductions are 20–50× faster. Tests flip it
   * to check both variants.
   */
  barrierFree: boolean;

  constructor(readonly host: Host, readonly maxBufferBytes: number) {
    this.barrierFree = host.report.software;
  }

  // ---- kernels -----------------------------------------------------------------------------

  /** The kernel cached under `key`, built by `make` (WGSL body + parameter fields) on first use. */
  kernel(key: string, make: () => { code: string; fields?: ParamFields }): Kernel {
    let k = this.kernels.get(key);
    if (!k) {
      const { code, fields = null } = make();
      k = { key, code, fields };
      this.kernels.set(key, k);
    }
    return k;
  }

  get numKernels(): number {
    return this.kernels.size;
  }

  // ---- buffers -----------------------------------------------------------------------------

  alloc(bytes: number): GpuBuffer {
    this.check();
    if (bytes > this.maxBufferBytes) {
      throw new Error(`webgpu: a buffer of ${bytes} bytes exceeds this device's storage buffer limit of ${this.maxBufferBytes} bytes`);
    }
    const cap = sizeClass(bytes);
    this.allocatedBytes += cap;
    this.allocatedBuffers++;
    const pooled = this.free.get(cap)?.pop();
    if (pooled) {
      this.pooledBytes -= cap;
      return pooled;
    }
    const buf: GpuBuffer = { id: this.nextId++, bytes: cap };
    this.push({ op: 'create', id: buf.id, bytes: cap });
    return buf;
  }

  release(buf: GpuBuffer): void {
    this.allocatedBytes -= buf.bytes;
    this.allocatedBuffers--;
    if (this.destroyed) return;
    let list = this.free.get(buf.bytes);
    if (!list) this.free.set(buf.bytes, (list = []));
    list.push(buf);
    this.pooledBytes += buf.bytes;
    if (this.pooledBytes > POOL_LIMIT_BYTES) this.trim(POOL_LIMIT_BYTES / 2);
  }

  /** Destroys pooled buffers, largest first, until at most `keepBytes` are pooled. */
  trim(keepBytes = 0): void {
    const classes = [...this.free.keys()].sort((a, b) => b - a);
    for (const cap of classes) {
      const list = this.free.get(cap)!;
      while (list.length > 0 && this.pooledBytes > keepBytes) {
        const b = list.pop()!;
        this.pooledBytes -= cap;
        this.push({ op: 'destroy', id: b.id });
      }
    }
  }

  /** Copies `data` into `buf` at `offset` (a private copy is taken: the caller may reuse `data`). */
  upload(buf: GpuBuffer, data: ArrayBufferView, offset = 0): void {
    if (data.byteLength === 0) return;
    const padded = Math.ceil(data.byteLength / 4) * 4; // writes are in whole 32-bit words
    const copy = new Uint8Array(padded);
    copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.counters.uploads++;
    this.counters.uploadBytes += data.byteLength;
    this.transfer.push(copy.buffer);
    this.push({ op: 'write', id: buf.id, offset, data: copy });
  }

  /** Zeroes `bytes` bytes of `buf` (rounded up to whole words). */
  clear(buf: GpuBuffer, bytes = buf.bytes, offset = 0): void {
    const b = Math.ceil(bytes / 4) * 4;
    if (b > 0) this.push({ op: 'clear', id: buf.id, offset, bytes: b });
  }

  copy(src: GpuBuffer, dst: GpuBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    const b = Math.ceil(bytes / 4) * 4;
    if (b > 0) this.push({ op: 'copy', src: src.id, srcOffset, dst: dst.id, dstOffset, bytes: b });
  }

  /**
   * Runs `kernel` on a grid of [x, y] workgroups with `buffers` bound at 0..n-1 and the
   * kernel's parameters (if it has fields) bound after them.
   */
  dispatch(kernel: Kernel, buffers: readonly GpuBuffer[], params: Record<string, number | readonly number[]> | null, groups: [number, number]): void {
    if (!this.compiled.has(kernel.key)) {
      this.compiled.add(kernel.key);
      this.push({ op: 'kernel', key: kernel.key, code: kernel.code });
    }
    const bytes = kernel.fields ? packParams(kernel.fields, params ?? {}) : null;
    this.counters.dispatches++;
    this.push({ op: 'dispatch', key: kernel.key, buffers: buffers.map((b) => b.id), params: bytes, x: groups[0], y: groups[1] });
  }

  // ---- reads ------------------------------------------------------------------------------------

  readSync(buf: GpuBuffer, bytes: number): Uint8Array {
    this.flush();
    this.counters.readbacks++;
    this.counters.readbackBytes += bytes;
    return this.host.readSync(buf.id, 0, Math.ceil(bytes / 4) * 4).subarray(0, bytes);
  }

  async read(buf: GpuBuffer, bytes: number): Promise<Uint8Array> {
    this.flush();
    this.counters.readbacks++;
    this.counters.readbackBytes += bytes;
    return (await this.host.read(buf.id, 0, Math.ceil(bytes / 4) * 4)).subarray(0, bytes);
  }

  /** Resolves once the GPU has run everything recorded so far (not counted as a read-back). */
  async finish(): Promise<void> {
    const probe = this.alloc(4);
    this.flush();
    await this.host.read(probe.id, 0, 4);
    this.release(probe);
  }

  // ---- sending ------------------------------------------------------------------------------------

  private push(c: Command): void {
    this.commands.push(c);
    if (this.commands.length >= FLUSH_AT) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => {
        // errors surface at the next call that checks (every alloc, read and flush)
        if (this.flushQueued && !this.destroyed && !this.host.error()) this.flush();
      });
    }
  }

  /** Sends what is recorded to the executor. */
  flush(): void {
    this.flushQueued = false;
    this.check();
    if (this.commands.length === 0) return;
    const commands = this.commands;
    const transfer = this.transfer;
    this.commands = [];
    this.transfer = [];
    this.counters.flushes++;
    this.host.run(commands, transfer);
  }

  /** Throws the host's first error (a kernel that failed to compile, a lost device). */
  check(): void {
    if (this.destroyed) throw new Error('webgpu: this backend was destroyed');
    const err = this.host.error();
    if (err) throw new Error(err.startsWith('webgpu') ? err : `webgpu: ${err}`);
  }

  destroy(): void {
    if (this.destroyed) return;
    try {
      this.flush();
    } catch {
      // a lost device: nothing to send
    }
    this.destroyed = true;
    this.commands = [];
    this.free.clear();
    this.host.destroy();
  }
}
