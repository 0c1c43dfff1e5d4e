/**
 * Fused ops for the hot path of embedding models.
 *
 * gatherDot(A, B, aIds, bIds)[i] = A[aIds[i]] · B[bIds[i]] is what matrix factorization
 * computes for every (user, item) pair. Composed from primitives it gathers two [batch, dim]
 * copies, multiplies them and sums; backward spreads dy back to [batch, dim], multiplies
 * twice and segment-sums twice — about a dozen passes over [batch, dim] arrays. Fused, the
 * forward reads the rows in place and the backward for A is one pass:
 *   dA[row r] = Σ_{i: aIds[i] = r} dy[i] · B[bIds[i]]
 * written straight into a RowSparse gradient (or a dense one with sparseGrad: false).
 * Backends without the fused kernels get the composed version, with identical results.
 */
import { recordOp } from '../core/autograd.js';
import { RowSparse, uniqueSorted } from '../core/rowsparse.js';
import { fmtShape } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';
import { gather } from './gather.js';
import { mul } from './elementwise.js';
import { sum } from './reduce.js';

export interface GatherDotOptions {
  sparseGrad?: boolean;
}

function checkIds(ids: Int32Array, rows: number, which: string): void {
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < rows)) {
      throw new Error(`gatherDot: ${which} index ${ids[i]} at position ${i} is out of range for a table of ${rows} rows`);
    }
  }
}

function gatherDotImpl(a: Tensor, b: Tensor, aIdsIn: Int32Array | number[], bIdsIn: Int32Array | number[], opts: GatherDotOptions = {}): Tensor {
  const be = backendOf('gatherDot', a, b);
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[1]) {
    throw new Error(`gatherDot: tables must be [rows, dim] with the same dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const aIds = aIdsIn instanceof Int32Array ? aIdsIn : Int32Array.from(aIdsIn);
  const bIds = bIdsIn instanceof Int32Array ? bIdsIn : Int32Array.from(bIdsIn);
  if (aIds.length !== bIds.length) throw new Error(`gatherDot: ${aIds.length} ids for the first table but ${bIds.length} for the second`);
  if (!be.gatherDot || !be.segmentSumScaledRows) {
    return sum(mul(gather(a, aIds, opts), gather(b, bIds, opts)), 1);
  }
  checkIds(aIds, a.shape[0], 'first');
  checkIds(bIds, b.shape[0], 'second');
  const sparseGrad = opts.sparseGrad ?? true;
  const n = aIds.length;
  const aT = wrap(be.write(aIds, 'int32'), [n], 'int32', be);
  const bT = wrap(be.write(bIds, 'int32'), [n], 'int32', be);
  const y = wrap(be.gatherDot(a, b, aT, bT), [n], a.dtype === b.dtype ? a.dtype : 'float32', be);
  recordOp('gatherDot', [a, b], y, (dy) => {
    // the gradient of one table: dy-scaled rows of the other, summed per row of this one
    const side = (table: Tensor, ids: Int32Array, other: Tensor, otherIds: Tensor) => {
      if (!table.requiresGrad) return null;
      if (!sparseGrad) return wrap(be.segmentSumScaledRows!(dy, other, otherIds, ids, table.shape[0]), table.shape, table.dtype, be);
      const { unique, inverse } = uniqueSorted(ids);
      const values = wrap(be.segmentSumScaledRows!(dy, other, otherIds, inverse, unique.length), [unique.length, table.shape[1]], table.dtype, be);
      return new RowSparse(unique, values, table.shape);
    };
    return [side(a, aIds, b, bT), side(b, bIds, a, aT)];
  });
  if (!y.node) { aT.dispose(); bT.dispose(); }
  return y;
}

export const gatherDot = typed('gatherDot', {
  'Tensor, Tensor, Int32Array | Array, Int32Array | Array': (a: Tensor, b: Tensor, ai: Int32Array, bi: Int32Array) => gatherDotImpl(a, b, ai, bi),
  'Tensor, Tensor, Int32Array | Array, Int32Array | Array, Object': (a: Tensor, b: Tensor, ai: Int32Array, bi: Int32Array, o: GatherDotOptions) => gatherDotImpl(a, b, ai, bi, o),
}) as (a: Tensor, b: Tensor, aIds: Int32Array | number[], bIds: Int32Array | number[], opts?: GatherDotOptions) => Tensor;
