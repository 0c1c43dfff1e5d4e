/**
 * The WebGPU backend: every primitive of core/kernels.ts and the accelerations that matter
 * for recommenders (fused unary functions, the softmax family, MF's gather-dot and its
 * backward, scatter-add, the dense layer, the mean squared error, the multinomial likelihood
 * and every optimizer update, dense and lazy) as WGSL compute shaders over storage buffers. In Node it runs on Dawn (the optional `webgpu` package), in a browser on
 * `navigator.gpu` — the same code.
 *
 * Files, in reading order:
 *   platform.ts    finding a GPU (Node: Dawn + Vulkan/SwiftShader; browser: navigator.gpu), errors that say how
 *   device.ts      adapter → device, the limits we raise, the adapter report
 *   host.ts        where WebGPU runs (a worker, for synchronous reads; or this thread) and how bytes come back
 *   executor.ts    the only code that calls WebGPU: command lists → encoders, passes, submissions
 *   gpu.ts         the recording side: buffer pool, kernel cache, parameters, counters, flushing
 *   wgsl.ts        dtypes in buffers, typed loads, parameter structs, grids
 *   tensor.ts      kernel view of a tensor; float16 results packed by one more pass
 *   elementwise.ts, reduce.ts, matmul.ts, spmm.ts, layout.ts, rows.ts, softmax.ts, optim.ts
 *   losses.ts (the fused MSE), multinomial.ts (the fused multinomial likelihood)
 *
 * A DataId here is a `GpuData`: the buffer, and for int32 tensors written from the host, a
 * host copy — int32 tensors are labels the host reads back (a loss's classes), which then
 * need not wait for the GPU. Ids given to kernels arrive as host Int32Arrays and are
 * uploaded with the kernel's other integer data in one buffer. Nothing is read back unless
 * data is asked for.
 */
import type {
  Activation, AdaGradOptions, AdamOptions, Backend, BinaryOp, CSRInfo, DataId, FusedUnaryOp, MemoryInfo, ReduceOp,
  SGDOptions, TensorInfo, UnaryOp,
} from '../../core/kernels.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { sizeOf } from '../../core/shape.js';
import { openHost, type PlatformReport, type WebGPUBackendOptions } from './platform.js';
import type { AdapterReport } from './device.js';
import { Gpu, type GpuBuffer, type GpuCounters } from './gpu.js';
import { bufferBytes, storageDType } from './wgsl.js';
import type { GTensor } from './tensor.js';
import * as ew from './elementwise.js';
import * as lay from './layout.js';
import { reduce } from './reduce.js';
import { matmul, type MatmulVariant } from './matmul.js';

/** 'tiled' (workgroup memory, for GPUs) or 'direct' (no barriers: software adapters; gpu.ts `barrierFree`). */
const matmulVariant = (gpu: Gpu): MatmulVariant => (gpu.barrierFree ? 'direct' : 'tiled');
import { CsrUploads, spmm } from './spmm.js';
import * as rows from './rows.js';
import { softmaxFamily } from './softmax.js';
import { multinomialNLL, multinomialNLLGrad } from './multinomial.js';
import { mse, mseGrad } from './losses.js';
import { denseUpdate, sparseUpdate } from './optim.js';

export type { WebGPUBackendOptions } from './platform.js';
export type { GpuCounters } from './gpu.js';

interface GpuData {
  buf: GpuBuffer;
  size: number;
  dtype: DType;
  /** int32 only: the values on the host (as written, or once read back) */
  host: Int32Array | null;
  disposed: boolean;
}

function data(id: DataId): GpuData {
  return id as GpuData;
}

export interface WebGPUInfo extends AdapterReport, PlatformReport {
  /** 'worker': WebGPU in a worker thread, synchronous reads work; 'inline': asynchronous reads only */
  host: 'worker' | 'inline';
}

let backendCount = 0;
/** live backends, oldest first */
const live: WebGPUBackend[] = [];

export class WebGPUBackend implements Backend {
  readonly name = 'webgpu';
  private uploads: CsrUploads;
  private numBuffers = 0;
  private numBytes = 0;

  constructor(private platform: PlatformReport, private adapter: AdapterReport, readonly gpu: Gpu) {
    this.uploads = new CsrUploads(gpu, `webgpu#${backendCount++}`);
    live.push(this);
  }

