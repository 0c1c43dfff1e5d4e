/**
 * Tensor: a shape, a dtype and a handle to storage owned by one backend. Tensors are
 * immutable from the outside (only optimizers update parameters in place, through fused
 * kernels). A tensor made by an op while gradients are recorded carries a `node`: the op
 * that made it, its inputs and how to send a gradient back to them (see autograd.ts).
 */
import type { Backend, DataId } from '../backends/backend.js';
import { bytesPerElement, type DType, type TypedArray } from './dtype.js';
import { engine } from './engine.js';
import { decodeHalfArray } from './float16.js';
import { fmtShape, sizeOf } from './shape.js';
import type { RowSparse } from './rowsparse.js';
import { backward as runBackward, type BackwardOptions, type GradNode } from './autograd.js';

/** A parameter's gradient: dense, or row-sparse (from embedding lookups). */
export type Gradient = Tensor | RowSparse;

export type NestedArray = number | NestedArray[];

/** Ops the Tensor methods delegate to; filled in by ops/index.ts (core does not import ops). */
export const tensorMethods: {
  cast?: (x: Tensor, dtype: DType) => Tensor;
  reshape?: (x: Tensor, shape: readonly number[]) => Tensor;
} = {};

export class Tensor {
  readonly isTensor = true;
  readonly id: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** Storage handle, owned by `backend`. */
  dataId: DataId;
  readonly backend: Backend;
  /** Leaves with requiresGrad receive `.grad` from backward(). */
  requiresGrad = false;
  grad: Gradient | null = null;
  /** The op that produced this tensor (null for leaves and when not recording). */
  node: GradNode | null = null;
  /** Kept tensors (variables, gradients, optimizer state) survive `tidy`. */
  kept = false;
  isDisposed = false;
  name?: string;

  constructor(dataId: DataId, shape: readonly number[], dtype: DType, backend: Backend) {
    this.id = engine.newTensorId();
    this.dataId = dataId;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.backend = backend;
    engine.track(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Logical bytes of the values (size × bytes per element). */
  get bytes(): number {
    return this.size * bytesPerElement(this.dtype);
  }

  private assertAlive(where: string): void {
    if (this.isDisposed) {
      throw new Error(`${where}: tensor ${this.describe()} was disposed`);
    }
  }

  describe(): string {
    return `${this.name ? `'${this.name}' ` : ''}#${this.id} ${fmtShape(this.shape)} ${this.dtype}`;
  }

  /**
   * The values as a flat typed array (float16 decoded to Float32Array). On the CPU backend
   * this is a copy; never mutate storage through it.
   */
  dataSync(): Float32Array | Float64Array | Int32Array {
    this.assertAlive('dataSync');
    const raw = this.backend.readSync(this.dataId);
    return toUserArray(raw, this.dtype);
  }

  async data(): Promise<Float32Array | Float64Array | Int32Array> {
    this.assertAlive('data');
    const raw = await this.backend.read(this.dataId);
    return toUserArray(raw, this.dtype);
  }

  /** The raw storage (float16 as Uint16Array bits). Do not mutate. */
  rawSync(): TypedArray {
    this.assertAlive('rawSync');
    return this.backend.readSync(this.dataId);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor ${this.describe()} has ${this.size} elements, not 1`);
    return this.dataSync()[0];
  }

  /** Nested JavaScript arrays, shaped like the tensor. */
  arraySync(): NestedArray {
    const flat = this.dataSync();
    if (this.rank === 0) return flat[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.rank - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }

  /** Frees the storage now (GPU textures are not garbage collected). Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    engine.untrack(this);
    this.backend.dispose(this.dataId);
    this.node = null;
  }

  /** A copy in another dtype (differentiable between float types). */
  cast(dtype: DType): Tensor {
    return tensorMethods.cast!(this, dtype);
  }

  reshape(shape: readonly number[]): Tensor {
    return tensorMethods.reshape!(this, shape);
  }

  /** Reverse-mode autodiff from this tensor (a scalar loss unless `grad` is given). */
  backward(grad?: Tensor, options?: BackwardOptions): void {
    this.assertAlive('backward');
    runBackward(this, grad, options);
  }

  toString(): string {
    const values = this.isDisposed ? 'disposed' : JSON.stringify(this.size <= 64 ? this.arraySync() : '…');
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}) ${values}`;
  }
}

function toUserArray(raw: TypedArray, dtype: DType): Float32Array | Float64Array | Int32Array {
  if (dtype === 'float16') return decodeHalfArray(raw as Uint16Array);
  return (raw as Float32Array | Float64Array | Int32Array).slice();
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}
