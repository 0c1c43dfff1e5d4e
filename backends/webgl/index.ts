/**
 * The WebGL2 backend: every primitive of core/kernels.ts and most accelerations, as
 * fragment-shader passes over float textures (the dense layer, the multinomial likelihood and
 * gatherConcat run their reference compositions from ops/). In Node it draws through
 * headless-gl (under Xvfb); in a browser through the page's WebGL2 — the same code.
 *
 * Files, in reading order:
 *   context.ts     getting a WebGL2 context, checking it really is one
 *   layout.ts      how a tensor sits in a texture (one element per R32F texel) and why
 *   textures.ts    the texture pool, uploads and read-backs
 *   programs.ts    compiling and caching shader programs
 *   gpu.ts         `draw`: bind inputs, set uniforms, render one output
 *   elementwise.ts, reduce.ts, matmul.ts, movement.ts, rows.ts, spmm.ts   the primitives
 *   (elementwise.ts also holds the fused unary functions), softmax.ts, gather-dot.ts,
 *   rows.ts scatterAddRows, optim.ts                                         the accelerations
 *
 * A DataId here is a `GpuData`: the texture holding the values (swapped by dense in-place
 * updates), and for int32 tensors written from the host, a host copy — int32 tensors are
 * labels and ids that the host reads back (a loss's class labels), which then need not wait
 * for the GPU. Ids given to kernels arrive as host Int32Arrays and are uploaded per call as
 * R32F textures (exact below 2^24).
 */
