/**
 * CSR: compressed sparse row matrices, the input format for user rows.
 *
 * A user's row over 20,000+ items is ~1% filled; as a dense float32 matrix ML-20M's
 * 138k × 27k ratings take 14 GB, as CSR a few hundred MB. Row r's entries are
 * `indices[indptr[r] .. indptr[r+1])` (column ids, sorted, unique) with `values` alongside.
 * CSR lives on the host; backends upload what they need for `spmm`.
 */
import { fmtShape } from './shape.js';

export class CSR {
  readonly isCSR = true;
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  readonly shape: readonly [number, number];
  /** per-backend caches (e.g. uploaded textures); owned by the backends */
  readonly cache = new Map<string, unknown>();

  constructor(indptr: Int32Array, indices: Int32Array, values: Float32Array, shape: readonly [number, number], validate = true) {
    this.indptr = indptr;
    this.indices = indices;
    this.values = values;
    this.shape = [shape[0], shape[1]];
    if (validate) validateCSR(this);
  }

  get nnz(): number {
    return this.indices.length;
  }

  get rows(): number {
    return this.shape[0];
  }

  get cols(): number {
    return this.shape[1];
  }

  /** Rows [start, end) as a new CSR (copies the slice; indptr rebased to 0). */
  sliceRows(start: number, end: number): CSR {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.rows || start > end) {
      throw new Error(`CSR.sliceRows: range [${start}, ${end}) is outside the ${this.rows} rows`);
    }
    const a = this.indptr[start];
    const b = this.indptr[end];
    const indptr = new Int32Array(end - start + 1);
    for (let r = start; r <= end; r++) indptr[r - start] = this.indptr[r] - a;
    return new CSR(indptr, this.indices.slice(a, b), this.values.slice(a, b), [end - start, this.cols], false);
  }

  /** The given rows (any order, repeats allowed) as a new CSR batch. */
  selectRows(rows: ArrayLike<number>): CSR {
    let nnz = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!Number.isInteger(r) || r < 0 || r >= this.rows) {
        throw new Error(`CSR.selectRows: row ${r} at position ${i} is outside the ${this.rows} rows`);
      }
      nnz += this.indptr[r + 1] - this.indptr[r];
    }
    const indptr = new Int32Array(rows.length + 1);
    const indices = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    let k = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const a = this.indptr[r];
      const b = this.indptr[r + 1];
      indices.set(this.indices.subarray(a, b), k);
      values.set(this.values.subarray(a, b), k);
      k += b - a;
      indptr[i + 1] = k;
    }
    return new CSR(indptr, indices, values, [rows.length, this.cols], false);
  }

  /** Dense row-major Float32Array (tests and small matrices only). */
  toDense(): Float32Array {
    const [m, n] = this.shape;
    if (m * n > 2 ** 28) throw new Error(`CSR.toDense: ${fmtShape(this.shape)} is too large to densify`);
    const out = new Float32Array(m * n);
    for (let r = 0; r < m; r++) {
      for (let p = this.indptr[r]; p < this.indptr[r + 1]; p++) out[r * n + this.indices[p]] += this.values[p];
    }
    return out;
  }

  /** The transpose as CSR (i.e. this matrix in CSC), O(nnz + cols). */
  transpose(): CSR {
    const [m, n] = this.shape;
    const counts = new Int32Array(n + 1);
    for (let p = 0; p < this.nnz; p++) counts[this.indices[p] + 1]++;
    for (let c = 0; c < n; c++) counts[c + 1] += counts[c];
    const indptr = counts.slice();
    const next = counts.slice(0, n);
    const indices = new Int32Array(this.nnz);
    const values = new Float32Array(this.nnz);
    for (let r = 0; r < m; r++) {
      for (let p = this.indptr[r]; p < this.indptr[r + 1]; p++) {
        const dst = next[this.indices[p]]++;
        indices[dst] = r;
        values[dst] = this.values[p];
      }
    }
    return new CSR(indptr, indices, values, [n, m], false);
  }

  /** Bytes held by the three arrays. */
  get bytes(): number {
    return this.indptr.byteLength + this.indices.byteLength + this.values.byteLength;
  }

  toString(): string {
    return `CSR(${fmtShape(this.shape)}, nnz=${this.nnz})`;
  }
}

