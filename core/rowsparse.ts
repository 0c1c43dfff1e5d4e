/**
 * RowSparse: the gradient of an embedding table when a batch touched only some rows.
 *
 * A table [N, D] looked up at batch ids gets gradient only in the rows those ids name.
 * Storing it densely costs O(N·D) per step (and an O(N·D) optimizer pass); storing the
 * touched rows costs O(batch·D). `indices` are sorted and unique, `values[i]` is the
 * gradient of row `indices[i]`, and `denseShape` is the table's shape. How two gradients of
 * one tensor are summed (RowSparse + RowSparse stays RowSparse) is autograd's rule:
 * core/autograd.ts `accumulate`. The sorted unique ids come from core/unique.ts.
 */
import { Tensor } from './tensor.js';
import { fmtShape, sizeOf } from './shape.js';

export { uniqueSorted } from './unique.js';

declare module './tensor.js' {
  interface GradientKinds {
    rowSparse: RowSparse;
  }
}

export class RowSparse {
  readonly isRowSparse = true;
  readonly indices: Int32Array;
  readonly values: Tensor;
  readonly denseShape: readonly number[];

  constructor(indices: Int32Array, values: Tensor, denseShape: readonly number[]) {
    if (values.shape[0] !== indices.length) {
      throw new Error(`RowSparse: ${indices.length} indices but values have ${values.shape[0]} rows (shape ${fmtShape(values.shape)})`);
    }
    if (sizeOf(values.shape.slice(1)) !== sizeOf(denseShape.slice(1))) {
      throw new Error(`RowSparse: row shape of values ${fmtShape(values.shape)} does not match dense shape ${fmtShape(denseShape)}`);
    }
    // one compare against the previous index (−1 before the first) covers order, uniqueness and
    // r ≥ 0; the bound in a local: V8 re-read denseShape[0] on every pass (3× the loop's time)
    const rows = denseShape[0];
    for (let i = 0, prev = -1; i < indices.length; i++) {
      const r = indices[i];
      if (r <= prev || r >= rows) {
        throw new Error(`RowSparse: indices must be sorted, unique and in [0, ${rows}); found ${r} at position ${i}`);
      }
      prev = r;
    }
    this.indices = indices;
    this.values = values;
    this.denseShape = Object.freeze(denseShape.slice());
  }

  /** Number of stored rows. */
  get nnz(): number {
    return this.indices.length;
  }

  get dtype() {
    return this.values.dtype;
  }

  /** The dense [N, ...] gradient (O(N·D); for comparisons and `lazy: false`). */
  toDense(): Tensor {
    const b = this.values.backend;
    const id = b.segmentSumRows(this.values, this.indices, this.denseShape[0]);
    return new Tensor(id, this.denseShape, this.values.dtype, b);
  }

  dispose(): void {
    this.values.dispose();
  }

  toString(): string {
    return `RowSparse(${fmtShape(this.denseShape)}, ${this.nnz} rows)`;
  }
}

export function isRowSparse(x: unknown): x is RowSparse {
  return x instanceof RowSparse;
}
