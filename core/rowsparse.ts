/**
 * RowSparse: the gradient of an embedding table when a batch touched only some rows.
 *
 * A table [N, D] looked up at batch ids gets gradient only in the rows those ids name.
 * Storing it densely costs O(N·D) per step (and an O(N·D) optimizer pass); storing the
 * touched rows costs O(batch·D). `indices` are sorted and unique, `values[i]` is the
 * gradient of row `indices[i]`, and `denseShape` is the table's shape.
 */
import { engine } from './engine.js';
import { Tensor } from './tensor.js';
import { fmtShape, shapesEqual, sizeOf } from './shape.js';

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
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (r < 0 || r >= denseShape[0] || (i > 0 && indices[i - 1] >= r)) {
        throw new Error(`RowSparse: indices must be sorted, unique and in [0, ${denseShape[0]}); found ${r} at position ${i}`);
      }
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

/**
 * Sorted unique ids plus, for each input position, the position of its id among them.
 * O(n + u log u) for u unique ids: a marker array (reused between calls, reset after use)
 * finds the unique ids in one pass, then only those are sorted — never O(table rows) work.
 * When the ids are dense in [0, maxId] (a big batch over a small table: 23k of 138k users),
 * reading the marker array in order is cheaper than sorting, and gives the same result.
 */
let marker = new Int32Array(0);

export function uniqueSorted(ids: Int32Array | ArrayLike<number>): { unique: Int32Array; inverse: Int32Array } {
  const n = ids.length;
  const inverse = new Int32Array(n);
  if (n === 0) return { unique: new Int32Array(0), inverse };
  let maxId = 0;
  for (let i = 0; i < n; i++) if (ids[i] > maxId) maxId = ids[i];
  if (maxId >= marker.length) {
    marker = new Int32Array(Math.max(maxId + 1, marker.length * 2));
    marker.fill(-1);
  }
  const found = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (marker[id] < 0) {
      marker[id] = count;
      found[count++] = id;
    }
  }
  let unique: Int32Array;
  if (maxId < count * 8) {
    unique = new Int32Array(count);
    for (let id = 0, j = 0; id <= maxId; id++) if (marker[id] >= 0) { unique[j] = id; marker[id] = j++; }
  } else {
    unique = found.slice(0, count).sort();
    for (let j = 0; j < count; j++) marker[unique[j]] = j;
  }
  for (let i = 0; i < n; i++) inverse[i] = marker[ids[i]];
  for (let j = 0; j < count; j++) marker[unique[j]] = -1;
  return { unique, inverse };
}

/** RowSparse + RowSparse: union of rows, values of shared rows summed (one segment sum). */
export function mergeRowSparse(a: RowSparse, b: RowSparse): RowSparse {
  if (!shapesEqual(a.denseShape, b.denseShape)) {
    throw new Error(`RowSparse merge: dense shapes ${fmtShape(a.denseShape)} and ${fmtShape(b.denseShape)} differ`);
  }
  const all = new Int32Array(a.nnz + b.nnz);
  all.set(a.indices, 0);
  all.set(b.indices, a.nnz);
  const { unique, inverse } = uniqueSorted(all);
  const backend = a.values.backend;
  const catId = backend.concat([a.values, b.values], 0);
  const cat = new Tensor(catId, [all.length, ...a.values.shape.slice(1)], a.values.dtype, backend);
  const summed = backend.segmentSumRows(cat, inverse, unique.length);
  cat.dispose();
  const values = new Tensor(summed, [unique.length, ...a.values.shape.slice(1)], a.values.dtype, backend);
  return new RowSparse(unique, values, a.denseShape);
}

/** dense + RowSparse = dense: a copy of the dense tensor with the rows added in. */
export function addRowSparseToDense(dense: Tensor, sparse: RowSparse): Tensor {
  if (!shapesEqual(dense.shape, sparse.denseShape)) {
    throw new Error(`gradient accumulation: dense ${fmtShape(dense.shape)} + RowSparse ${fmtShape(sparse.denseShape)}`);
  }
  const backend = dense.backend;
  const copy = new Tensor(backend.cast(dense, dense.dtype), dense.shape, dense.dtype, backend);
  backend.scatterAddRows(copy, sparse.indices, sparse.values);
  return copy;
}

/** Keeps the RowSparse's values alive across `tidy`. */
export function keepGradient(g: Tensor | RowSparse): void {
  engine.keep(g instanceof RowSparse ? g.values : g);
}
