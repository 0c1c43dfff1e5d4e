/**
 * The kernel interface: what a backend implements. Ops (ops/) call nothing else, and nothing
 * outside ops/ and core/ calls kernels (test/core/layering.test.ts reads the imports).
 *
 * It has two parts.
 *
 * **Primitives** — the small set every backend must write. With these alone a backend trains
 * every model (tested: test/backends/minimal.test.ts trains MF, DeepMF and Mult-VAE on a
 * CPU backend with every acceleration hidden and gets the full backend's losses). The set is
 * what cannot be composed from the rest, or only at a cost no backend should pay:
 *   storage     write / zeros / readSync / read / overwrite / copy / dispose / memory
 *   elementwise unary (neg exp log sqrt abs sign isfinite), binary with NumPy broadcasting
 *               (add sub mul div pow maximum minimum equal greater less), where, cast
 *   reduce      sum / max / min over any axes
 *   matmul      2-D, with transpose flags (a transpose would otherwise cost a pass)
 *   spmm        CSR × dense: the sparse input of user-row models, never densified
 *   layout      transpose, slice, concat (reshape is a `copy` under a new shape)
 *   rows        gatherRows (embedding lookup) and segmentSumRows (its backward, and the
 *               merge of row-sparse gradients)
 * Why these unary ops and not fewer: `isfinite` cannot be composed reliably where shader
 * compilers assume finite maths (x − x folds to 0, NaN compares true), and AMP needs it
 * exact; `abs`/`sign` make the losses' stable forms; the rest are the transcendental basis.
 * Primitives change nothing in place except `overwrite` (host values into a buffer): every
 * in-place update of the references goes through `Tensor.assign`, which swaps storage.
 *
 * **Accelerations** — all optional. Each replaces one composition of primitives by a single
 * kernel (fewer passes over memory, no temporaries, or in-place row writes), and each has a
 * reference composition — the fallback when a backend lacks it, and the oracle it is tested
 * against (test/helpers/accelerations.ts, run on the CPU, WebGL and WebGPU):
 *   fusedUnary            relu step sigmoid tanh softplus log1p square reciprocal   ops/elementwise.ts
 *   softmax, logSoftmax, logSumExp (last axis)                                   ops/nn.ts
 *   gatherDot, segmentSumScaledRows (matrix factorization's forward and backward) ops/fused.ts
 *   gatherConcat, segmentSumColumns (DeepMF's embeddings side by side; backward)  ops/gather-concat.ts
 *   scatterAddRows (in place)                                                    ops/rows.ts
 *   dense, denseGrad (x·w + bias, relu; and its backward)                        ops/dense.ts
 *   mse, mseGrad (mean squared error and its backward)                           ops/losses.ts
 *   multinomialNLL, multinomialNLLGrad (log-softmax + multinomial likelihood)    ops/recsys-losses.ts
 *   sgd / adam / adagrad updates, dense and row-sparse (in place)                models/optim/
 * An acceleration replaces the forward computation of one graph node; the node and its
 * backward are the same on every backend, so a backend with or without it gives the same
 * losses (to float32 rounding).
 *
 * **Ids** cross the interface as host `Int32Array`s, everywhere: every id in this framework is
 * born on the host (a batch's user and item columns, the unique ids of a row-sparse
 * gradient), the backward needs them there (sorting duplicates, range checks), and GPUs here
 * cannot hold them as integers (headless-gl's vertex shaders read R32I textures as 0) — a GPU
 * backend uploads them in the form it can use (WebGL: R32F textures, exact below 2^24).
 *
 * A backend stores tensor data behind an opaque `DataId` it owns; every kernel returns a new
 * DataId except the in-place ones (`overwrite`, `scatterAddRows`, the optimizer updates).
 * Shapes and dtypes of outputs are decided by the op layer, which validates everything
 * first: kernels may assume well-formed arguments.
 */
import type { DType, TypedArray } from './dtype.js';

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

/** The primitive one-input ops. */
export type UnaryOp = 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'sign' | 'isfinite';

/** Unary functions that compose from primitives; `fusedUnary` computes one in a single pass. */
export type FusedUnaryOp = 'relu' | 'step' | 'sigmoid' | 'tanh' | 'softplus' | 'log1p' | 'square' | 'reciprocal';

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

