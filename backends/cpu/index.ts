/**
 * The CPU backend: plain TypeScript over typed arrays. A DataId is `{values}`; float16 is
 * stored as raw half bits (Uint16Array) and computed in float32 (decode on read, encode on
 * write), float64 is supported for reference tests.
 */
import type {
  Activation, AdaGradOptions, AdamOptions, Backend, BinaryOp, CSRInfo, DataId, FusedUnaryOp, MemoryInfo, ReduceOp,
  SGDOptions, TensorInfo, UnaryOp,
} from '../../core/kernels.js';
import { computeType, type DType, type TypedArray } from '../../core/dtype.js';
import { alloc, allocCopy, arenaAlloc, arenaOffset, release, reservedBytes } from './memory.js';
import { parallelRows, ROW_MIN_WORK } from './threads.js';
import { wasmAdamRows, wasmGatherDot, wasmGatherRows, wasmSegmentSumScaled, wasmSpmm } from './wasm/rows.js';
import { decodeHalfArray, encodeHalfArray, floatToHalf, halfTable } from '../../core/float16.js';
import { broadcastIndexMap, sizeOf } from '../../core/shape.js';
import { binaryBroadcastFast, binaryIndexed, binaryScalar, binarySameShape, broadcastKind, BINARY_SCALAR, unaryInto, type FloatArray, type NumArray } from './elementwise.js';
import { reduceInto } from './reduce.js';
import { matmulInto, spmmInto } from './matmul.js';
import { denseGradInto, denseInto } from './dense.js';
import { concatInto, sliceInto, transposeInto } from './layout.js';
import { gatherDotRows, gatherRowsInto, segmentSumInto, segmentSumScaledSegments } from './rows.js';
import { logSumExpInto, softmaxInto } from './softmax.js';
import { multinomialNLLGradInto, multinomialNLLInto } from './multinomial.js';
import * as optim from './optim.js';

interface CpuData {
  values: TypedArray;
}

function data(id: DataId): CpuData {
  return id as CpuData;
}

/** The numeric values of x (float16 decoded to float32). */
function num(x: TensorInfo): NumArray {
  const v = data(x.dataId).values;
  return x.dtype === 'float16' ? decodeHalfArray(v as Uint16Array) : (v as NumArray);
}

function float(x: TensorInfo): FloatArray {
  const v = num(x);
  return v instanceof Int32Array ? Float32Array.from(v) : v;
}

/** A result buffer to compute into: float16 results are computed in float32 first. */
function scratch(dtype: DType, size: number): NumArray {
  return dtype === 'float16' ? new Float32Array(size) : (alloc(dtype, size) as NumArray);
}

function finish(values: NumArray, dtype: DType): DataId {
  if (dtype === 'float16') return { values: encodeHalfArray(values) };
  return { values };
}

/** For in-place updates: the float view of a weight, and how to write it back. */
function mutable(x: TensorInfo): { arr: FloatArray; commit: () => void } {
  const d = data(x.dataId);
  if (x.dtype === 'float16') {
    const arr = decodeHalfArray(d.values as Uint16Array);
    return { arr, commit: () => encodeHalfArray(arr, d.values as Uint16Array) };
  }
  if (x.dtype === 'int32') throw new Error('cpu: optimizer updates need float tensors');
  return { arr: d.values as FloatArray, commit: () => {} };
}

/**
 * The weights of a row-sparse update. A float16 table is decoded only in its touched rows
 * (a compact float32 copy, written back after the update): O(rows·width), never O(table).
 */
function mutableRows(w: TensorInfo, rows: Int32Array): { arr: FloatArray; target: optim.RowTarget; commit: () => void } {
  const width = sizeOf(w.shape.slice(1));
  if (w.dtype !== 'float16') {
    const { arr, commit } = mutable(w);
    return { arr, target: { rows, width, compactWeights: false }, commit };
  }
  const bits = data(w.dataId).values as Uint16Array;
  const table = halfTable();
  const arr = new Float32Array(rows.length * width);
  for (let i = 0, o = 0; i < rows.length; i++) {
    const src = rows[i] * width;
    for (let j = 0; j < width; j++) arr[o++] = table[bits[src + j]];
  }
  const commit = () => {
    for (let i = 0, o = 0; i < rows.length; i++) {
      const dst = rows[i] * width;
      for (let j = 0; j < width; j++) bits[dst + j] = floatToHalf(arr[o++]);
    }
  };
  return { arr, target: { rows, width, compactWeights: true }, commit };
}

