/**
 * The executor: the only code that calls WebGPU. It receives a list of commands (create a
 * buffer, write bytes, clear, copy, compile a kernel, dispatch it) and turns them into
 * command encoders, compute passes and queue submissions, in program order.
 *
 * Why a command list instead of calling WebGPU directly from the kernels: WebGPU can only
 * read a buffer back asynchronously (`mapAsync`), but this framework (like TF.js) has
 * synchronous reads — `loss.item()`, `dataSync()`, the ids an op checks on the host. So in
 * Node the executor runs in a worker thread (host.ts) and the main thread, having sent the
 * commands, can block in `Atomics.wait` until the worker has mapped the bytes. The same
 * executor also runs in the caller's own thread (no worker: asynchronous reads only).
 *
 * Both functions here are self-contained — no imports, no outside names — because the
 * worker is started from their source text (`fn.toString()`), in Node and in browsers.
 *
 * Ordering. Dispatches, clears and copies go into one command encoder, so the GPU runs them
 * in the order given. `queue.writeBuffer` is different: it runs *before* anything encoded
 * but not yet submitted. A write to a buffer that nothing pending has touched is therefore
 * safe to issue at once (the common case: a fresh upload); a write to a buffer some pending
 * command uses first submits what is pending. Kernel parameters (a few bytes each) are packed
 * into one uniform buffer per submission, written just before that submission.
 */
import type { GPUBufferLike, GPUCommandEncoderLike, GPUComputePassLike, GPUComputePipelineLike, GPUDeviceLike } from './gpu-types.js';

/** One step of GPU work. Buffers are named by numbers the recording side hands out. */
export type Command =
  | { op: 'create'; id: number; bytes: number }
  | { op: 'destroy'; id: number }
  | { op: 'write'; id: number; offset: number; data: Uint8Array }
  | { op: 'clear'; id: number; offset: number; bytes: number }
  | { op: 'copy'; src: number; srcOffset: number; dst: number; dstOffset: number; bytes: number }
  /** compile `code` (WGSL, entry point `main`) once, under `key` */
  | { op: 'kernel'; key: string; code: string }
  /** run kernel `key` with `buffers` bound at 0..n-1 and `params` (a uniform struct) at n */
  | { op: 'dispatch'; key: string; buffers: number[]; params: Uint8Array | null; x: number; y: number };

export interface Executor {
  run(commands: Command[]): void;
  /** bytes [offset, offset + bytes) of buffer `id`, after every command run so far */
  /** Rejects with the first error since the last read (a kernel that did not compile, a bad dispatch). */
  read(id: number, offset: number, bytes: number): Promise<Uint8Array>;
  /** an error that ends this device (it was lost), or null */
  fatal(): string | null;
  destroy(): void;
}

/**
 * Errors: a lost device is fatal — every later call fails, and `onFatal` is told at once. Any
 * other error (a kernel that does not compile, an invalid dispatch) is reported by the next
 * read, once; the device goes on working.
 */
