/**
 * Row kernels without gradients, shared by the embedding ops, the losses and the optimizer
 * references: gather rows, segment-sum rows (primitives), scatter-add rows (an acceleration,
 * with its reference) and `withRows`, the composition the lazy-update references use to
 * write rows without any in-place primitive.
 *
 * A table here is viewed as rows of `width` values (its trailing dims flattened), the way
 * the kernels see it.
 */
import { tidy } from '../core/engine.js';
import { sizeOf } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { backendOf, wrap } from './util.js';

/** table[ids[i]] → [ids.length, ...row]. Ids must already be range-checked. */
export function gatherRowsRaw(table: Tensor, ids: Int32Array): Tensor {
  const b = backendOf('gatherRows', table);
  return wrap(b.gatherRows(table, ids), [ids.length, ...table.shape.slice(1)], table.dtype, b);
}

/** out[segmentIds[i]] += values[i] → [numSegments, ...row]. */
export function segmentSumRaw(values: Tensor, segmentIds: Int32Array, numSegments: number): Tensor {
  const b = backendOf('segmentSumRows', values);
  return wrap(b.segmentSumRows(values, segmentIds, numSegments), [numSegments, ...values.shape.slice(1)], values.dtype, b);
}

/**
 * target[rows[i]] += values[i] (rows may repeat), target viewed as rows of values' width.
 * **Consumes `target`** (a tensor the caller made and owns): the backend's in-place kernel
 * adds into it and returns it; the reference — target + segmentSum(values, rows) — returns
 * a new tensor and disposes target.
 */
export function scatterAddRaw(target: Tensor, rows: Int32Array, values: Tensor): Tensor {
  const b = backendOf('scatterAddRows', target, values);
  const width = sizeOf(values.shape.slice(1));
  const n = width === 0 ? 0 : target.size / width;
  if (b.scatterAddRows) {
    b.scatterAddRows({ dataId: target.dataId, shape: [n, width], dtype: target.dtype }, rows, values);
    return target;
  }
  const added = wrap(b.segmentSumRows(values, rows, n), target.shape, values.dtype, b);
  const sum = wrap(b.binary('add', target, added, target.shape, target.dtype), target.shape, target.dtype, b);
  added.dispose();
  target.dispose();
  return sum;
}

/**
 * A copy of `target` [N, ...row] with rows `rows` (sorted, unique) replaced by `values`
 * [rows.length, ...row], from primitives only: the new rows placed by a segment sum, and a
 * mask of the touched rows (a segment sum of ones) choosing between them and the old values.
 * Exact (untouched rows keep their bits), and O(N·row) — the fused row-sparse kernels are
 * what make a lazy update O(rows).
 */
export function withRows(target: Tensor, rows: Int32Array, values: Tensor): Tensor {
  const b = backendOf('withRows', target, values);
  return tidy(() => {
    const n = target.shape[0];
    const placed = wrap(b.segmentSumRows(values, rows, n), target.shape, values.dtype, b);
    const ones = wrap(b.write(new Float32Array(values.size).fill(1), 'float32'), values.shape, 'float32', b);
    const mask = wrap(b.segmentSumRows(ones, rows, n), target.shape, 'float32', b);
    return wrap(b.where(mask, placed, target, target.dtype), target.shape, target.dtype, b);
  });
}