export function isCSR(x: unknown): x is CSR {
  return x instanceof CSR;
}

/** Checks the CSR invariants; every error names what was wrong and where. */
export function validateCSR(m: CSR): void {
  const [rows, cols] = m.shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`csr: invalid shape ${fmtShape(m.shape)}`);
  }
  if (m.indptr.length !== rows + 1) {
    throw new Error(`csr: indptr has length ${m.indptr.length}, expected rows + 1 = ${rows + 1} for shape ${fmtShape(m.shape)}`);
  }
  if (m.indptr[0] !== 0) throw new Error(`csr: indptr[0] must be 0, found ${m.indptr[0]}`);
  if (m.indptr[rows] !== m.indices.length) {
    throw new Error(`csr: indptr[${rows}] = ${m.indptr[rows]} but there are ${m.indices.length} indices`);
  }
  if (m.values.length !== m.indices.length) {
    throw new Error(`csr: ${m.indices.length} indices but ${m.values.length} values`);
  }
  for (let r = 0; r < rows; r++) {
    const a = m.indptr[r];
    const b = m.indptr[r + 1];
    if (b < a) throw new Error(`csr: indptr is not monotone at row ${r} (${a} then ${b})`);
    for (let p = a; p < b; p++) {
      const c = m.indices[p];
      if (!(c >= 0 && c < cols)) throw new Error(`csr: column index ${c} at row ${r} (entry ${p}) is outside [0, ${cols})`);
      if (p > a && m.indices[p - 1] >= c) {
        throw new Error(`csr: column indices of row ${r} are not sorted and unique (${m.indices[p - 1]} then ${c} at entry ${p}); build with fromCOO to sort and sum duplicates`);
      }
    }
  }
}

/** Index arrays as Int32Array; a non-integer (1.5, NaN, '3') is an error, never a truncated index. */
function toInt32(a: ArrayLike<number>, what: string): Int32Array {
  if (a instanceof Int32Array) return a;
  const out = new Int32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
      throw new TypeError(`csr: ${what}[${i}] is ${typeof v === 'string' ? JSON.stringify(v) : v}, not an integer`);
    }
    out[i] = v;
  }
  return out;
}
const toFloat32 = (a: ArrayLike<number>): Float32Array => (a instanceof Float32Array ? a : Float32Array.from(a));

/** `sg.csr(indptr, indices, values, shape)`: validated CSR. */
export function csr(indptr: ArrayLike<number>, indices: ArrayLike<number>, values: ArrayLike<number> | null, shape: readonly [number, number]): CSR {
  const idx = toInt32(indices, 'indices');
  const vals = values === null ? new Float32Array(idx.length).fill(1) : toFloat32(values);
  return new CSR(toInt32(indptr, 'indptr'), idx, vals, shape);
}

/**
 * COO (row, col, value) triples → CSR. Entries are sorted; duplicate coordinates are
 * summed (the documented choice: a user who rated an item twice contributes both).
 */