/** The kernels every backend must implement. */
export interface Primitives {
  readonly name: string;

  // ---- storage -------------------------------------------------------------
  /** Copies `values` (already in `dtype`'s storage type) into a new buffer. */
  write(values: TypedArray, dtype: DType): DataId;
  /** A new zero-filled buffer. */
  zeros(size: number, dtype: DType): DataId;
  /** The values, in the dtype's storage type. The caller must not modify them. */
  readSync(id: DataId): TypedArray;
  read(id: DataId): Promise<TypedArray>;
  /** Overwrites a buffer's contents in place with host values (same size, storage type). */
  overwrite(id: DataId, values: TypedArray): void;
  /** A new buffer holding the same values (same dtype). */
  copy(x: TensorInfo): DataId;
  dispose(id: DataId): void;
  memory(): MemoryInfo;

  // ---- elementwise ---------------------------------------------------------
  unary(op: UnaryOp, x: TensorInfo, outDtype: DType): DataId;
  /** NumPy broadcasting; `outShape` is the broadcast shape. */
  binary(op: BinaryOp, a: TensorInfo, b: TensorInfo, outShape: readonly number[], outDtype: DType): DataId;
  /** cond ? a : b elementwise (all three the same shape; cond is true where nonzero). */
  where(cond: TensorInfo, a: TensorInfo, b: TensorInfo, outDtype: DType): DataId;
  /** The values converted to `dtype` (float → int32 truncates toward zero). */
  cast(x: TensorInfo, dtype: DType): DataId;

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
  /** table [N, ...row] gathered at `ids` → [ids.length, ...row]. Ids are already range-checked. */
  gatherRows(table: TensorInfo, ids: Int32Array): DataId;
  /**
   * out[segmentIds[i]] += values[i] for rows i of values [n, ...row]; out has `numSegments`
   * rows, zero where no id points. The backward of gather and the merge of RowSparse gradients.
   */
  segmentSumRows(values: TensorInfo, segmentIds: Int32Array, numSegments: number): DataId;

  /** Frees everything the backend holds (contexts, pools). */
  destroy?(): void;
}

/** Optional kernels; each is named next to its reference composition in the header above. */
export interface Accelerations {
  /** One of the composed unary functions in one pass. */
  fusedUnary(op: FusedUnaryOp, x: TensorInfo, outDtype: DType): DataId;

  // ---- softmax family (last axis, row max subtracted first) -------------------
  softmax(x: TensorInfo): DataId;
  logSoftmax(x: TensorInfo): DataId;
  /** log Σ exp over the last axis → shape without the last axis. */
  logSumExp(x: TensorInfo): DataId;

  // ---- embedding rows -----------------------------------------------------------
  /** out[i] = Σ_d a[aIds[i], d] · b[bIds[i], d]: a batch of embedding dot products, no gathered copies. */
  gatherDot(a: TensorInfo, b: TensorInfo, aIds: Int32Array, bIds: Int32Array): DataId;
  /**
   * out[segmentIds[i]] += scale[i] · table[rowIds[i]] → [numSegments, D]: the backward of
   * gatherDot for one side, fused with the segment sum that makes it row-sparse.
   */
  segmentSumScaledRows(scale: TensorInfo, table: TensorInfo, rowIds: Int32Array, segmentIds: Int32Array, numSegments: number): DataId;
  /** In place: target[rows[i]] += values[i] (rows may repeat). */
  scatterAddRows(target: TensorInfo, rows: Int32Array, values: TensorInfo): void;
  /**
   * concat([table_0[ids_0], …, table_k[ids_k]], 1) → [n, Σ widths] for 2-D tables of one
   * dtype and n ids each: embedding lookups written side by side, no per-table copies.
   */
  gatherConcat(tables: readonly TensorInfo[], ids: readonly Int32Array[]): DataId;
  /**
   * out[segmentIds[i]] += values[i, offset : offset + width] → [numSegments, width] for a 2-D
   * values: the segment sum of a column window (one table's share of gatherConcat's gradient).
   */
  segmentSumColumns(values: TensorInfo, offset: number, width: number, segmentIds: Int32Array, numSegments: number): DataId;