  // ---- storage ----------------------------------------------------------------------
  private wrap(buf: GpuBuffer, size: number, dtype: DType, host: Int32Array | null = null): DataId {
    this.numBuffers++;
    this.numBytes += buf.bytes;
    const d: GpuData = { buf, size, dtype, host, disposed: false };
    return d;
  }

  /** The kernel view of a tensor. */
  private t(x: TensorInfo): GTensor {
    const d = data(x.dataId);
    if (d.disposed) throw new Error(`webgpu: a ${x.dtype} tensor of shape [${x.shape.join(', ')}] was used after dispose`);
    return { buf: d.buf, shape: x.shape, dtype: x.dtype, size: d.size };
  }

  private hostOf(x: TensorInfo): Int32Array | null {
    return x.dtype === 'int32' ? data(x.dataId).host : null;
  }

  write(values: TypedArray, dtype: DType): DataId {
    storageDType(dtype); // float64 → a clear error
    const buf = this.gpu.alloc(bufferBytes(values.length, dtype));
    const stored = dtype === 'float32' && !(values instanceof Float32Array) ? Float32Array.from(values as ArrayLike<number>)
      : dtype === 'int32' && !(values instanceof Int32Array) ? Int32Array.from(values as ArrayLike<number>) : values;
    this.gpu.upload(buf, stored);
    return this.wrap(buf, values.length, dtype, dtype === 'int32' ? Int32Array.from(stored as Int32Array) : null);
  }

  zeros(size: number, dtype: DType): DataId {
    const bytes = bufferBytes(size, dtype);
    const buf = this.gpu.alloc(bytes);
    this.gpu.clear(buf, bytes);
    return this.wrap(buf, size, dtype, dtype === 'int32' ? new Int32Array(size) : null);
  }

  private decode(d: GpuData, bytes: Uint8Array): TypedArray {
    const copy = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer;
    if (d.dtype === 'float16') return new Uint16Array(copy, 0, d.size);
    if (d.dtype === 'int32') {
      d.host = new Int32Array(copy, 0, d.size);
      return d.host;
    }
    return new Float32Array(copy, 0, d.size);
  }

  readSync(id: DataId): TypedArray {
    const d = data(id);
    if (d.disposed) throw new Error('webgpu readSync: the tensor was disposed');
    if (d.host) return d.host;
    return this.decode(d, this.gpu.readSync(d.buf, d.dtype === 'float16' ? d.size * 2 : d.size * 4));
  }

  async read(id: DataId): Promise<TypedArray> {
    const d = data(id);
    if (d.disposed) throw new Error('webgpu read: the tensor was disposed');
    if (d.host) return d.host;
    return this.decode(d, await this.gpu.read(d.buf, d.dtype === 'float16' ? d.size * 2 : d.size * 4));
  }

  /** Whether `readSync` works here (false where WebGPU runs in the page's own thread). */
  get canReadSync(): boolean {
    return this.gpu.host.canReadSync;
  }

  overwrite(id: DataId, values: TypedArray): void {
    const d = data(id);
    if (values.length !== d.size) throw new Error(`webgpu overwrite: ${values.length} values into a buffer of ${d.size}`);
    this.gpu.upload(d.buf, values);
    if (d.dtype === 'int32') d.host = Int32Array.from(values as ArrayLike<number>);
  }

  dispose(id: DataId): void {
    const d = data(id);
    if (d.disposed) return;
    d.disposed = true;
    this.numBuffers--;
    this.numBytes -= d.buf.bytes;
    this.gpu.release(d.buf);
    d.host = null;
  }

  memory(): MemoryInfo {
    return { numBuffers: this.numBuffers, numBytes: this.numBytes, reservedBytes: this.gpu.allocatedBytes + this.gpu.pooledBytes };
  }