export function fromCOO(rows: ArrayLike<number>, cols: ArrayLike<number>, values: ArrayLike<number> | null, shape: readonly [number, number]): CSR {
  const [m, n] = shape;
  const nnzIn = rows.length;
  if (cols.length !== nnzIn || (values && values.length !== nnzIn)) {
    throw new Error(`fromCOO: rows (${nnzIn}), cols (${cols.length}) and values (${values?.length}) must have the same length`);
  }
  const counts = new Int32Array(m + 1);
  for (let i = 0; i < nnzIn; i++) {
    const r = rows[i];
    const c = cols[i];
    if (!(Number.isInteger(r) && r >= 0 && r < m)) throw new Error(`fromCOO: row ${r} at entry ${i} is outside [0, ${m})`);
    if (!(Number.isInteger(c) && c >= 0 && c < n)) throw new Error(`fromCOO: column ${c} at entry ${i} is outside [0, ${n})`);
    counts[r + 1]++;
  }
  for (let r = 0; r < m; r++) counts[r + 1] += counts[r];
  const next = counts.slice(0, m);
  const colsByRow = new Int32Array(nnzIn);
  const valsByRow = new Float32Array(nnzIn);
  for (let i = 0; i < nnzIn; i++) {
    const dst = next[rows[i]]++;
    colsByRow[dst] = cols[i];
    valsByRow[dst] = values ? values[i] : 1;
  }
  // sort each row by column and sum duplicates
  const indptr = new Int32Array(m + 1);
  const indices = new Int32Array(nnzIn);
  const out = new Float32Array(nnzIn);
  let k = 0;
  for (let r = 0; r < m; r++) {
    const a = counts[r];
    const b = counts[r + 1];
    const order = Array.from({ length: b - a }, (_, i) => a + i).sort((x, y) => colsByRow[x] - colsByRow[y]);
    for (const p of order) {
      if (k > indptr[r] && indices[k - 1] === colsByRow[p]) out[k - 1] += valsByRow[p];
      else {
        indices[k] = colsByRow[p];
        out[k] = valsByRow[p];
        k++;
      }
    }
    indptr[r + 1] = k;
  }
  return new CSR(indptr, indices.slice(0, k), out.slice(0, k), shape, false);
}

/** Dense row-major values → CSR (zeros dropped). */
export function fromDense(values: ArrayLike<number>, shape: readonly [number, number]): CSR {
  const [m, n] = shape;
  if (values.length !== m * n) throw new Error(`fromDense: ${values.length} values for shape ${fmtShape(shape)}`);
  const rows: number[] = [];
  const cols: number[] = [];
  const vals: number[] = [];
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < n; c++) {
      const v = values[r * n + c];
      if (v !== 0) { rows.push(r); cols.push(c); vals.push(v); }
    }
  }
  return fromCOO(rows, cols, vals, shape);
}

/**
 * The seed's storage format: each row a fixed-width list of column ids padded with -1
 * (`[rows, width]`, row-major), all values 1 unless `values` is given alongside.
 */
export function fromPadded(padded: ArrayLike<number>, width: number, cols: number, values?: ArrayLike<number>): CSR {
  if (padded.length % width !== 0) throw new Error(`fromPadded: ${padded.length} entries is not a multiple of width ${width}`);
  const m = padded.length / width;
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < width; j++) {
      const id = padded[i * width + j];
      if (id === -1) continue;
      if (!(Number.isInteger(id) && id >= 0 && id < cols)) {
        throw new Error(`fromPadded: id ${id} at row ${i}, slot ${j} is neither -1 nor in [0, ${cols})`);
      }
      r.push(i); c.push(id); v.push(values ? values[i * width + j] : 1);
    }
  }
  return fromCOO(r, c, v, [m, cols]);
}

/** CSR → fixed-width padded id rows (-1 fill); width defaults to the longest row. */
export function toPadded(m: CSR, width?: number): { ids: Int32Array; values: Float32Array; width: number } {
  let w = width ?? 0;
  if (width === undefined) for (let r = 0; r < m.rows; r++) w = Math.max(w, m.indptr[r + 1] - m.indptr[r]);
  const ids = new Int32Array(m.rows * w).fill(-1);
  const values = new Float32Array(m.rows * w);
  for (let r = 0; r < m.rows; r++) {
    const a = m.indptr[r];
    const len = m.indptr[r + 1] - a;
    if (len > w) throw new Error(`toPadded: row ${r} has ${len} entries, more than width ${w}`);
    for (let j = 0; j < len; j++) {
      ids[r * w + j] = m.indices[a + j];
      values[r * w + j] = m.values[a + j];
    }
  }
  return { ids, values, width: w };
}

/** Bytes of a ratings matrix stored dense (float32) vs CSR (int32 indptr/indices + float32 values). */
export function storageReport(rows: number, cols: number, nnz: number): { denseBytes: number; csrBytes: number; ratio: number } {
  const denseBytes = rows * cols * 4;
  const csrBytes = (rows + 1) * 4 + nnz * 4 + nnz * 4;
  return { denseBytes, csrBytes, ratio: denseBytes / csrBytes };
}
