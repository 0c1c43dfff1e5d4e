/**
 * gatherDot: the hot path of embedding models, as one op.
 *
 * gatherDot(A, B, aIds, bIds)[i] = A[aIds[i]] · B[bIds[i]] is what matrix factorization
 * computes for every (user, item) pair. Its gradient for A is row-sparse:
 *   dA[row r] = Σ_{i: aIds[i] = r} dy[i] · B[bIds[i]]
 * (and the same for B), returned as a RowSparse over the unique ids (or dense with
 * sparseGrad: false).
 *
 * The reference compositions, in primitives:
 *   forward   sum(gatherRows(A, aIds) ⊙ gatherRows(B, bIds), axis 1)
 *   backward  segmentSum(dy ⊙ gatherRows(B, bIds), by aIds' unique positions)
 * about a dozen passes over [batch, dim] copies. A backend's `gatherDot` reads the rows in
 * place instead, and its `segmentSumScaledRows` does the backward in one pass with no
 * gathered copy. Either way the graph is one node, so results agree to float32 rounding.
 */
import { recordOp } from '../core/autograd.js';
import { tidy } from '../core/engine.js';
import { RowSparse } from '../core/rowsparse.js';
import { uniqueSorted } from '../core/unique.js';
import { fmtShape } from '../core/shape.js';
import type { DType } from '../core/dtype.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';
import { hostIds } from './gather.js';
import { binaryRaw } from './elementwise.js';
import { reduceRaw } from './reduce.js';
import { gatherRowsRaw, segmentSumRaw } from './rows.js';

export interface GatherDotOptions {
  sparseGrad?: boolean;
}

/** out[i] = a[aIds[i]] · b[bIds[i]] without a gradient: the backend's kernel, else the reference. */
export function gatherDotRaw(a: Tensor, b: Tensor, aIds: Int32Array, bIds: Int32Array): Tensor {
  const be = backendOf('gatherDot', a, b);
  const dtype: DType = a.dtype === b.dtype ? a.dtype : 'float32';
  if (be.gatherDot) return wrap(be.gatherDot(a, b, aIds, bIds), [aIds.length], dtype, be);
  return tidy(() => reduceRaw('sum', binaryRaw('mul', gatherRowsRaw(a, aIds), gatherRowsRaw(b, bIds)), [1], false));
}

/**
 * out[segmentIds[i]] += scale[i] · table[rowIds[i]] → [numSegments, D] in table's dtype,
 * without a gradient: the backend's kernel, else the reference (a gathered, scaled copy
 * segment-summed).
 */
export function segmentSumScaledRaw(scale: Tensor, table: Tensor, rowIds: Int32Array, segmentIds: Int32Array, numSegments: number): Tensor {
  const be = backendOf('segmentSumScaledRows', scale, table);
  const shape = [numSegments, table.shape[1]];
  if (be.segmentSumScaledRows) return wrap(be.segmentSumScaledRows(scale, table, rowIds, segmentIds, numSegments), shape, table.dtype, be);
  return tidy(() => {
    const column = wrap(be.copy(scale), [scale.size, 1], scale.dtype, be);
    const scaled = binaryRaw('mul', gatherRowsRaw(table, rowIds), column);
    const summed = segmentSumRaw(scaled, segmentIds, numSegments);
    return summed.dtype === table.dtype ? summed : wrap(be.cast(summed, table.dtype), shape, table.dtype, be);
  });
}

function gatherDotImpl(a: Tensor, b: Tensor, aIdsIn: Int32Array | number[], bIdsIn: Int32Array | number[], opts: GatherDotOptions = {}): Tensor {
  const be = backendOf('gatherDot', a, b);
  if (a.rank !== 2 || b.rank !== 2 || a.shape[1] !== b.shape[1]) {
    throw new Error(`gatherDot: tables must be [rows, dim] with the same dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const aIds = hostIds('gatherDot', aIdsIn, a.shape[0], 'first ');
  const bIds = hostIds('gatherDot', bIdsIn, b.shape[0], 'second ');
  if (aIds.length !== bIds.length) throw new Error(`gatherDot: ${aIds.length} ids for the first table but ${bIds.length} for the second`);
  const sparseGrad = opts.sparseGrad ?? true;
  const y = gatherDotRaw(a, b, aIds, bIds);
  recordOp('gatherDot', [a, b], y, (dy) => {
    // the gradient of one table: dy-scaled rows of the other, summed per row of this one
    const side = (table: Tensor, ids: Int32Array, other: Tensor, otherIds: Int32Array) => {
      if (!table.requiresGrad) return null;
      const toOwnDtype = (g: Tensor) => (g.dtype === table.dtype ? g : wrap(be.cast(g, table.dtype), g.shape, table.dtype, be));
      if (!sparseGrad) return toOwnDtype(segmentSumScaledRaw(dy, other, otherIds, ids, table.shape[0]));
      const { unique, inverse } = uniqueSorted(ids);
      return new RowSparse(unique, toOwnDtype(segmentSumScaledRaw(dy, other, otherIds, inverse, unique.length)), table.shape);
    };
    return [side(a, aIds, b, bIds), side(b, bIds, a, aIds)];
  });
  return y;
}

export const gatherDot = typed('gatherDot', {
  'Tensor, Tensor, Int32Array | Array, Int32Array | Array': (a: Tensor, b: Tensor, ai: Int32Array, bi: Int32Array) => gatherDotImpl(a, b, ai, bi),
  'Tensor, Tensor, Int32Array | Array, Int32Array | Array, Object': (a: Tensor, b: Tensor, ai: Int32Array, bi: Int32Array, o: GatherDotOptions) => gatherDotImpl(a, b, ai, bi, o),
}) as (a: Tensor, b: Tensor, aIds: Int32Array | number[], bIds: Int32Array | number[], opts?: GatherDotOptions) => Tensor;