const isF32 = (...xs: ArrayBufferView[]): boolean => xs.every((x) => x instanceof Float32Array);

/** The segment s at which about half of `segmentIds` are below s. */
function balancedSplit(segmentIds: Int32Array, numSegments: number): number {
  const counts = new Int32Array(numSegments);
  for (let i = 0; i < segmentIds.length; i++) counts[segmentIds[i]]++;
  let below = 0;
  for (let s = 0; s < numSegments; s++) {
    if (below * 2 >= segmentIds.length) return s;
    below += counts[s];
  }
  return numSegments;
}

export class CpuBackend implements Backend {
  readonly name = 'cpu';
  private numBuffers = 0;
  private numBytes = 0;

  private track(id: CpuData): DataId {
    this.numBuffers++;
    this.numBytes += id.values.byteLength;
    return id;
  }

  // ---- storage ----------------------------------------------------------------
  write(values: TypedArray, dtype: DType): DataId {
    return this.track({ values: allocCopy(values, dtype) });
  }

  zeros(size: number, dtype: DType): DataId {
    return this.track({ values: alloc(dtype, size) });
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
    return this.track({ values: allocCopy(data(x.dataId).values, x.dtype) });
  }

  dispose(id: DataId): void {
    const d = data(id) as CpuData & { freed?: boolean };
    if (d.freed) return;
    d.freed = true;
    this.numBuffers--;
    this.numBytes -= d.values.byteLength;
    release(d.values);
  }

  memory(): MemoryInfo {
    return { numBuffers: this.numBuffers, numBytes: this.numBytes, reservedBytes: reservedBytes() };
  }

  private out(values: NumArray, dtype: DType): DataId {
    return this.track(finish(values, dtype) as CpuData);
  }

