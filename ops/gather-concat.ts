/**
 * gatherConcat(tables, ids): several embedding lookups side by side,
 *
 *   y[i] = [tables[0][ids[0][i]], tables[1][ids[1][i]], …]   → [n, Σ widths]
 *
 * — DeepMF's input layer (user and item embeddings, and side features, concatenated before
 * the MLP). The reference composition is exactly that: concat(gather(table, ids) for each
 * table), each gather with its own row-sparse backward. With the backend's gatherConcat and
 * segmentSumColumns, the forward writes the rows straight into their columns of y, and each
 * table's gradient is the segment sum of its column window of dy (over the table's unique
 * ids, as gather's: RowSparse, or scattered into a dense table with sparseGrad false) — no
 * per-table copies either way.
 */
import { recordOp } from '../core/autograd.js';
import { RowSparse } from '../core/rowsparse.js';
import { fmtShape } from '../core/shape.js';
import { uniqueSorted } from '../core/unique.js';
import type { Tensor } from '../core/tensor.js';
import { backendOf, wrap } from './util.js';
import { gather, hostIds } from './gather.js';
import { concat, slice } from './layout.js';
import { segmentSumRaw } from './rows.js';

export interface GatherConcatOptions {
  /** RowSparse gradients (default true), for all tables or per table */
  sparseGrad?: boolean | boolean[];
}

export function gatherConcat(tables: Tensor[], ids: (Tensor | Int32Array | number[])[], opts: GatherConcatOptions = {}): Tensor {
  if (tables.length === 0 || tables.length !== ids.length) {
    throw new Error(`gatherConcat: need one id list per table, got ${tables.length} tables and ${ids.length} id lists`);
  }
  const sparse = tables.map((_, t) => (Array.isArray(opts.sparseGrad) ? opts.sparseGrad[t] ?? true : opts.sparseGrad ?? true));
  tables.forEach((t, k) => {
    if (t.rank !== 2) throw new Error(`gatherConcat: table ${k} must be [rows, dim], got ${fmtShape(t.shape)}`);
  });
  const be = backendOf('gatherConcat', ...tables);
  const dtype = tables[0].dtype;
  const fused = !!be.gatherConcat && !!be.segmentSumColumns && (dtype === 'float32' || dtype === 'float64') && tables.every((t) => t.dtype === dtype);
  if (!fused) return concat(tables.map((t, k) => gather(t, ids[k], { sparseGrad: sparse[k] })), 1);
  const host = tables.map((t, k) => hostIds('gatherConcat', ids[k], t.shape[0], `table ${k}: `));
  const n = host[0].length;
  host.forEach((h, k) => {
    if (h.length !== n) throw new Error(`gatherConcat: table ${k} has ${h.length} ids, table 0 has ${n}`);
  });
  const widths = tables.map((t) => t.shape[1]);
  const W = widths.reduce((a, b) => a + b, 0);
  const y = wrap(be.gatherConcat!(tables, host), [n, W], dtype, be);
  recordOp('gatherConcat', tables, y, (dy) => {
    let offset = 0;
    return tables.map((t, k) => {
      const off = offset;
      offset += widths[k];
      if (!t.requiresGrad) return null;
      if (!sparse[k]) return wrap(be.segmentSumColumns!(dy, off, widths[k], host[k], t.shape[0]), t.shape, dy.dtype, be);
      const { unique, inverse } = uniqueSorted(host[k]);
      return new RowSparse(unique, wrap(be.segmentSumColumns!(dy, off, widths[k], inverse, unique.length), [unique.length, widths[k]], dy.dtype, be), t.shape);
    });
  });
  return y;
}

/** The reference composition of segmentSumColumns: slice the window, then segment-sum its rows. */
export function segmentSumColumnsComposed(values: Tensor, offset: number, width: number, segmentIds: Int32Array, numSegments: number): Tensor {
  const window = slice(values, [0, offset], [values.shape[0], width]);
  const out = segmentSumRaw(window, segmentIds, numSegments);
  window.dispose();
  return out;
}