export function createExecutor(device: GPUDeviceLike, onFatal?: (message: string) => void): Executor {
  // GPUBufferUsage / GPUMapMode values from the spec (the globals may not exist here)
  const MAP_READ = 1, COPY_SRC = 4, COPY_DST = 8, UNIFORM = 64, STORAGE = 128, MODE_READ = 1;
  const UNIFORM_ALIGN = Math.max(256, device.limits.minUniformBufferOffsetAlignment ?? 256);
  const buffers = new Map<number, GPUBufferLike>();
  const pipelines = new Map<string, { pipeline: GPUComputePipelineLike; layout: unknown }>();
  const staging = new Map<number, GPUBufferLike[]>(); // MAP_READ buffers by size, for reads
  let uniform: GPUBufferLike | null = null;
  let lost: string | null = null;
  let pending: string | null = null;
  // An error that is only a consequence ("… is invalid due to a previous error") gives way to
  // its cause when that arrives later (a compile error is reported asynchronously).
  let pendingIsConsequence = false;
  const fail = (message: string, consequence = false) => {
    if (pending !== null && !(pendingIsConsequence && !consequence)) return;
    pending = message;
    pendingIsConsequence = consequence;
  };
  let destroyed = false;
  device.lost.then((info) => {
    if (destroyed) return;
    lost = `the GPU device was lost (${info.reason || 'unknown reason'}): ${info.message}. Tensors on it are gone; ` +
      "make the backend again (await sg.setBackend('webgpu', {})) and recreate them";
    onFatal?.(lost);
  });
  device.addEventListener?.('uncapturederror', (e) => fail(`WebGPU error: ${e.error.message}`, /due to a previous error/.test(e.error.message)));

  const align = (n: number, a: number) => Math.ceil(n / a) * a;

  function compile(key: string, code: string): void {
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    pipelines.set(key, { pipeline, layout: pipeline.getBindGroupLayout(0) });
    device.popErrorScope().then((err) => {
      if (!err) return;
      const numbered = code.split('\n').map((l, i) => `${String(i + 1).padStart(3)}  ${l}`).join('\n');
      fail(`kernel '${key}' did not compile: ${err.message}\n${numbered}`);
    });
  }

  function run(commands: Command[]): void {
    if (lost !== null) return;
    // one uniform buffer holds the parameters of every dispatch in this list
    let uniformBytes = 0;
    for (const c of commands) if (c.op === 'dispatch' && c.params) uniformBytes += align(c.params.byteLength, UNIFORM_ALIGN);
    if (uniformBytes > 0 && (!uniform || uniform.size < uniformBytes)) {
      uniform?.destroy(); // submitted work that used it still completes
      uniform = device.createBuffer({ size: align(Math.max(uniformBytes, 1 << 16), 1 << 16), usage: UNIFORM | COPY_DST });
    }
    const params = new Uint8Array(uniformBytes);
    let paramsEnd = 0;     // bytes of `params` filled
    let paramsWritten = 0; // bytes of `params` already written to the uniform buffer

    let encoder: GPUCommandEncoderLike | null = null; // made at the first command that needs one
    let pass: GPUComputePassLike | null = null;
    const touched = new Set<number>();   // buffers used by commands in `encoder`
    const destroyAfter: GPUBufferLike[] = [];
    const endPass = () => { if (pass) { pass.end(); pass = null; } };
    const submit = () => {
      endPass();
      if (paramsEnd > paramsWritten) {
        device.queue.writeBuffer(uniform!, paramsWritten, params, paramsWritten, paramsEnd - paramsWritten);
        paramsWritten = paramsEnd;
      }
      if (encoder) device.queue.submit([encoder.finish()]);
      for (const b of destroyAfter) b.destroy();
      destroyAfter.length = 0;
      encoder = null;
      touched.clear();
    };
    const enc = () => (encoder ??= device.createCommandEncoder());
    const buffer = (id: number) => {
      const b = buffers.get(id);
      if (!b) throw new Error(`webgpu executor: buffer #${id} does not exist`);
      return b;
    };

    for (const c of commands) {
      switch (c.op) {
        case 'create':
          buffers.set(c.id, device.createBuffer({ size: c.bytes, usage: STORAGE | COPY_SRC | COPY_DST }));
          break;
        case 'destroy': {
          const b = buffer(c.id);
          buffers.delete(c.id);
          if (touched.has(c.id)) destroyAfter.push(b); else b.destroy();
          break;
        }
        case 'write':
          if (touched.has(c.id)) submit();
          device.queue.writeBuffer(buffer(c.id), c.offset, c.data, 0, c.data.byteLength);
          break;
        case 'clear':
          endPass();
          enc().clearBuffer(buffer(c.id), c.offset, c.bytes);
          touched.add(c.id);
          break;
        case 'copy':
          endPass();
          enc().copyBufferToBuffer(buffer(c.src), c.srcOffset, buffer(c.dst), c.dstOffset, c.bytes);
          touched.add(c.src);
          touched.add(c.dst);
          break;
        case 'kernel':
          compile(c.key, c.code);
          break;
        case 'dispatch': {
          const k = pipelines.get(c.key);
          if (!k) throw new Error(`webgpu executor: kernel '${c.key}' was never compiled`);
          const entries: { binding: number; resource: { buffer: GPUBufferLike; offset?: number; size?: number } }[] =
            c.buffers.map((id, binding) => ({ binding, resource: { buffer: buffer(id) } }));
          if (c.params) {
            params.set(c.params, paramsEnd);
            entries.push({ binding: c.buffers.length, resource: { buffer: uniform!, offset: paramsEnd, size: c.params.byteLength } });
            paramsEnd += align(c.params.byteLength, UNIFORM_ALIGN);
          }
          const group = device.createBindGroup({ layout: k.layout, entries });
          if (!pass) pass = enc().beginComputePass();
          pass.setPipeline(k.pipeline);
          pass.setBindGroup(0, group);
          pass.dispatchWorkgroups(c.x, c.y, 1);
          for (const id of c.buffers) touched.add(id);
          break;
        }
      }
    }
    submit();
  }

  async function read(id: number, offset: number, bytes: number): Promise<Uint8Array> {
    if (lost !== null) throw new Error(lost);
    if (pending !== null) {
      const message = pending;
      pending = null;
      throw new Error(message);
    }
    if (bytes === 0) return new Uint8Array(0);
    const size = Math.max(256, 2 ** Math.ceil(Math.log2(bytes)));
    const free = staging.get(size) ?? [];
    staging.set(size, free);
    const target = free.pop() ?? device.createBuffer({ size, usage: MAP_READ | COPY_DST });
    const encoder = device.createCommandEncoder();
    const src = buffers.get(id);
    if (!src) throw new Error(`webgpu executor: buffer #${id} does not exist`);
    encoder.copyBufferToBuffer(src, offset, target, 0, bytes);
    device.queue.submit([encoder.finish()]);
    try {
      await target.mapAsync(MODE_READ, 0, bytes);
    } catch (e) {
      throw new Error(lost ?? pending ?? `webgpu: reading back ${bytes} bytes failed: ${(e as Error).message}`);
    }
    const out = new Uint8Array(target.getMappedRange(0, bytes).slice(0));
    target.unmap();
    if (pending !== null) {
      // an error raised by the work this read waited for (the usual case for a bad kernel)
      if (free.length < 4) free.push(target); else target.destroy();
      const message = pending;
      pending = null;
      throw new Error(message);
    }
    if (free.length < 4) free.push(target); else target.destroy();
    return out;
  }

  return {
    run(commands) {
      try {
        run(commands);
      } catch (e) {
        fail(`webgpu executor: ${(e as Error).message}`);
      }
    },
    read,
    fatal: () => lost,
    destroy() {
      destroyed = true;
      for (const b of buffers.values()) b.destroy();
      buffers.clear();
      device.destroy();
    },
  };
}
