/**
 * dense(x, w, bias, activation) = act(x·w + bias): a fully connected layer as one op.
 *
 * Composed, it is matmul → broadcast add → relu forward and relu' → multiply → column sum
 * backward, each a pass over a [batch, units] array. With the fused kernels (backend `dense`
 * and `denseGrad`) the forward is one kernel and the backward is
 *   dz = act'(y)·dy  and  dbias = Σ_rows dz   (one pass over y and dy)
 *   dx = dz·wᵀ,      dw = xᵀ·dz              (two matrix products, as in matmul's backward)
 * relu' is read from the output y (y > 0 exactly when x·w + b > 0), so nothing else is kept.
 * Backends without the kernels (WebGL), mixed dtypes and int32 use the composed ops, which
 * give the same values.
 */
import type { Activation } from '../backends/backend.js';
import { recordOp } from '../core/autograd.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';
import { add, relu } from './elementwise.js';
import { matmul } from './matmul.js';

export type { Activation };

function denseImpl(x: Tensor, w: Tensor, bias: Tensor | null, activation: Activation = 'linear'): Tensor {
  const be = backendOf('dense', x, w, ...(bias ? [bias] : []));
  if (activation !== 'relu' && activation !== 'linear') throw new Error(`dense: unknown activation '${activation}' (expected 'relu' or 'linear')`);
  if (x.rank !== 2 || w.rank !== 2 || x.shape[1] !== w.shape[0]) {
    throw new Error(`dense: expected x [batch, in] and w [in, out], got ${fmtShape(x.shape)} and ${fmtShape(w.shape)}`);
  }
  const [M, K] = x.shape;
  const N = w.shape[1];
  if (bias && (bias.rank !== 1 || bias.shape[0] !== N)) throw new Error(`dense: bias has shape ${fmtShape(bias.shape)}, expected [${N}]`);
  const oneDtype = x.dtype === w.dtype && (!bias || bias.dtype === x.dtype) && x.dtype !== 'int32';
  if (!be.dense || !be.denseGrad || !oneDtype) {
    const z = bias ? add(matmul(x, w), bias) : matmul(x, w);
    return activation === 'relu' ? relu(z) : z;
  }
  const y = wrap(be.dense(x, w, bias, activation), [M, N], x.dtype, be);
  recordOp('dense', bias ? [x, w, bias] : [x, w], y, (dy) => {
    const wantBias = !!bias?.requiresGrad;
    let dz = dy;
    let dBias: Tensor | null = null;
    if (activation === 'relu' || wantBias) {
      const g = be.denseGrad!(y, dy, activation, wantBias);
      dz = wrap(g.dz, [M, N], dy.dtype, be);
      if (g.dBias) dBias = wrap(g.dBias, [N], dy.dtype, be);
    }
    const dx = x.requiresGrad ? wrap(be.matmul(dz, w, false, true), [M, K], dy.dtype, be) : null;
    const dw = w.requiresGrad ? wrap(be.matmul(x, dz, true, false), [K, N], dy.dtype, be) : null;
    if (dz !== dy) dz.dispose();
    return bias ? [dx, dw, dBias] : [dx, dw];
  });
  return y;
}

export const dense = typed('dense', {
  'Tensor, Tensor': (x: Tensor, w: Tensor) => denseImpl(x, w, null),
  'Tensor, Tensor, Tensor | null': (x: Tensor, w: Tensor, b: Tensor | null) => denseImpl(x, w, b),
  'Tensor, Tensor, Tensor | null, string': (x: Tensor, w: Tensor, b: Tensor | null, act: Activation) => denseImpl(x, w, b, act),
}) as (x: Tensor, w: Tensor, bias?: Tensor | null, activation?: Activation) => Tensor;
