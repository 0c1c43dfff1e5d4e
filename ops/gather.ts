/**
 * gather: embedding lookup, and why embedding gradients are row-sparse.
 *
 * y[i] = table[ids[i]]. In backward, row i of dy belongs to row ids[i] of the table, and no
 * other table row receives anything. A batch of 1,000 ids into a 131,262-row table touches
 * at most 1,000 rows, so the gradient is returned as RowSparse: the sorted unique ids and,
 * for each, the sum of the dy rows that named it (a segment sum, so an id that appears
 * twice is added, never written twice). Cost O(batch·dim), independent of the table size.
 * With `sparseGrad: false` the same sums are scattered into a dense [N, dim] zero tensor —
 * O(N·dim) per step, what frameworks with dense embedding gradients pay.
 */
import { recordOp } from '../core/autograd.js';
import { RowSparse } from '../core/rowsparse.js';
import { uniqueSorted } from '../core/unique.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';
import { segmentSumRaw } from './rows.js';

export interface GatherOptions {
  /** gradient as RowSparse (default true) or dense */
  sparseGrad?: boolean;
}

/**
 * The ids as a host Int32Array (the form every kernel takes), range-checked against the
 * table. A tensor's ids are copied: the backward pass needs them after the caller may have
 * disposed the tensor (and the backend reused its memory).
 */
export function hostIds(op: string, ids: Tensor | Int32Array | number[], rows: number, which = ''): Int32Array {
  if (ids instanceof Tensor && ids.dtype !== 'int32') throw new Error(`${op}: ids must be int32, got ${ids.dtype}`);
  const arr = ids instanceof Tensor ? (ids.rawSync() as Int32Array).slice() : ids instanceof Int32Array ? ids : idsFromArray(op, ids, rows, which);
  for (let i = 0; i < arr.length; i++) {
    const id = arr[i];
    if (!(id >= 0 && id < rows)) {
      throw new Error(`${op}: ${which}index ${id} at position ${i} is out of range for a table of ${rows} rows`);
    }
  }
  return arr;
}

/** A plain array of ids, checked before conversion: 1.5, NaN and '1' are errors, not rows 1, 0 and 1. */
function idsFromArray(op: string, ids: unknown[], rows: number, which: string): Int32Array {
  const out = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      const shown = typeof v === 'string' ? `the string ${JSON.stringify(v.slice(0, 40))}` : String(v);
      throw new TypeError(`${op}: ${which}ids must be integers; position ${i} holds ${shown}`);
    }
    if (!(v >= 0 && v < rows)) throw new Error(`${op}: ${which}index ${v} at position ${i} is out of range for a table of ${rows} rows`);
    out[i] = v;
  }
  return out;
}

function gatherImpl(table: Tensor, idsIn: Tensor | Int32Array | number[], opts: GatherOptions = {}): Tensor {
  const sparseGrad = opts.sparseGrad ?? true;
  if (table.rank < 1) throw new Error(`gather: table must have rank ≥ 1, got ${fmtShape(table.shape)}`);
  const be = backendOf('gather', table);
  const ids = hostIds('gather', idsIn, table.shape[0]);
  const idsShape = idsIn instanceof Tensor ? idsIn.shape : [ids.length];
  const rowShape = table.shape.slice(1);
  const y = wrap(be.gatherRows(table, ids), [...idsShape, ...rowShape], table.dtype, be);
  recordOp('gather', [table], y, (dy) => {
    // kernels see dy as [n, ...row]; only ids of rank > 1 need a reshaped copy
    const flat = idsShape.length === 1 ? dy : wrap(be.copy(dy), [ids.length, ...rowShape], dy.dtype, be);
    if (!sparseGrad) return [wrap(be.segmentSumRows(flat, ids, table.shape[0]), table.shape, dy.dtype, be)];
    const { unique, inverse } = uniqueSorted(ids);
    return [new RowSparse(unique, segmentSumRaw(flat, inverse, unique.length), table.shape)];
  });
  return y;
}

export const gather = typed('gather', {
  'Tensor, Tensor | Int32Array | Array': (t: Tensor, ids: Tensor | Int32Array | number[]) => gatherImpl(t, ids),
  'Tensor, Tensor | Int32Array | Array, Object': (t: Tensor, ids: Tensor | Int32Array | number[], o: GatherOptions) => gatherImpl(t, ids, o),
}) as (table: Tensor, ids: Tensor | Int32Array | number[], opts?: GatherOptions) => Tensor;
