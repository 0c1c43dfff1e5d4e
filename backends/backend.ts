/**
 * The kernel interface. Every backend (cpu, webgl) implements exactly this; ops in `ops/`
 * call nothing else. A backend stores tensor data behind an opaque `DataId` it owns, and
 * every kernel returns a new DataId except the `*Update` kernels, which change a weight (and
 * its optimizer state) in place — the WebGL backend may swap the texture behind a DataId to
 * do that, which is why a DataId is a mutable handle and never the data itself.
 *
 * Shapes and dtypes of outputs are decided by the op layer, which validates everything
 * first: kernels may assume well-formed arguments.
 */
import type { DType, TypedArray } from '../core/dtype.js';

/** A backend's handle to one tensor's storage. */
export type DataId = object;

/** What a kernel needs to know about an input tensor. `Tensor` satisfies it. */
export interface TensorInfo {
  readonly dataId: DataId;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A compressed-sparse-row matrix on the host (see core/csr.ts). */
export interface CSRInfo {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  readonly shape: readonly [number, number];
}

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'abs' | 'sign' | 'square' | 'reciprocal'
  | 'relu' | 'step' | 'sigmoid' | 'tanh' | 'softplus' | 'log1p' | 'isfinite';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'equal' | 'greater' | 'less';

export type ReduceOp = 'sum' | 'max' | 'min';
/** The activation fused into a dense layer ('linear' = none). */
export type Activation = 'relu' | 'linear';

export interface SGDOptions {
  lr: number;
  momentum: number;
  weightDecay: number;
}

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface AdaGradOptions {
  lr: number;
  eps: number;
  weightDecay: number;
}

export interface MemoryInfo {
  /** live DataIds */
  numBuffers: number;
  /** bytes held by live DataIds */
  numBytes: number;
  /** bytes the backend holds from the system, live or kept for reuse (the CPU arena, which never shrinks) */
  reservedBytes?: number;
}

export interface Backend {
  readonly name: string;

  // ---- storage -------------------------------------------------------------
  /** Copies `values` (already in `dtype`'s storage type) into a new buffer. */
  write(values: TypedArray, dtype: DType): DataId;
  /** A new zero-filled buffer. */
  zeros(size: number, dtype: DType): DataId;
  /** The values, in the dtype's storage type. The caller must not modify them. */
  readSync(id: DataId): TypedArray;
  read(id: DataId): Promise<TypedArray>;
  /** Overwrites a buffer's contents in place (same size and dtype). */
  overwrite(id: DataId, values: TypedArray): void;
  dispose(id: DataId): void;
  memory(): MemoryInfo;

  // ---- elementwise ---------------------------------------------------------
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): DataId;
  /** NumPy broadcasting; `outShape` is the broadcast shape. */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataId;
  /** cond ? a : b elementwise (all three the same shape). */
  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outDtype: DType): DataId;
  cast(x: TensorInfo, dtype: DType): DataId;
  /** out[i] = a[i] + alpha * b[i], same shapes (used for gradient accumulation). */
  axpy(a: TensorInfo, b: TensorInfo, alpha: number): DataId;

  // ---- reductions ----------------------------------------------------------
  /** Reduces over sorted unique `axes`; the output has x's shape with those axes removed. */
  reduce(op: ReduceOp, x: TensorInfo, axes: readonly number[]): DataId;

  // ---- linear algebra ------------------------------------------------------
  /** 2-D: op(a)[M,K] · op(b)[K,N] → [M,N], op = transpose when the flag is set. */
  matmul(a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): DataId;
  /** CSR [M,K] · dense b [K,N] → dense [M,N]. */
  spmm(a: CSRInfo, b: TensorInfo): DataId;

  // ---- layout --------------------------------------------------------------
  transpose(x: TensorInfo, perm: readonly number[]): DataId;
  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): DataId;
  concat(xs: readonly TensorInfo[], axis: number): DataId;

  // ---- rows (embeddings) ---------------------------------------------------
  /** table [N, ...row] gathered at int32 ids [n] → [n, ...row]. Ids are already range-checked. */
  gatherRows(table: TensorInfo, ids: TensorInfo): DataId;
  /**
   * out[segmentIds[i]] += values[i] for rows i of values [n, ...row]; out has
   * `numSegments` rows. The backward of gather and the merge of RowSparse gradients.
   */
  segmentSumRows(values: TensorInfo, segmentIds: Int32Array, numSegments: number): DataId;
  /** In place: target[rows[i]] += values[i] (rows may repeat). */
  scatterAddRows(target: TensorInfo, rows: Int32Array, values: TensorInfo): void;

  // ---- softmax family (last axis) ------------------------------------------
  softmax(x: TensorInfo): DataId;
  logSoftmax(x: TensorInfo): DataId;
  /** log Σ exp over the last axis → shape without the last axis. */
  logSumExp(x: TensorInfo): DataId;

  // ---- fused optimizer updates (in place on weight and state) -----------------
  /** Dense SGD: g' = g + wd·w; v = μ·v + g' (when velocity); w -= lr·(v or g'). */
  sgdUpdate(w: TensorInfo, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void;
  /** Dense Adam with bias correction for step `step` (1-based). */
  adamUpdate(w: TensorInfo, grad: TensorInfo, m: TensorInfo, v: TensorInfo, step: number, opts: AdamOptions): void;
  adagradUpdate(w: TensorInfo, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void;
  /**
   * Lazy (row-sparse) updates: only rows `rows` (sorted, unique) of w and its state change;
   * grad is [rows.length, ...row]. Same arithmetic as the dense kernels, row by row.
   */
  sparseSgdUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, velocity: TensorInfo | null, opts: SGDOptions): void;
  /** `rowSteps[i]` is the 1-based Adam step count of row rows[i] (after this update). */
  sparseAdamUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, m: TensorInfo, v: TensorInfo,
    rowSteps: Int32Array, opts: AdamOptions): void;
  sparseAdagradUpdate(w: TensorInfo, rows: Int32Array, grad: TensorInfo, h: TensorInfo, opts: AdaGradOptions): void;

  // ---- optional fused kernels (ops fall back to composing the primitives above) ----
  /** out[i] = Σ_d a[aIds[i], d] · b[bIds[i], d]: a batch of embedding dot products, no gathered copies. */
  gatherDot?(a: TensorInfo, b: TensorInfo, aIds: TensorInfo, bIds: TensorInfo): DataId;
  /**
   * out[segmentIds[i]] += scale[i] · table[rowIds[i]] → [numSegments, D]: the backward of
   * gatherDot for one side, fused with the segment sum that makes it row-sparse.
   */
  segmentSumScaledRows?(scale: TensorInfo, table: TensorInfo, rowIds: TensorInfo, segmentIds: Int32Array, numSegments: number): DataId;
  /**
   * A dense layer, act(x[M,K] · w[K,N] + bias[N]) → [M,N] (bias may be null): one kernel
   * instead of matmul, a broadcast add and an activation. All inputs share one dtype.
   */
  dense?(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, activation: Activation): DataId;
  /**
   * The backward of dense's bias and activation from its output y: dz = act'(y)·dy [M,N]
   * (relu: dy where y > 0) and, when `biasGrad`, Σ over rows of dz [N], in one pass.
   */
  denseGrad?(y: TensorInfo, dy: TensorInfo, activation: Activation, biasGrad: boolean): { dz: DataId; dBias: DataId | null };

  /** Frees everything the backend holds (contexts, pools). */
  destroy?(): void;
}