  // ---- elementwise ---------------------------------------------------------------------
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): DataId {
    return this.wrap(ew.unary(this.gpu, op, this.t(x), outDtype), sizeOf(x.shape), outDtype);
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataId {
    return this.wrap(ew.binary(this.gpu, op, this.t(a), this.t(b), outShape, outDtype), sizeOf(outShape), outDtype);
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outDtype: DType): DataId {
    return this.wrap(ew.where(this.gpu, this.t(cond), this.t(a), this.t(b), outDtype), sizeOf(cond.shape), outDtype);
  }

  cast(x: TensorInfo, dtype: DType): DataId {
    storageDType(dtype);
    if (x.dtype === dtype) return this.copy(x);
    return this.wrap(ew.cast(this.gpu, this.t(x), dtype), sizeOf(x.shape), dtype);
  }

  /** The same bits in a new buffer (one GPU copy; int32 host copies travel along). */
  copy(x: TensorInfo): DataId {
    const size = sizeOf(x.shape);
    const bytes = bufferBytes(size, x.dtype);
    const buf = this.gpu.alloc(bytes);
    this.gpu.copy(this.t(x).buf, buf, bytes);
    const host = this.hostOf(x);
    return this.wrap(buf, size, x.dtype, host ? host.slice() : null);
  }

  fusedUnary(op: FusedUnaryOp, x: TensorInfo, outDtype: DType): DataId {
    return this.wrap(ew.unary(this.gpu, op, this.t(x), outDtype), sizeOf(x.shape), outDtype);
  }

  // ---- reductions ------------------------------------------------------------------------
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataId {
    const outSize = sizeOf(x.shape.filter((_, i) => !axes.includes(i)));
    return this.wrap(reduce(this.gpu, op, this.t(x), axes), outSize, x.dtype);
  }

  // ---- linear algebra ---------------------------------------------------------------------
  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): DataId {
    const M = transposeA ? a.shape[1] : a.shape[0];
    const N = transposeB ? b.shape[0] : b.shape[1];
    const outDtype: DType = a.dtype === b.dtype ? a.dtype : 'float32';
    return this.wrap(matmul(this.gpu, this.t(a), this.t(b), transposeA, transposeB, outDtype, matmulVariant(this.gpu)), M * N, outDtype);
  }

  dense(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, activation: Activation): DataId {
    const [M] = x.shape;
    const N = w.shape[1];
    return this.wrap(matmul(this.gpu, this.t(x), this.t(w), false, false, x.dtype, matmulVariant(this.gpu), bias ? this.t(bias) : null, activation), M * N, x.dtype);
  }

  denseGrad(y: TensorInfo, dy: TensorInfo, activation: Activation, biasGrad: boolean): { dz: DataId; dBias: DataId | null } {
    const N = y.shape[y.shape.length - 1] ?? 1;
    const { dz, dBias } = ew.denseGrad(this.gpu, this.t(y), this.t(dy), activation === 'relu', biasGrad);
    return { dz: this.wrap(dz, sizeOf(dy.shape), dy.dtype), dBias: dBias ? this.wrap(dBias, N, dy.dtype) : null };
  }

  spmm(a: CSRInfo, b: TensorInfo): DataId {
    return this.wrap(spmm(this.gpu, this.uploads, a, this.t(b), b.dtype), a.shape[0] * b.shape[1], b.dtype);
  }

  // ---- layout (an int32 result has no host copy: it is read back when the host asks) --------
  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    return this.wrap(lay.transpose(this.gpu, this.t(x), perm), sizeOf(x.shape), x.dtype);
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): DataId {
    return this.wrap(lay.slice(this.gpu, this.t(x), begin, size), sizeOf(size), x.dtype);
  }

  concat(xs: readonly TensorInfo[], axis: number): DataId {
    const total = xs.reduce((s, x) => s + sizeOf(x.shape), 0);
    return this.wrap(lay.concat(this.gpu, xs.map((x) => this.t(x)), axis), total, xs[0].dtype);
  }

  // ---- rows ---------------------------------------------------------------------------------
  gatherRows(table: TensorInfo, ids: Int32Array): DataId {
    const width = sizeOf(table.shape.slice(1));
    return this.wrap(rows.gatherRows(this.gpu, this.t(table), ids, width), ids.length * width, table.dtype);
  }

  segmentSumRows(values: TensorInfo, segmentIds: Int32Array, numSegments: number): DataId {
    const width = sizeOf(values.shape.slice(1));
    return this.wrap(rows.segmentSumRows(this.gpu, this.t(values), segmentIds, numSegments, width), numSegments * width, values.dtype);
  }

  scatterAddRows(target: TensorInfo, rowIds: Int32Array, values: TensorInfo): void {
    this.assertUpdatable('scatterAddRows', target);
    rows.scatterAddRows(this.gpu, this.t(target), rowIds, this.t(values), sizeOf(target.shape.slice(1)));
    if (target.dtype === 'int32') data(target.dataId).host = null; // the host copy is stale now
  }

  gatherDot(a: TensorInfo, b: TensorInfo, aIds: Int32Array, bIds: Int32Array): DataId {
    const outDtype: DType = a.dtype === b.dtype ? a.dtype : 'float32';
    const width = sizeOf(a.shape.slice(1));
    return this.wrap(rows.gatherDot(this.gpu, this.t(a), this.t(b), aIds, bIds, width, outDtype), aIds.length, outDtype);
  }

  segmentSumScaledRows(scale: TensorInfo, table: TensorInfo, rowIds: Int32Array, segmentIds: Int32Array, numSegments: number): DataId {
    const width = sizeOf(table.shape.slice(1));
    return this.wrap(rows.segmentSumScaledRows(this.gpu, this.t(scale), this.t(table), rowIds, segmentIds, numSegments, width),
      numSegments * width, table.dtype);
  }

  // ---- softmax family -------------------------------------------------------------------------
  softmax(x: TensorInfo): DataId {
    return this.wrap(softmaxFamily(this.gpu, 'softmax', this.t(x)), sizeOf(x.shape), x.dtype);
  }

  logSoftmax(x: TensorInfo): DataId {
    return this.wrap(softmaxFamily(this.gpu, 'logSoftmax', this.t(x)), sizeOf(x.shape), x.dtype);
  }

  logSumExp(x: TensorInfo): DataId {
    const cols = x.shape[x.shape.length - 1];
    return this.wrap(softmaxFamily(this.gpu, 'logSumExp', this.t(x)), sizeOf(x.shape) / Math.max(cols, 1), x.dtype);
  }

  // ---- losses ------------------------------------------------------------------------------------
  mse(pred: TensorInfo, labels: TensorInfo): DataId {
    return this.wrap(mse(this.gpu, this.t(pred), this.t(labels)), 1, 'float32');
  }

  mseGrad(pred: TensorInfo, labels: TensorInfo, dy: TensorInfo): DataId {
    return this.wrap(mseGrad(this.gpu, this.t(pred), this.t(labels), this.t(dy)), sizeOf(pred.shape), 'float32');
  }

  // ---- the user-row models' loss -------------------------------------------------------------
  multinomialNLL(logits: TensorInfo, targets: CSRInfo): { loss: DataId; stats: DataId } {
    const { loss, stats } = multinomialNLL(this.gpu, this.uploads, this.t(logits), targets);
    return { loss: this.wrap(loss, 1, 'float32'), stats: this.wrap(stats, 2 * targets.shape[0], 'float32') };
  }

  multinomialNLLGrad(logits: TensorInfo, stats: TensorInfo, targets: CSRInfo, dy: TensorInfo): DataId {
    return this.wrap(multinomialNLLGrad(this.gpu, this.uploads, this.t(logits), this.t(stats), targets, this.t(dy)), sizeOf(logits.shape), 'float32');
  }

  // ---- optimizers (one dispatch each; the sparse ones over the touched rows only) ----------------
  private assertUpdatable(kernel: string, ...xs: (TensorInfo | null)[]): void {
    for (const x of xs) {
      if (x && x.dtype !== 'float32' && !(kernel === 'scatterAddRows' && x.dtype === 'int32')) {
        throw new Error(`webgpu ${kernel}: in-place updates need float32 tensors, got ${x.dtype} [${x.shape.join(', ')}]` +
          (x.dtype === 'float16' ? ' (keep float32 master weights: fit(…, {amp: true}) does)' : ''));
      }
    }
  }

  sgdUpdate(w: TensorInfo, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void {
    this.assertUpdatable('sgdUpdate', w, velocity);
    denseUpdate(this.gpu, velocity ? 'sgdMomentum' : 'sgd', this.t(w), this.t(grad), velocity ? [this.t(velocity)] : [], opts);
  }

  adamUpdate(w: TensorInfo, grad: TensorInfo, m: TensorInfo, v: TensorInfo, step: number, opts: AdamOptions): void {
    this.assertUpdatable('adamUpdate', w, m, v);
    denseUpdate(this.gpu, 'adam', this.t(w), this.t(grad), [this.t(m), this.t(v)], opts, step);
  }

  adagradUpdate(w: TensorInfo, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void {
    this.assertUpdatable('adagradUpdate', w, h);
    denseUpdate(this.gpu, 'adagrad', this.t(w), this.t(grad), [this.t(h)], opts);
  }

  sparseSgdUpdate(w: TensorInfo, rowIds: Int32Array, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void {
    this.assertUpdatable('sparseSgdUpdate', w, velocity);
    sparseUpdate(this.gpu, velocity ? 'sgdMomentum' : 'sgd', this.t(w), rowIds, this.t(grad), velocity ? [this.t(velocity)] : [], opts,
      sizeOf(w.shape.slice(1)));
  }

  sparseAdamUpdate(w: TensorInfo, rowIds: Int32Array, grad: TensorInfo, m: TensorInfo, v: TensorInfo,
    rowSteps: Int32Array, opts: AdamOptions): void {
    this.assertUpdatable('sparseAdamUpdate', w, m, v);
    sparseUpdate(this.gpu, 'adam', this.t(w), rowIds, this.t(grad), [this.t(m), this.t(v)], opts, sizeOf(w.shape.slice(1)), rowSteps);
  }

  sparseAdagradUpdate(w: TensorInfo, rowIds: Int32Array, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void {
    this.assertUpdatable('sparseAdagradUpdate', w, h);
    sparseUpdate(this.gpu, 'adagrad', this.t(w), rowIds, this.t(grad), [this.t(h)], opts, sizeOf(w.shape.slice(1)));
  }

  // ---- info ----------------------------------------------------------------------------------------
  info(): WebGPUInfo {
    return { ...this.adapter, ...this.platform, host: this.gpu.host.kind };
  }

  /** GPU work since the backend was made: dispatches, bytes up and down, flushes; kernels compiled. */
  stats(): GpuCounters & { kernels: number; pooledBytes: number } {
    return { ...this.gpu.counters, kernels: this.gpu.numKernels, pooledBytes: this.gpu.pooledBytes };
  }

  /** Sends everything recorded to the GPU and waits until it has run (for benchmarks). */
  finish(): Promise<void> {
    return this.gpu.finish();
  }

  destroy(): void {
    this.uploads.clear();
    this.gpu.destroy();
    const i = live.indexOf(this);
    if (i >= 0) live.splice(i, 1);
  }
}

/**
 * Creates the backend. Node: Dawn through the optional `webgpu` package (SwiftShader is
 * found by itself on a machine with no GPU); browser: `navigator.gpu`. `{gpu}` uses a GPU
 * object you made; `{worker: false}` keeps WebGPU in this thread (asynchronous reads only).
 */
export async function createWebGPUBackend(options?: WebGPUBackendOptions): Promise<WebGPUBackend> {
  const { host, report } = await openHost(options);
  const gpu = new Gpu(host, Math.min(host.report.limits.maxStorageBufferBindingSize, host.report.limits.maxBufferSize));
  return new WebGPUBackend(report, host.report, gpu);
}

/** Adapter, limits and host of `backend`, or of the most recent live webgpu backend (null when none). */
export function webgpuInfo(backend?: WebGPUBackend): WebGPUInfo | null {
  if (backend) return backend.info();
  return live.length ? live[live.length - 1].info() : null;
}

/** `sg.info()`'s lines for the webgpu backend. */
export function describeWebGPU(info: WebGPUInfo | null): string[] {
  if (!info) return ['webgpu: no backend made'];
  const name = [info.vendor, info.architecture, info.description, info.device].filter((x) => x).join(' ') || 'unnamed adapter';
  const mib = (b: number) => `${Math.round(b / 2 ** 20)} MiB`;
  return [
    `webgpu: ${name}${info.software ? ' (a software adapter: it runs on the CPU)' : ''}`,
    `  via ${info.source}${info.vulkanDriver ? `, Vulkan driver ${info.vulkanDriver}` : ''}; WebGPU runs ${info.host === 'worker' ? 'in a worker (synchronous reads work)' : 'in this thread (asynchronous reads only)'}`,
    `  limits: storage buffers up to ${mib(info.limits.maxStorageBufferBindingSize)}, ${info.limits.maxComputeInvocationsPerWorkgroup} invocations and ` +
      `${info.limits.maxComputeWorkgroupStorageSize / 1024} KiB shared memory per workgroup, ${info.limits.maxStorageBuffersPerShaderStage} storage buffers per kernel`,
    `  features: ${info.features.join(' ') || 'none'}`,
  ];
}
