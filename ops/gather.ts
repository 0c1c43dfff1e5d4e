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
import { RowSparse, uniqueSorted } from '../core/rowsparse.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';

export interface GatherOptions {
  /** gradient as RowSparse (default true) or dense */
  sparseGrad?: boolean;
}

/**
 * Host copy of the ids, range-checked against the table. A tensor's ids are copied: the
 * backward pass needs them after the caller may have disposed the tensor (and the backend
 * reused its memory).
 */
function hostIds(ids: Tensor | Int32Array, rows: number): Int32Array {
  const arr = ids instanceof Tensor ? (ids.rawSync() as Int32Array).slice() : ids;
  for (let i = 0; i < arr.length; i++) {
    const id = arr[i];
    if (!(id >= 0 && id < rows)) {
      throw new Error(`gather: index ${id} at position ${i} is out of range for a table of ${rows} rows`);
    }
  }
  return arr;
}

function gatherImpl(table: Tensor, idsIn: Tensor | Int32Array | number[], opts: GatherOptions = {}): Tensor {
  const sparseGrad = opts.sparseGrad ?? true;
  if (table.rank < 1) throw new Error(`gather: table must have rank ≥ 1, got ${fmtShape(table.shape)}`);
  const be = backendOf('gather', table);
  let idsTensor: Tensor;
  let ownIds: Int32Array | null = null;
  if (idsIn instanceof Tensor) {
    if (idsIn.dtype !== 'int32') throw new Error(`gather: ids must be int32, got ${idsIn.dtype}`);
    idsTensor = idsIn;
  } else {
    ownIds = idsIn instanceof Int32Array ? idsIn : Int32Array.from(idsIn);
    idsTensor = wrap(be.write(ownIds, 'int32'), [ownIds.length], 'int32', be);
  }
  // range-check the caller's own array when there is one (no read back from a GPU)
  const ids = hostIds(ownIds ?? idsTensor, table.shape[0]);
  const rowShape = table.shape.slice(1);
  const y = wrap(be.gatherRows(table, idsTensor), [...idsTensor.shape, ...rowShape], table.dtype, be);
  const idsRank = idsTensor.rank;
  if (ownIds) idsTensor.dispose();
  recordOp('gather', [table], y, (dy) => {
    // kernels see dy as [n, ...row]; only ids of rank > 1 need a reshaped copy
    const flat = idsRank === 1 ? dy : wrap(be.cast(dy, dy.dtype), [ids.length, ...rowShape], dy.dtype, be);
    if (!sparseGrad) return [wrap(be.segmentSumRows(flat, ids, table.shape[0]), table.shape, dy.dtype, be)];
    const { unique, inverse } = uniqueSorted(ids);
    const values = wrap(be.segmentSumRows(flat, inverse, unique.length), [unique.length, ...rowShape], dy.dtype, be);
    return [new RowSparse(unique, values, table.shape)];
  });
  return y;
}

export const gather = typed('gather', {
  'Tensor, Tensor | Int32Array | Array': (t: Tensor, ids: Tensor | Int32Array | number[]) => gatherImpl(t, ids),
  'Tensor, Tensor | Int32Array | Array, Object': (t: Tensor, ids: Tensor | Int32Array | number[], o: GatherOptions) => gatherImpl(t, ids, o),
}) as (table: Tensor, ids: Tensor | Int32Array | number[], opts?: GatherOptions) => Tensor;
