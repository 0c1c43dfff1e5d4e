/**
 * Tensor: a shape, a dtype and a handle to storage owned by one backend. Ops never change a
 * tensor's values; `assign` does (optimizers, checkpoints), by replacing its storage, so a
 * variable keeps its identity. A tensor made by an op while gradients are recorded carries a
 * `node`: the op that made it, its inputs and how to send a gradient back to them (see
 * autograd.ts).
 *
 * This file imports only the engine and the kernel interface: autograd (above it) and the
 * ops (above that) plug in the methods that need them through `tensorMethods`.
 */
import type { Backend, DataId } from './kernels.js';
import { bytesPerElement, toStorage, type DType, type TypedArray } from './dtype.js';
import { engine } from './engine.js';
import { decodeHalfArray } from './float16.js';
import { fmtShape, shapesEqual, sizeOf } from './shape.js';

/**
 * The kinds of gradient a parameter can receive: dense here, and `rowSparse` added by
 * core/rowsparse.ts (TypeScript merges the two declarations), so this file does not import
 * the file that imports it.
 */
export interface GradientKinds {
  dense: Tensor;
}
/** A parameter's gradient: dense, or row-sparse (from embedding lookups). */
export type Gradient = GradientKinds[keyof GradientKinds];

/** One node of the autograd graph (core/autograd.ts). */
export interface GradNode {
  /** the op's name, for error messages */
  op: string;
  inputs: Tensor[];
  /** One gradient (or null: no gradient) per input, given the output's gradient. */
  backward: (dy: Tensor) => (Gradient | null)[];
  /** Optional: handles a RowSparse output gradient without densifying it (e.g. cast). */
  sparseBackward?: (dy: Exclude<Gradient, Tensor>) => (Gradient | null)[];
}

export interface BackwardOptions {
  /** keep the graph so backward can run again (default false) */
  retainGraph?: boolean;
  /** throw when a scalar loss is NaN/±inf instead of propagating garbage (default true) */
  checkFinite?: boolean;
}

export type NestedArray = number | NestedArray[];

/**
 * Methods that live above core: `backward` is filled in by core/autograd.ts, `cast` and
 * `reshape` by ops/index.ts.
 */
export const tensorMethods: {
  backward?: (root: Tensor, seed?: Tensor, options?: BackwardOptions) => void;
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
    tensorMethods.backward!(this, grad, options);
  }

  /**
   * Replaces the values in place — from host numbers (as `dataSync` returns them; float16 is
   * encoded here) or from a tensor of the same shape on the same backend (copied, cast to
   * this dtype). The storage behind a tensor changes, the tensor does not: a variable stays
   * the variable its optimizer and its module hold. Not recorded by autograd.
   */
  assign(values: Tensor | ArrayLike<number>): this {
    this.assertAlive('assign');
    if (values instanceof Tensor) {
      if (values.isDisposed) throw new Error(`assign: source ${values.describe()} was disposed`);
      if (!shapesEqual(values.shape, this.shape)) {
        throw new Error(`assign: source shape ${fmtShape(values.shape)} does not match ${this.describe()}`);
      }
      if (values.backend !== this.backend) {
        throw new Error(`assign: source lives on backend '${values.backend.name}', ${this.describe()} on '${this.backend.name}'`);
      }
      const b = this.backend;
      const fresh = values.dtype === this.dtype ? b.copy(values) : b.cast(values, this.dtype);
      b.dispose(this.dataId);
      this.dataId = fresh;
      return this;
    }
    if (values.length !== this.size) {
      throw new Error(`assign: ${values.length} values for ${this.describe()} (${this.size} elements)`);
    }
    this.backend.overwrite(this.dataId, toStorage(values, this.dtype));
    return this;
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
