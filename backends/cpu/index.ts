/**
 * The CPU backend: plain TypeScript over typed arrays, its hot kernels again in WebAssembly
 * SIMD. This file is the map from the kernel interface (core/kernels.ts) to the files that
 * implement each kernel — one file per accelerated kernel, each with its JavaScript twin,
 * its WebAssembly emitter and the one dispatch rule (variants.ts):
 *
 *   primitives     elementwise.ts (unary, binary), reduce.ts, matmul.ts (→ wasm/gemm.ts),
 *                  spmm.ts, layout.ts, rows.ts (gather, segment sum)
 *   accelerations  elementwise.ts (fused unary: relu, sigmoid, …), softmax.ts, gather-dot.ts,
 *                  segment-sum-scaled.ts, rows.ts (scatter-add), dense.ts (→ wasm/gemm.ts),
 *                  multinomial.ts, sgd.ts, adam.ts, adagrad.ts
 *
 * A DataId is `{values}` (views.ts): float16 is stored as raw half bits (Uint16Array) and
 * computed in float32 (decoded on read, encoded on write); float64 is supported for
 * reference tests. Every array comes from the backend's own `Arena` (memory.ts), so big ones
 * live in shared WebAssembly memory the SIMD kernels and the worker threads use in place.
 */
import type {
  Activation, AdaGradOptions, AdamOptions, Backend, BinaryOp, CSRInfo, DataId, FusedUnaryOp, MemoryInfo, ReduceOp,
  SGDOptions, TensorInfo, UnaryOp,
} from '../../core/kernels.js';
import { computeType, type DType, type TypedArray } from '../../core/dtype.js';
import { encodeHalfArray } from '../../core/float16.js';
import { sizeOf } from '../../core/shape.js';
import { Arena } from './memory.js';
import { data, float, mutable, mutableRows, num, type CpuData } from './views.js';
import { binaryInto, unaryInto, type FloatArray, type NumArray } from './elementwise.js';
import { binarySimd, unarySimd } from './elementwise-simd.js';
import { reduceInto } from './reduce.js';
import { matmulInto } from './matmul.js';
import { spmm } from './spmm.js';
import { gatherConcatInto, segmentSumColumnsInto } from './gather-concat.js';
import { denseGradInto, denseInto } from './dense.js';
import { concatInto, sliceInto, transposeInto } from './layout.js';
import { gatherRows, segmentSum } from './rows.js';
import { gatherDot } from './gather-dot.js';
import { segmentSumScaled } from './segment-sum-scaled.js';
import { logSumExpInto, softmaxInto } from './softmax.js';
import { multinomialNLLGradInto, multinomialNLLInto } from './multinomial.js';
import { sgdDense, sgdSparse } from './sgd.js';
import { adamDense, adamSparse } from './adam.js';
import { adagradDense, adagradSparse } from './adagrad.js';

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  /** where this backend's arrays live (and the WebAssembly kernels run) */
  readonly arena = new Arena();
  private numBuffers = 0;
  private numBytes = 0;

  /** A result buffer to compute into: float16 results are computed in float32 first. */
  private scratch(dtype: DType, size: number): NumArray {
    return dtype === 'float16' ? new Float32Array(size) : (this.arena.alloc(dtype, size) as NumArray);
  }

  /** Like scratch, not cleared first: for kernels that write every element of their output. */
  private written(dtype: DType, size: number): NumArray {
    return dtype === 'float16' ? new Float32Array(size) : (this.arena.alloc(dtype, size, false) as NumArray);
  }

  private track(id: CpuData): DataId {
    this.numBuffers++;
    this.numBytes += id.values.byteLength;
    return id;
  }

  // ---- storage ----------------------------------------------------------------
  write(values: TypedArray, dtype: DType): DataId {
    return this.track({ values: this.arena.copy(values, dtype) });
  }

  zeros(size: number, dtype: DType): DataId {
    return this.track({ values: this.arena.alloc(dtype, size) });
  }

  readSync(id: DataId): TypedArray {
    return data(id).values;
  }

  async read(id: DataId): Promise<TypedArray> {
    return data(id).values;
  }

  overwrite(id: DataId, values: TypedArray): void {
    const d = data(id);
    if (values.length !== d.values.length) throw new Error(`cpu overwrite: ${values.length} values into a buffer of ${d.values.length}`);
    d.values.set(values as never);
  }

  copy(x: TensorInfo): DataId {
    return this.track({ values: this.arena.copy(data(x.dataId).values, x.dtype) });
  }

  dispose(id: DataId): void {
    const d = data(id) as CpuData & { freed?: boolean };
    if (d.freed) return;
    d.freed = true;
    this.numBuffers--;
    this.numBytes -= d.values.byteLength;
    this.arena.release(d.values);
  }

  memory(): MemoryInfo {
    return { numBuffers: this.numBuffers, numBytes: this.numBytes, reservedBytes: this.arena.reservedBytes };
  }

  /** The DataId of a result computed into `values` (float16 encoded now). */
  private out(values: NumArray, dtype: DType): DataId {
    return this.track({ values: dtype === 'float16' ? encodeHalfArray(values) : values });
  }

  // ---- elementwise --------------------------------------------------------------
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): DataId {
    return this.fusedUnary(op, x, outDtype);
  }

  fusedUnary(op: UnaryOp | FusedUnaryOp, x: TensorInfo, outDtype: DType): DataId {
    const out = this.written(outDtype, sizeOf(x.shape));
    const xv = num(x);
    if (!unarySimd(this.arena, op, xv, out)) unaryInto(op, xv, out);
    return this.out(out, outDtype);
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataId {
    const out = this.written(outDtype, sizeOf(outShape));
    const av = num(a), bv = num(b);
    if (!binarySimd(this.arena, op, av, a.shape, bv, b.shape, outShape, out)) binaryInto(op, av, a.shape, bv, b.shape, outShape, out);
    return this.out(out, outDtype);
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outDtype: DType): DataId {
    const c = num(cond);
    const av = num(a);
    const bv = num(b);
    const out = this.written(outDtype, c.length);
    for (let i = 0; i < c.length; i++) out[i] = c[i] !== 0 ? av[i] : bv[i];
    return this.out(out, outDtype);
  }

  cast(x: TensorInfo, dtype: DType): DataId {
    const src = data(x.dataId).values;
    if (x.dtype === dtype) return this.track({ values: this.arena.copy(src, dtype) });
    if (dtype === 'float16') return this.track({ values: encodeHalfArray(num(x)) });
    const out = this.arena.alloc(dtype, src.length) as NumArray;
    const v = num(x);
    if (dtype === 'int32') for (let i = 0; i < v.length; i++) out[i] = Math.trunc(v[i]);
    else out.set(v);
    return this.track({ values: out });
  }

  // ---- reductions -----------------------------------------------------------------
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataId {
    const outSize = sizeOf(x.shape.filter((_, i) => !axes.includes(i)));
    const out = this.scratch(x.dtype, outSize);
    reduceInto(op, num(x), x.shape, axes, out);
    return this.out(out, x.dtype);
  }

  // ---- linear algebra ------------------------------------------------------------
  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): DataId {
    const M = transposeA ? a.shape[1] : a.shape[0];
    const K = transposeA ? a.shape[0] : a.shape[1];
    const N = transposeB ? b.shape[0] : b.shape[1];
    const dtype = computeType(a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32');
    const outDtype = a.dtype === b.dtype ? a.dtype : dtype;
    const out = this.written(dtype, M * N) as FloatArray;
    matmulInto(this.arena, float(a), float(b), M, K, N, transposeA, transposeB, out);
    return this.out(out, outDtype);
  }

  dense(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, activation: Activation): DataId {
    const [M, K] = x.shape;
    const N = w.shape[1];
    const out = this.written(computeType(x.dtype), M * N) as FloatArray;
    denseInto(this.arena, float(x), float(w), M, K, N, bias ? float(bias) : null, activation === 'relu', out);
    return this.out(out, x.dtype);
  }

  denseGrad(y: TensorInfo, dy: TensorInfo, activation: Activation, biasGrad: boolean): { dz: DataId; dBias: DataId | null } {
    const N = y.shape[y.shape.length - 1];
    const dz = this.written(dy.dtype, sizeOf(dy.shape));
    // float64 sums for float64 (gradient checks), float32 otherwise
    const sums = biasGrad ? this.scratch(dy.dtype, N) : null;
    denseGradInto(this.arena, num(y), num(dy), N, activation === 'relu', dz, sums);
    return { dz: this.out(dz, dy.dtype), dBias: sums ? this.out(sums, dy.dtype) : null };
  }

  spmm(a: CSRInfo, b: TensorInfo): DataId {
    const N = b.shape[1];
    const out = this.written(computeType(b.dtype), a.shape[0] * N) as FloatArray;
    spmm(this.arena, a, float(b), N, out);
    return this.out(out, b.dtype);
  }

  // ---- layout ----------------------------------------------------------------
  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    const src = data(x.dataId).values;
    const out = this.arena.alloc(x.dtype, src.length);
    transposeInto(src, x.shape, perm, out);
    return this.track({ values: out });
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): DataId {
    const out = this.arena.alloc(x.dtype, sizeOf(size));
    if (out.length > 0) sliceInto(data(x.dataId).values, x.shape, begin, size, out);
    return this.track({ values: out });
  }

  concat(xs: readonly TensorInfo[], axis: number): DataId {
    const total = xs.reduce((s, x) => s + sizeOf(x.shape), 0);
    const out = this.arena.alloc(xs[0].dtype, total);
    concatInto(xs.map((x) => ({ values: data(x.dataId).values, shape: x.shape })), axis, out);
    return this.track({ values: out });
  }

  // ---- rows ----------------------------------------------------------------------
  gatherRows(table: TensorInfo, ids: Int32Array): DataId {
    return this.track({ values: gatherRows(this.arena, data(table.dataId).values, table.dtype, ids, sizeOf(table.shape.slice(1))) });
  }

  segmentSumRows(values: TensorInfo, segmentIds: Int32Array, numSegments: number): DataId {
    const width = sizeOf(values.shape.slice(1));
    const out = this.scratch(computeType(values.dtype), numSegments * width) as FloatArray;
    segmentSum(this.arena, num(values), segmentIds, width, out);
    return this.out(out, values.dtype);
  }

  scatterAddRows(target: TensorInfo, rows: Int32Array, values: TensorInfo): void {
    const width = sizeOf(target.shape.slice(1));
    const t = mutable(target);
    segmentSum(this.arena, num(values), rows, width, t.arr);
    t.commit();
  }

  gatherConcat(tables: readonly TensorInfo[], ids: readonly Int32Array[]): DataId {
    const widths = tables.map((t) => sizeOf(t.shape.slice(1)));
    const W = widths.reduce((a, b) => a + b, 0);
    const out = this.written(computeType(tables[0].dtype), ids[0].length * W) as FloatArray;
    gatherConcatInto(this.arena, tables.map(float), widths, [...ids], out);
    return this.out(out, tables[0].dtype);
  }

  segmentSumColumns(values: TensorInfo, offset: number, width: number, segmentIds: Int32Array, numSegments: number): DataId {
    const out = this.written(computeType(values.dtype), numSegments * width) as FloatArray;
    segmentSumColumnsInto(this.arena, float(values), values.shape[1], offset, width, segmentIds, numSegments, out);
    return this.out(out, values.dtype);
  }

  gatherDot(a: TensorInfo, b: TensorInfo, aIds: Int32Array, bIds: Int32Array): DataId {
    const out = this.scratch(computeType(a.dtype), aIds.length) as FloatArray;
    gatherDot(this.arena, float(a), float(b), aIds, bIds, sizeOf(a.shape.slice(1)), out);
    return this.out(out, a.dtype === b.dtype ? a.dtype : 'float32');
  }

  segmentSumScaledRows(scale: TensorInfo, table: TensorInfo, rowIds: Int32Array, segmentIds: Int32Array, numSegments: number): DataId {
    const width = sizeOf(table.shape.slice(1));
    const out = this.scratch(computeType(table.dtype), numSegments * width) as FloatArray;
    segmentSumScaled(this.arena, float(scale), float(table), rowIds, segmentIds, width, out, numSegments);
    return this.out(out, table.dtype);
  }

  // ---- softmax family ---------------------------------------------------------------
  softmax(x: TensorInfo): DataId {
    const out = this.scratch(computeType(x.dtype), sizeOf(x.shape)) as FloatArray;
    softmaxInto(float(x), x.shape[x.shape.length - 1], out, false);
    return this.out(out, x.dtype);
  }

  logSoftmax(x: TensorInfo): DataId {
    const out = this.scratch(computeType(x.dtype), sizeOf(x.shape)) as FloatArray;
    softmaxInto(float(x), x.shape[x.shape.length - 1], out, true);
    return this.out(out, x.dtype);
  }

  logSumExp(x: TensorInfo): DataId {
    const cols = x.shape[x.shape.length - 1];
    const out = this.scratch(computeType(x.dtype), sizeOf(x.shape) / Math.max(cols, 1)) as FloatArray;
    logSumExpInto(float(x), cols, out);
    return this.out(out, x.dtype);
  }

  multinomialNLL(logits: TensorInfo, targets: CSRInfo): { loss: DataId; stats: DataId } {
    const dt = computeType(logits.dtype);
    const stats = this.scratch(dt, 2 * targets.shape[0]) as FloatArray;
    const loss = this.scratch(dt, 1);
    loss[0] = multinomialNLLInto(this.arena, float(logits), logits.shape[1], targets, stats);
    return { loss: this.out(loss, logits.dtype), stats: this.out(stats, logits.dtype) };
  }

  multinomialNLLGrad(logits: TensorInfo, stats: TensorInfo, targets: CSRInfo, dy: TensorInfo): DataId {
    const g = this.written(computeType(logits.dtype), sizeOf(logits.shape)) as FloatArray;
    multinomialNLLGradInto(this.arena, float(logits), float(stats), logits.shape[1], targets, num(dy)[0], g);
    return this.out(g, logits.dtype);
  }

  // ---- optimizers (in place; float16 weights through a float32 view) -------------------
  sgdUpdate(w: TensorInfo, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void {
    const W = mutable(w);
    const V = velocity ? mutable(velocity) : null;
    sgdDense(W.arr, float(grad), V ? V.arr : null, opts);
    W.commit(); V?.commit();
  }

  adamUpdate(w: TensorInfo, grad: TensorInfo, m: TensorInfo, v: TensorInfo, step: number, opts: AdamOptions): void {
    const W = mutable(w); const Mm = mutable(m); const Vv = mutable(v);
    const width = w.shape.length > 1 ? w.shape[w.shape.length - 1] : sizeOf(w.shape);
    adamDense(this.arena, W.arr, float(grad), Mm.arr, Vv.arr, width, step, opts);
    W.commit(); Mm.commit(); Vv.commit();
  }

  adagradUpdate(w: TensorInfo, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void {
    const W = mutable(w); const H = mutable(h);
    adagradDense(W.arr, float(grad), H.arr, opts);
    W.commit(); H.commit();
  }

  sparseSgdUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void {
    const W = mutableRows(w, rows);
    const V = velocity ? mutable(velocity) : null;
    sgdSparse(W.arr, W.target, float(grad), V ? V.arr : null, opts);
    W.commit(); V?.commit();
  }

  sparseAdamUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, m: TensorInfo, v: TensorInfo,
    rowSteps: Int32Array, opts: AdamOptions): void {
    const W = mutableRows(w, rows); const Mm = mutable(m); const Vv = mutable(v);
    adamSparse(this.arena, W.arr, W.target, float(grad), Mm.arr, Vv.arr, rowSteps, opts);
    W.commit(); Mm.commit(); Vv.commit();
  }

  sparseAdagradUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void {
    const W = mutableRows(w, rows); const H = mutable(h);
    adagradSparse(W.arr, W.target, float(grad), H.arr, opts);
    W.commit(); H.commit();
  }
}

export function createCpuBackend(): Backend {
  return new CpuBackend();
}
