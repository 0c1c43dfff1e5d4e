/**
 * Matrix products.
 *
 * Dense: y = A·B gives dA = dy·Bᵀ and dB = Aᵀ·dy; with transpose flags the same identities
 * are rearranged so no explicit transpose is ever materialised by the op layer.
 *
 * Sparse input: y = X·W with X a CSR batch of user rows. The input never becomes dense,
 * and dW = Xᵀ·dy is another sparse-times-dense product. Only columns of X that hold an
 * entry (items somebody in the batch has) give W a nonzero gradient row, so with
 * `sparseGrad: true` dW comes back as RowSparse over exactly those rows.
 */
import { recordOp } from '../core/autograd.js';
import { CSR } from '../core/csr.js';
import { RowSparse } from '../core/rowsparse.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';

export interface MatmulOptions {
  transposeA?: boolean;
  transposeB?: boolean;
}

function matmulRaw(a: Tensor, b: Tensor, tA: boolean, tB: boolean): Tensor {
  const be = backendOf('matmul', a, b);
  const M = tA ? a.shape[1] : a.shape[0];
  const N = tB ? b.shape[0] : b.shape[1];
  const dtype = a.dtype === b.dtype ? a.dtype : 'float32';
  return wrap(be.matmul(a, b, tA, tB), [M, N], dtype, be);
}

function denseMatmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  const tA = !!opts.transposeA;
  const tB = !!opts.transposeB;
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matmul: expected 2-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const K1 = tA ? a.shape[0] : a.shape[1];
  const K2 = tB ? b.shape[1] : b.shape[0];
  if (K1 !== K2) {
    throw new Error(`matmul: inner dimensions differ: ${fmtShape(a.shape)}${tA ? 'ᵀ' : ''} · ${fmtShape(b.shape)}${tB ? 'ᵀ' : ''} (${K1} vs ${K2})`);
  }
  if (a.dtype === 'int32' || b.dtype === 'int32') throw new Error('matmul: int32 tensors are not supported; cast to float32');
  const y = matmulRaw(a, b, tA, tB);
  recordOp('matmul', [a, b], y, (dy) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (!tA && !tB) {
      if (a.requiresGrad) da = matmulRaw(dy, b, false, true);
      if (b.requiresGrad) db = matmulRaw(a, dy, true, false);
    } else if (!tA && tB) {
      if (a.requiresGrad) da = matmulRaw(dy, b, false, false);
      if (b.requiresGrad) db = matmulRaw(dy, a, true, false);
    } else if (tA && !tB) {
      if (a.requiresGrad) da = matmulRaw(b, dy, false, true);
      if (b.requiresGrad) db = matmulRaw(a, dy, false, false);
    } else {
      if (a.requiresGrad) da = matmulRaw(b, dy, true, true);
      if (b.requiresGrad) db = matmulRaw(dy, a, true, true);
    }
    return [da, db];
  });
  return y;
}

export interface SparseMatmulOptions {
  /** return W's gradient as RowSparse over the columns present in the batch (default false) */
  sparseGrad?: boolean;
}

/** Xᵀ restricted to the columns X uses: the CSR of those rows of Xᵀ, and which rows they are. */
export function usedColumnsTranspose(x: CSR): { rows: Int32Array; xt: CSR } {
  const full = x.transpose();
  let used = 0;
  for (let c = 0; c < full.rows; c++) if (full.indptr[c + 1] > full.indptr[c]) used++;
  const rows = new Int32Array(used);
  const indptr = new Int32Array(used + 1);
  let k = 0;
  for (let c = 0; c < full.rows; c++) {
    if (full.indptr[c + 1] > full.indptr[c]) {
      rows[k] = c;
      indptr[k + 1] = full.indptr[c + 1];
      k++;
    }
  }
  return { rows, xt: new CSR(indptr, full.indices, full.values, [used, full.cols], false) };
}

function sparseMatmul(x: CSR, w: Tensor, opts: SparseMatmulOptions = {}): Tensor {
  if (w.rank !== 2 || w.shape[0] !== x.cols) {
    throw new Error(`matmul: CSR ${fmtShape(x.shape)} · ${fmtShape(w.shape)}: inner dimensions differ (${x.cols} vs ${w.shape[0]})`);
  }
  const be = backendOf('matmul', w);
  const y = wrap(be.spmm(x, w), [x.rows, w.shape[1]], w.dtype, be);
  recordOp('spmm', [w], y, (dy) => {
    if (opts.sparseGrad) {
      const { rows, xt } = usedColumnsTranspose(x);
      const values = wrap(be.spmm(xt, dy), [rows.length, w.shape[1]], dy.dtype, be);
      return [new RowSparse(rows, values, w.shape)];
    }
    return [wrap(be.spmm(x.transpose(), dy), w.shape, dy.dtype, be)];
  });
  return y;
}

export const matmul = typed('matmul', {
  'Tensor, Tensor': (a: Tensor, b: Tensor) => denseMatmul(a, b),
  'Tensor, Tensor, Object': (a: Tensor, b: Tensor, o: MatmulOptions) => denseMatmul(a, b, o),
  'CSR, Tensor': (x: CSR, w: Tensor) => sparseMatmul(x, w),
  'CSR, Tensor, Object': (x: CSR, w: Tensor, o: SparseMatmulOptions) => sparseMatmul(x, w, o),
}) as ((a: Tensor, b: Tensor, opts?: MatmulOptions) => Tensor) & ((x: CSR, w: Tensor, opts?: SparseMatmulOptions) => Tensor);