import type {
  AdaGradOptions, AdamOptions, Backend, BinaryOp, CSRInfo, DataId, FusedUnaryOp, MemoryInfo, ReduceOp,
  SGDOptions, TensorInfo, UnaryOp,
} from '../../core/kernels.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { encodeHalfArray } from '../../core/float16.js';
import { sizeOf } from '../../core/shape.js';
import { createContext, describeContext, type GLContext, type WebGLBackendOptions, type WebGLInfo } from './context.js';
import { formatOf } from './layout.js';
import { Gpu, type GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';
import * as ew from './elementwise.js';
import * as red from './reduce.js';
import * as mm from './matmul.js';
import * as mv from './movement.js';
import * as rows from './rows.js';
import { gatherDot, segmentSumScaledRows } from './gather-dot.js';
import * as sm from './softmax.js';
import * as opt from './optim.js';
import { CsrUploads, spmm } from './spmm.js';

export type { WebGLBackendOptions, WebGLInfo } from './context.js';
export { setMaxTextureWidth, maxWidth } from './layout.js';

interface GpuData {
  tex: Tex;
  size: number;
  dtype: DType;
  /** int32 only: the ids on the host (written values, or computed from other host copies) */
  host: Int32Array | null;
  disposed: boolean;
}

function data(id: DataId): GpuData {
  return id as GpuData;
}

let backendCount = 0;
/** live backends, oldest first (a test may make and destroy extra ones) */
const live: WebGLBackend[] = [];

export class WebGLBackend implements Backend {
  readonly name = 'webgl';
  readonly gpu: Gpu;
  private uploads: CsrUploads;
  private numBuffers = 0;
  private numBytes = 0;

  constructor(readonly ctx: GLContext) {
    this.gpu = new Gpu(ctx);
    this.uploads = new CsrUploads(this.gpu, `webgl#${backendCount++}`);
    live.push(this);
  }

  // ---- storage ----------------------------------------------------------------
  private wrap(tex: Tex, size: number, dtype: DType, host: Int32Array | null = null): DataId {
    this.numBuffers++;
    this.numBytes += tex.bytes;
    const d: GpuData = { tex, size, dtype, host, disposed: false };
    return d;
  }

  /** The kernel view of a tensor. */
  private t(x: TensorInfo): GpuTensor {
    const d = data(x.dataId);
    if (d.disposed) throw new Error(`webgl: a ${x.dtype} tensor of shape [${x.shape.join(', ')}] was used after dispose`);
    return { tex: d.tex, shape: x.shape, dtype: x.dtype, size: d.size };
  }

  private hostOf(x: TensorInfo): Int32Array | null {
    return x.dtype === 'int32' ? data(x.dataId).host : null;
  }

  private uploadValues(tex: Tex, values: TypedArray, dtype: DType): void {
    if (values.length === 0) return;
    if (dtype === 'float16') this.gpu.upload(tex, values as Uint16Array);
    else this.gpu.upload(tex, values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>));
  }

  write(values: TypedArray, dtype: DType): DataId {
    const tex = this.gpu.output(values.length, dtype);
    this.uploadValues(tex, values, dtype);
    return this.wrap(tex, values.length, dtype, dtype === 'int32' ? Int32Array.from(values as ArrayLike<number>) : null);
  }

  zeros(size: number, dtype: DType): DataId {
    const tex = this.gpu.output(size, dtype);
    this.gpu.fill(tex, 0);
    return this.wrap(tex, size, dtype, dtype === 'int32' ? new Int32Array(size) : null);
  }

  readSync(id: DataId): TypedArray {
    const d = data(id);
    if (d.disposed) throw new Error('webgl readSync: the tensor was disposed');
    if (d.host) return d.host;
    const raw = this.gpu.read(d.tex, d.size);
    if (d.dtype === 'float16') return raw instanceof Uint16Array ? raw.slice() : encodeHalfArray(raw);
    if (d.dtype === 'int32') {
      d.host = Int32Array.from(raw);
      return d.host;
    }
    return raw;
  }

  async read(id: DataId): Promise<TypedArray> {
    return this.readSync(id);
  }

  overwrite(id: DataId, values: TypedArray): void {
    const d = data(id);
    if (values.length !== d.size) throw new Error(`webgl overwrite: ${values.length} values into a buffer of ${d.size}`);
    this.uploadValues(d.tex, values, d.dtype);
    if (d.dtype === 'int32') d.host = Int32Array.from(values as ArrayLike<number>);
  }

  copy(x: TensorInfo): DataId {
    const host = this.hostOf(x);
    return this.wrap(ew.cast(this.gpu, this.t(x), x.dtype), sizeOf(x.shape), x.dtype, host ? host.slice() : null);
  }

  dispose(id: DataId): void {
    const d = data(id);
    if (d.disposed) return;
    d.disposed = true;
    this.numBuffers--;
    this.numBytes -= d.tex.bytes;
    this.gpu.release(d.tex);
    d.host = null;
  }

  memory(): MemoryInfo {
    return { numBuffers: this.numBuffers, numBytes: this.numBytes };
  }

  // ---- elementwise --------------------------------------------------------------
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): DataId {
    return this.wrap(ew.unary(this.gpu, op, this.t(x), outDtype), sizeOf(x.shape), outDtype);
  }

  fusedUnary(op: FusedUnaryOp, x: TensorInfo, outDtype: DType): DataId {
    return this.wrap(ew.unary(this.gpu, op, this.t(x), outDtype), sizeOf(x.shape), outDtype);
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataId {
    return this.wrap(ew.binary(this.gpu, op, this.t(a), this.t(b), outShape, outDtype), sizeOf(outShape), outDtype);
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outDtype: DType): DataId {
    return this.wrap(ew.where(this.gpu, this.t(cond), this.t(a), this.t(b), outDtype), sizeOf(cond.shape), outDtype);
  }

  cast(x: TensorInfo, dtype: DType): DataId {
    formatOf(dtype); // float64 → a clear error
    const host = this.hostOf(x);
    const out = ew.cast(this.gpu, this.t(x), dtype);
    return this.wrap(out, sizeOf(x.shape), dtype, dtype === 'int32' && host ? host : null);
  }

  // ---- reductions -------------------------------------------------------------------
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataId {
    const outSize = sizeOf(x.shape.filter((_, i) => !axes.includes(i)));
    return this.wrap(red.reduce(this.gpu, op, this.t(x), axes), outSize, x.dtype);
  }

  // ---- linear algebra ----------------------------------------------------------------
  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): DataId {
    const M = transposeA ? a.shape[1] : a.shape[0];
    const N = transposeB ? b.shape[0] : b.shape[1];
    const outDtype: DType = a.dtype === b.dtype ? a.dtype : 'float32';
    return this.wrap(mm.matmul(this.gpu, this.t(a), this.t(b), transposeA, transposeB, outDtype), M * N, outDtype);
  }

  spmm(a: CSRInfo, b: TensorInfo): DataId {
    return this.wrap(spmm(this.gpu, this.uploads, a, this.t(b), b.dtype), a.shape[0] * b.shape[1], b.dtype);
  }

  // ---- layout ------------------------------------------------------------------------
  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    return this.wrap(mv.transpose(this.gpu, this.t(x), perm), sizeOf(x.shape), x.dtype);
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): DataId {
    return this.wrap(mv.slice(this.gpu, this.t(x), begin, size), sizeOf(size), x.dtype);
  }

  concat(xs: readonly TensorInfo[], axis: number): DataId {
    const total = xs.reduce((s, x) => s + sizeOf(x.shape), 0);
    return this.wrap(mv.concat(this.gpu, xs.map((x) => this.t(x)), axis), total, xs[0].dtype);
  }

  // ---- rows --------------------------------------------------------------------------
  gatherRows(table: TensorInfo, ids: Int32Array): DataId {
    const width = sizeOf(table.shape.slice(1));
    return this.wrap(rows.gatherRows(this.gpu, this.t(table), ids), ids.length * width, table.dtype);
  }

  segmentSumRows(values: TensorInfo, segmentIds: Int32Array, numSegments: number): DataId {
    const width = sizeOf(values.shape.slice(1));
    return this.wrap(rows.segmentSumRows(this.gpu, this.t(values), segmentIds, numSegments), numSegments * width, values.dtype);
  }

  gatherDot(a: TensorInfo, b: TensorInfo, aIds: Int32Array, bIds: Int32Array): DataId {
    const outDtype: DType = a.dtype === b.dtype ? a.dtype : 'float32';
    return this.wrap(gatherDot(this.gpu, this.t(a), this.t(b), aIds, bIds, outDtype), aIds.length, outDtype);
  }

  segmentSumScaledRows(scale: TensorInfo, table: TensorInfo, rowIds: Int32Array, segmentIds: Int32Array, numSegments: number): DataId {
    const width = sizeOf(table.shape.slice(1));
    return this.wrap(segmentSumScaledRows(this.gpu, this.t(scale), this.t(table), rowIds, segmentIds, numSegments),
      numSegments * width, table.dtype);
  }

  scatterAddRows(target: TensorInfo, rowIds: Int32Array, values: TensorInfo): void {
    this.assertFloat('scatterAddRows', target);
    rows.scatterAddRows(this.gpu, this.t(target), rowIds, this.t(values));
  }

  // ---- softmax family -------------------------------------------------------------------
  softmax(x: TensorInfo): DataId {
    return this.wrap(sm.softmax(this.gpu, this.t(x)), sizeOf(x.shape), x.dtype);
  }

  logSoftmax(x: TensorInfo): DataId {
    return this.wrap(sm.logSoftmax(this.gpu, this.t(x)), sizeOf(x.shape), x.dtype);
  }

  logSumExp(x: TensorInfo): DataId {
    const cols = x.shape[x.shape.length - 1];
    return this.wrap(sm.logSumExp(this.gpu, this.t(x)), sizeOf(x.shape) / Math.max(cols, 1), x.dtype);
  }

  // ---- optimizers --------------------------------------------------------------------
  private assertFloat(kernel: string, ...xs: (TensorInfo | null)[]): void {
    for (const x of xs) {
      if (x && x.dtype === 'int32') throw new Error(`webgl ${kernel}: in-place updates need float tensors, got int32 [${x.shape.join(', ')}]`);
    }
  }

  /** Dense updates render new textures; this puts them behind the tensors' handles. */
  private swapper(slots: Record<string, TensorInfo | null>): opt.Swap {
    return (slot, tex) => {
      const d = data(slots[slot]!.dataId);
      this.numBytes += tex.bytes - d.tex.bytes;
      this.gpu.release(d.tex);
      d.tex = tex;
    };
  }

  sgdUpdate(w: TensorInfo, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void {
    this.assertFloat('sgdUpdate', w, velocity);
    opt.sgdDense(this.gpu, this.t(w), this.t(grad), velocity ? this.t(velocity) : null, opts, this.swapper({ w, vel: velocity }));
  }

  adamUpdate(w: TensorInfo, grad: TensorInfo, m: TensorInfo, v: TensorInfo, step: number, opts: AdamOptions): void {
    this.assertFloat('adamUpdate', w, m, v);
    opt.adamDense(this.gpu, this.t(w), this.t(grad), this.t(m), this.t(v), step, opts, this.swapper({ w, m, v }));
  }

  adagradUpdate(w: TensorInfo, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void {
    this.assertFloat('adagradUpdate', w, h);
    opt.adagradDense(this.gpu, this.t(w), this.t(grad), this.t(h), opts, this.swapper({ w, h }));
  }

  sparseSgdUpdate(w: TensorInfo, rowIds: Int32Array, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void {
    this.assertFloat('sparseSgdUpdate', w, velocity);
    opt.sgdSparse(this.gpu, this.t(w), rowIds, this.t(grad), velocity ? this.t(velocity) : null, opts);
  }

  sparseAdamUpdate(w: TensorInfo, rowIds: Int32Array, grad: TensorInfo, m: TensorInfo, v: TensorInfo,
    rowSteps: Int32Array, opts: AdamOptions): void {
    this.assertFloat('sparseAdamUpdate', w, m, v);
    opt.adamSparse(this.gpu, this.t(w), rowIds, this.t(grad), this.t(m), this.t(v), rowSteps, opts);
  }

  sparseAdagradUpdate(w: TensorInfo, rowIds: Int32Array, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void {
    this.assertFloat('sparseAdagradUpdate', w, h);
    opt.adagradSparse(this.gpu, this.t(w), rowIds, this.t(grad), this.t(h), opts);
  }

  // ---- info ------------------------------------------------------------------------------
  info(): WebGLInfo {
    return describeContext(this.ctx);
  }

  /** Counters for benchmarks and tests: draw calls (and the LINEs of row-sparse ones), uploads and read-backs with their bytes, cached programs, pooled textures. */
  stats(): { draws: number; lines: number; uploads: number; uploadBytes: number; readbacks: number; readbackBytes: number;
    programs: number; pooledTextures: number; pooledBytes: number; allocatedTextures: number } {
    const g = this.gpu;
    return {
      draws: g.draws, lines: g.lines, uploads: g.uploads, uploadBytes: g.uploadBytes, readbacks: g.readbacks, readbackBytes: g.readbackBytes,
      programs: g.programs.size, ...g.pool.stats(),
    };
  }

  destroy(): void {
    this.uploads.clear();
    this.gpu.destroy();
    this.ctx.release();
    const i = live.indexOf(this);
    if (i >= 0) live.splice(i, 1);
  }
}

/**
 * Creates the backend: `{gl}` uses a given WebGL2 context, `{canvas}` takes one from a
 * canvas, and with no options a browser gets a canvas of its own and Node gets headless-gl.
 */
export async function createWebGLBackend(options?: WebGLBackendOptions): Promise<WebGLBackend> {
  return new WebGLBackend(await createContext(options));
}

/**
 * Version, renderer, vendor, extensions and limits of `backend`'s context, or of the most
 * recent live backend whose context still works (null when there is none).
 */
export function webglInfo(backend?: WebGLBackend): WebGLInfo | null {
  if (backend) return backend.info();
  for (let i = live.length - 1; i >= 0; i--) {
    if (live[i].ctx.isLost()) continue;
    try {
      return live[i].info();
    } catch {
      // a released context (e.g. a test's) — try an older one
    }
  }
  return null;
}