  // ---- elementwise --------------------------------------------------------------
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): DataId {
    const out = scratch(outDtype, sizeOf(x.shape));
    unaryInto(op, num(x), out);
    return this.out(out, outDtype);
  }

  fusedUnary(op: FusedUnaryOp, x: TensorInfo, outDtype: DType): DataId {
    const out = scratch(outDtype, sizeOf(x.shape));
    unaryInto(op, num(x), out);
    return this.out(out, outDtype);
  }

  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataId {
    const av = num(a);
    const bv = num(b);
    const out = scratch(outDtype, sizeOf(outShape));
    const an = av.length;
    const bn = bv.length;
    const n = out.length;
    if (an === n && bn === n) binarySameShape(op, av, bv, out);
    else if (bn === 1 && an === n) binaryScalar(op, av, bv[0], true, out);
    else if (an === 1 && bn === n) binaryScalar(op, bv, av[0], false, out);
    else if (an === 1 && bn === 1) out.fill(BINARY_SCALAR(op, av[0], bv[0]));
    else {
      const aHow = an === n ? null : broadcastKind(a.shape, outShape);
      const bHow = bn === n ? null : broadcastKind(b.shape, outShape);
      if (an === n && bHow) binaryBroadcastFast(op, av, bv, bHow, false, out);
      else if (bn === n && aHow) binaryBroadcastFast(op, bv, av, aHow, true, out);
      else if (bn === 1 && aHow) {
        // expand a (e.g. dy [B,1] → [B,D] in a sum's backward), then apply the scalar in place
        binaryBroadcastFast('add', out.fill(0), av, aHow, true, out);
        binaryScalar(op, out, bv[0], true, out);
      } else if (an === 1 && bHow) {
        binaryBroadcastFast('add', out.fill(0), bv, bHow, false, out);
        binaryScalar(op, out, av[0], false, out);
      }
      else binaryIndexed(op, av, broadcastIndexMap(a.shape, outShape), bv, broadcastIndexMap(b.shape, outShape), out);
    }
    return this.out(out, outDtype);
  }

  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outDtype: DType): DataId {
    const c = num(cond);
    const av = num(a);
    const bv = num(b);
    const out = scratch(outDtype, c.length);
    for (let i = 0; i < c.length; i++) out[i] = c[i] !== 0 ? av[i] : bv[i];
    return this.out(out, outDtype);
  }

  cast(x: TensorInfo, dtype: DType): DataId {
    const src = data(x.dataId).values;
    if (x.dtype === dtype) return this.track({ values: allocCopy(src, dtype) });
    if (dtype === 'float16') return this.track({ values: encodeHalfArray(num(x)) });
    const out = alloc(dtype, src.length) as NumArray;
    const v = num(x);
    if (dtype === 'int32') for (let i = 0; i < v.length; i++) out[i] = Math.trunc(v[i]);
    else out.set(v);
    return this.track({ values: out });
  }

  // ---- reductions -----------------------------------------------------------------
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataId {
    const outSize = sizeOf(x.shape.filter((_, i) => !axes.includes(i)));
    const out = scratch(x.dtype, outSize);
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
    const out = scratch(dtype, M * N) as FloatArray;
    matmulInto(float(a), float(b), M, K, N, transposeA, transposeB, out);
    return this.out(out, outDtype);
  }

  dense(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, activation: Activation): DataId {
    const [M, K] = x.shape;
    const N = w.shape[1];
    const out = scratch(computeType(x.dtype), M * N) as FloatArray;
    denseInto(float(x), float(w), M, K, N, bias ? float(bias) : null, activation === 'relu', out);
    return this.out(out, x.dtype);
  }

  denseGrad(y: TensorInfo, dy: TensorInfo, activation: Activation, biasGrad: boolean): { dz: DataId; dBias: DataId | null } {
    const N = y.shape[y.shape.length - 1];
    const dz = scratch(dy.dtype, sizeOf(dy.shape));
    // float64 sums for float64 (gradient checks), float32 otherwise
    const sums = biasGrad ? scratch(dy.dtype, N) : null;
    denseGradInto(num(y), num(dy), N, activation === 'relu', dz, sums);
    return { dz: this.out(dz, dy.dtype), dBias: sums ? this.out(sums, dy.dtype) : null };
  }

  spmm(a: CSRInfo, b: TensorInfo): DataId {
    const N = b.shape[1];
    const out = scratch(computeType(b.dtype), a.shape[0] * N) as FloatArray;
    const bv = float(b);
    if (bv instanceof Float32Array && out instanceof Float32Array && wasmSpmm(a.indptr, a.indices, a.values, bv, N, out)) return this.out(out, b.dtype);
    spmmInto(a, bv, N, out);
    return this.out(out, b.dtype);
  }

  // ---- layout ----------------------------------------------------------------
  transpose(x: TensorInfo, perm: readonly number[]): DataId {
    const src = data(x.dataId).values;
    const out = alloc(x.dtype, src.length);
    transposeInto(src, x.shape, perm, out);
    return this.track({ values: out });
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): DataId {
    const out = alloc(x.dtype, sizeOf(size));
    if (out.length > 0) sliceInto(data(x.dataId).values, x.shape, begin, size, out);
    return this.track({ values: out });
  }

  concat(xs: readonly TensorInfo[], axis: number): DataId {
    const total = xs.reduce((s, x) => s + sizeOf(x.shape), 0);
    const out = alloc(xs[0].dtype, total);
    concatInto(xs.map((x) => ({ values: data(x.dataId).values, shape: x.shape })), axis, out);
    return this.track({ values: out });
  }

  // ---- rows ----------------------------------------------------------------------
  gatherRows(table: TensorInfo, ids: Int32Array): DataId {
    const width = sizeOf(table.shape.slice(1));
    const src = data(table.dataId).values;
    const size = ids.length * width;
    // a table in the arena is gathered by the SIMD kernel, into an arena array whatever its size
    const inArena = (src instanceof Float32Array || src instanceof Int32Array) && arenaOffset(src) >= 0;
    const out = (inArena ? arenaAlloc(table.dtype, size) : null) ?? alloc(table.dtype, size);
    if (!(inArena && wasmGatherRows(src as Float32Array | Int32Array, ids, width, out as Float32Array | Int32Array))) gatherRowsInto(src, ids, width, out);
    return this.track({ values: out });
  }

  segmentSumRows(values: TensorInfo, segmentIds: Int32Array, numSegments: number): DataId {
    const width = sizeOf(values.shape.slice(1));
    const out = scratch(computeType(values.dtype), numSegments * width) as FloatArray;
    segmentSumInto(num(values), segmentIds, width, out);
    return this.out(out, values.dtype);
  }

  scatterAddRows(target: TensorInfo, rows: Int32Array, values: TensorInfo): void {
    const width = sizeOf(target.shape.slice(1));
    const t = mutable(target);
    segmentSumInto(num(values), rows, width, t.arr);
    t.commit();
  }

  gatherDot(a: TensorInfo, b: TensorInfo, aIds: Int32Array, bIds: Int32Array): DataId {
    const n = aIds.length;
    const out = scratch(computeType(a.dtype), n) as FloatArray;
    const width = sizeOf(a.shape.slice(1));
    const args = [num(a), num(b), aIds, bIds, width, out] as const;
    if (isF32(args[0], args[1], out)
      && wasmGatherDot(args[0] as Float32Array, args[1] as Float32Array, aIds, bIds, width, out as Float32Array)) return this.out(out, a.dtype === b.dtype ? a.dtype : 'float32');
    if (!parallelRows(gatherDotRows, [...args], n, n * width, { mustBeShared: [0, 1], minWork: ROW_MIN_WORK })) gatherDotRows(...args, 0, n);
    return this.out(out, a.dtype === b.dtype ? a.dtype : 'float32');
  }

  segmentSumScaledRows(scale: TensorInfo, table: TensorInfo, rowIds: Int32Array, segmentIds: Int32Array, numSegments: number): DataId {
    const width = sizeOf(table.shape.slice(1));
    const out = scratch(computeType(table.dtype), numSegments * width) as FloatArray;
    const args = [num(scale), num(table), rowIds, segmentIds, width, out] as const;
    // split where half the entries fall on each side (popular items bunch up at low ids),
    // found only when the work is big enough to split at all
    const work = segmentIds.length * width;
    const split = { mustBeShared: [1], minWork: ROW_MIN_WORK, split: work >= ROW_MIN_WORK ? balancedSplit(segmentIds, numSegments) : undefined };
    const [sc, tb, ids] = args;
    if (isF32(sc, tb, out) && wasmSegmentSumScaled(sc as Float32Array, tb as Float32Array, ids, segmentIds, width, out as Float32Array, numSegments, split.split)) {
      return this.out(out, table.dtype);
    }
    if (!parallelRows(segmentSumScaledSegments, [...args], numSegments, work, split)) {
      segmentSumScaledSegments(...args, 0, numSegments);
    }
    return this.out(out, table.dtype);
  }

  // ---- softmax family ---------------------------------------------------------------
  softmax(x: TensorInfo): DataId {
    const out = scratch(computeType(x.dtype), sizeOf(x.shape)) as FloatArray;
    softmaxInto(float(x), x.shape[x.shape.length - 1], out, false);
    return this.out(out, x.dtype);
  }

  logSoftmax(x: TensorInfo): DataId {
    const out = scratch(computeType(x.dtype), sizeOf(x.shape)) as FloatArray;
    softmaxInto(float(x), x.shape[x.shape.length - 1], out, true);
    return this.out(out, x.dtype);
  }

  logSumExp(x: TensorInfo): DataId {
    const cols = x.shape[x.shape.length - 1];
    const out = scratch(computeType(x.dtype), sizeOf(x.shape) / Math.max(cols, 1)) as FloatArray;
    logSumExpInto(float(x), cols, out);
    return this.out(out, x.dtype);
  }

  multinomialNLL(logits: TensorInfo, targets: CSRInfo): { loss: DataId; stats: DataId } {
    const dt = computeType(logits.dtype);
    const stats = scratch(dt, 2 * targets.shape[0]) as FloatArray;
    const loss = scratch(dt, 1);
    loss[0] = multinomialNLLInto(float(logits), logits.shape[1], targets, stats);
    return { loss: this.out(loss, logits.dtype), stats: this.out(stats, logits.dtype) };
  }

  multinomialNLLGrad(logits: TensorInfo, stats: TensorInfo, targets: CSRInfo, dy: TensorInfo): DataId {
    const g = scratch(computeType(logits.dtype), sizeOf(logits.shape)) as FloatArray;
    multinomialNLLGradInto(float(logits), float(stats), logits.shape[1], targets, num(dy)[0], g);
    return this.out(g, logits.dtype);
  }

  // ---- optimizers -----------------------------------------------------------------
  sgdUpdate(w: TensorInfo, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void {
    const W = mutable(w);
    const V = velocity ? mutable(velocity) : null;
    optim.sgdDense(W.arr, float(grad), V ? V.arr : null, opts);
    W.commit(); V?.commit();
  }

  adamUpdate(w: TensorInfo, grad: TensorInfo, m: TensorInfo, v: TensorInfo, step: number, opts: AdamOptions): void {
    const W = mutable(w); const Mm = mutable(m); const Vv = mutable(v);
    const g = float(grad);
    // a big float32 tensor: the lazy-Adam SIMD kernel over all of its rows (arena arrays only)
    const width = w.shape.length > 1 ? w.shape[w.shape.length - 1] : sizeOf(w.shape);
    const rows = width > 0 ? sizeOf(w.shape) / width : 0;
    if (rows > 0 && W.arr.length >= ROW_MIN_WORK && isF32(W.arr, g, Mm.arr, Vv.arr)) {
      const all = Int32Array.from({ length: rows }, (_, r) => r);
      const steps = new Int32Array(rows).fill(step);
      if (wasmAdamRows(W.arr as Float32Array, g as Float32Array, Mm.arr as Float32Array, Vv.arr as Float32Array, all, steps, width,
        opts.lr, opts.beta1, opts.beta2, opts.eps, opts.weightDecay)) {
        W.commit(); Mm.commit(); Vv.commit();
        return;
      }
    }
    optim.adamDense(W.arr, g, Mm.arr, Vv.arr, step, opts);
    W.commit(); Mm.commit(); Vv.commit();
  }

  adagradUpdate(w: TensorInfo, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void {
    const W = mutable(w); const H = mutable(h);
    optim.adagradDense(W.arr, float(grad), H.arr, opts);
    W.commit(); H.commit();
  }

  sparseSgdUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void {
    const W = mutableRows(w, rows);
    const V = velocity ? mutable(velocity) : null;
    optim.sgdSparse(W.arr, W.target, float(grad), V ? V.arr : null, opts);
    W.commit(); V?.commit();
  }

  sparseAdamUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, m: TensorInfo, v: TensorInfo,
    rowSteps: Int32Array, opts: AdamOptions): void {
    const W = mutableRows(w, rows); const Mm = mutable(m); const Vv = mutable(v);
    if (W.target.compactWeights) optim.adamSparse(W.arr, W.target, float(grad), Mm.arr, Vv.arr, rowSteps, opts);
    else {
      const width = W.target.width;
      const args = [W.arr, float(grad), Mm.arr, Vv.arr, rows, rowSteps, width, opts.lr, opts.beta1, opts.beta2, opts.eps, opts.weightDecay] as const;
      const [w32, g32, m32, v32] = args;
      if (isF32(w32, g32, m32, v32) && wasmAdamRows(w32 as Float32Array, g32 as Float32Array, m32 as Float32Array, v32 as Float32Array, rows, rowSteps, width, opts.lr, opts.beta1, opts.beta2, opts.eps, opts.weightDecay)) {
        W.commit(); Mm.commit(); Vv.commit();
        return;
      }
      const split = { mustBeShared: [0, 2, 3], minWork: ROW_MIN_WORK };
      if (!parallelRows(optim.adamSparseRows, [...args], rows.length, rows.length * width, split)) optim.adamSparseRows(...args, 0, rows.length);
    }
    W.commit(); Mm.commit(); Vv.commit();
  }

  sparseAdagradUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void {
    const W = mutableRows(w, rows); const H = mutable(h);
    optim.adagradSparse(W.arr, W.target, float(grad), H.arr, opts);
    W.commit(); H.commit();
  }
}

export function createCpuBackend(): Backend {
  return new CpuBackend();
}