  // ---- dense layer ------------------------------------------------------------------
  /**
   * act(x[M,K] · w[K,N] + bias[N]) → [M,N] (bias may be null): one kernel instead of
   * matmul, a broadcast add and an activation. All inputs share one float dtype.
   */
  dense(x: TensorInfo, w: TensorInfo, bias: TensorInfo | null, activation: Activation): DataId;
  /**
   * The backward of dense's bias and activation from its output y: dz = act'(y)·dy [M,N]
   * (relu: dy where y > 0) and, when `biasGrad`, Σ over rows of dz [N], in one pass.
   */
  denseGrad(y: TensorInfo, dy: TensorInfo, activation: Activation, biasGrad: boolean): { dz: DataId; dBias: DataId | null };

  // ---- rating models' loss --------------------------------------------------------------
  /**
   * mean((pred − labels)²) over all elements → a 1-element tensor (pred and labels hold the
   * same number of elements, both float32). On a GPU the composition is four dispatches
   * forward and four backward; fused, one each.
   */
  mse(pred: TensorInfo, labels: TensorInfo): DataId;
  /** Its gradient for pred, dy the upstream 1-element gradient (read where it lives): (dy/n)·2(pred − labels), pred's shape. */
  mseGrad(pred: TensorInfo, labels: TensorInfo, dy: TensorInfo): DataId;

  // ---- user-row models' loss -----------------------------------------------------------
  /**
   * Log-softmax + multinomial log-likelihood of logits [B, N] against CSR targets x:
   * loss = −(1/B) Σ_u Σ_i x_ui log softmax(z_u)_i (0-d), and per-row stats [B, 2] kept for the
   * backward: m_u = max_i z_ui and ls_u = log Σ_i exp(z_ui − m_u) (so lse_u = m_u + ls_u).
   */
  multinomialNLL(logits: TensorInfo, targets: CSRInfo): { loss: DataId; stats: DataId };
  /** Its gradient, dy the upstream 0-d gradient: (dy/B)·((Σ_i x_ui)·exp(z_u − m_u − ls_u) − x_u) [B, N]. */
  multinomialNLLGrad(logits: TensorInfo, stats: TensorInfo, targets: CSRInfo, dy: TensorInfo): DataId;

  // ---- fused optimizer updates (in place on weight and state) -----------------------
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
}

/** A backend: every primitive, and whichever accelerations it has. */
export type Backend = Primitives & Partial<Accelerations>;

/** The primitive kernels by name (`destroy` is a lifecycle hook, not a kernel). */
export const PRIMITIVES = [
  'write', 'zeros', 'readSync', 'read', 'overwrite', 'copy', 'dispose', 'memory',
  'unary', 'binary', 'where', 'cast', 'reduce', 'matmul', 'spmm',
  'transpose', 'slice', 'concat', 'gatherRows', 'segmentSumRows',
] as const satisfies readonly (keyof Primitives)[];

/** The accelerations by name. */
export const ACCELERATIONS = [
  'fusedUnary', 'softmax', 'logSoftmax', 'logSumExp',
  'gatherDot', 'segmentSumScaledRows', 'scatterAddRows', 'gatherConcat', 'segmentSumColumns',
  'dense', 'denseGrad', 'mse', 'mseGrad', 'multinomialNLL', 'multinomialNLLGrad',
  'sgdUpdate', 'adamUpdate', 'adagradUpdate', 'sparseSgdUpdate', 'sparseAdamUpdate', 'sparseAdagradUpdate',
] as const satisfies readonly (keyof Accelerations)[];

/**
 * A view of `backend` with its primitives only: what a new backend starts as. Tensors made
 * on it are the inner backend's storage, so it needs no kernels of its own; the tests run
 * every model on such a view and compare against the full backend.
 */
export function primitivesOnly(backend: Backend, name = `${backend.name}-primitives`): Backend {
  const view: Record<string, unknown> = { name };
  for (const kernel of PRIMITIVES) {
    const fn = backend[kernel] as (...args: unknown[]) => unknown;
    view[kernel] = fn.bind(backend);
  }
  return view as unknown as Backend;
}
