/**
 * Ratings columns → CSR user×item matrices, and simple counts.
 *
 * `buildCSR` is a two-pass counting sort (by column, then stably by row), so every row
 * comes out with sorted columns in O(nnz + rows + cols) and no comparison sort: ML-20M's
 * 20M ratings become a CSR in about a second. (core's `fromCOO` is the general,
 * validating version; this one is for big rating columns.)
 */
import { CSR } from '../core/csr.js';
import type { InteractionData } from './types.js';

/** What to do when a (row, col) pair appears more than once. */
export type Duplicates = 'sum' | 'max' | 'last';

export function buildCSR(
  rows: Int32Array,
  cols: Int32Array,
  values: Float32Array | null,
  shape: readonly [number, number],
  duplicates: Duplicates = 'sum',
): CSR {
  const [m, n] = shape;
  const nnzIn = rows.length;
  if (cols.length !== nnzIn || (values && values.length !== nnzIn)) {
    throw new Error(`buildCSR: rows (${nnzIn}), cols (${cols.length}) and values (${values?.length}) differ in length`);
  }
  // pass 1: order entries by column
  const colStart = new Int32Array(n + 1);
  for (let e = 0; e < nnzIn; e++) {
    const c = cols[e];
    if (!(c >= 0 && c < n)) throw new Error(`buildCSR: column ${c} at entry ${e} is outside [0, ${n})`);
    colStart[c + 1]++;
  }
  for (let c = 0; c < n; c++) colStart[c + 1] += colStart[c];
  const byCol = new Int32Array(nnzIn);
  for (let e = 0; e < nnzIn; e++) byCol[colStart[cols[e]]++] = e;
  // pass 2: stable placement by row keeps each row's columns sorted
  const rowStart = new Int32Array(m + 1);
  for (let e = 0; e < nnzIn; e++) {
    const r = rows[e];
    if (!(r >= 0 && r < m)) throw new Error(`buildCSR: row ${r} at entry ${e} is outside [0, ${m})`);
    rowStart[r + 1]++;
  }
  for (let r = 0; r < m; r++) rowStart[r + 1] += rowStart[r];
  const next = rowStart.slice(0, m);
  const indices = new Int32Array(nnzIn);
  const vals = new Float32Array(nnzIn);
  for (let k = 0; k < nnzIn; k++) {
    const e = byCol[k];
    const dst = next[rows[e]]++;
    indices[dst] = cols[e];
    vals[dst] = values ? values[e] : 1;
  }
  // merge duplicates (equal neighbours within a row)
  const indptr = new Int32Array(m + 1);
  let w = 0;
  for (let r = 0; r < m; r++) {
    const rowFirst = w;
    for (let p = rowStart[r]; p < rowStart[r + 1]; p++) {
      if (w > rowFirst && indices[w - 1] === indices[p]) {
        if (duplicates === 'sum') vals[w - 1] += vals[p];
        else if (duplicates === 'max') vals[w - 1] = Math.max(vals[w - 1], vals[p]);
        else vals[w - 1] = vals[p];
      } else {
        indices[w] = indices[p];
        vals[w] = vals[p];
        w++;
      }
    }
    indptr[r + 1] = w;
  }
  const trim = w === nnzIn;
  return new CSR(indptr, trim ? indices : indices.slice(0, w), trim ? vals : vals.slice(0, w), [m, n], false);
}

/**
 * The user×item matrix of a data set. `values: 'rating'` keeps ratings (duplicates: last),
 * `'binary'` puts a 1 for every rated pair.
 */
export function userItemMatrix(data: InteractionData, opts: { values?: 'rating' | 'binary' } = {}): CSR {
  const binary = (opts.values ?? 'rating') === 'binary';
  return buildCSR(data.users, data.items, binary ? null : data.ratings, [data.numUsers, data.numItems], binary ? 'max' : 'last');
}

/**
 * The clicks of a user-item matrix as an interaction list: each stored entry (r, c) of
 * `rows` becomes user r, item c, rating 1 (userItemMatrix's inverse for binary data) — what
 * the negative and pairwise samplers train on when the data arrives as rows.
 */
export function clicksOfRows(rows: CSR): InteractionData {
  const users = new Int32Array(rows.nnz);
  for (let r = 0; r < rows.rows; r++) users.fill(r, rows.indptr[r], rows.indptr[r + 1]);
  return { numUsers: rows.rows, numItems: rows.cols, users, items: rows.indices, ratings: new Float32Array(rows.nnz).fill(1) };
}

/** Ratings per item (popularity). */
export function itemCounts(data: InteractionData): Int32Array {
  const out = new Int32Array(data.numItems);
  for (let e = 0; e < data.items.length; e++) out[data.items[e]]++;
  return out;
}

/** Ratings per user (activity). */
export function userCounts(data: InteractionData): Int32Array {
  const out = new Int32Array(data.numUsers);
  for (let e = 0; e < data.users.length; e++) out[data.users[e]]++;
  return out;
}

/** Row positions grouped by user: rows of user u are `order[start[u] .. start[u+1])`, in file order. */
export function groupByUser(data: InteractionData): { start: Int32Array; order: Int32Array } {
  const start = new Int32Array(data.numUsers + 1);
  for (let e = 0; e < data.users.length; e++) start[data.users[e] + 1]++;
  for (let u = 0; u < data.numUsers; u++) start[u + 1] += start[u];
  const next = start.slice(0, data.numUsers);
  const order = new Int32Array(data.users.length);
  for (let e = 0; e < data.users.length; e++) order[next[data.users[e]]++] = e;
  return { start, order };
}
