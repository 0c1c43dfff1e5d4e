/**
 * dense(x, w, bias, activation) = act(x·w + bias): a fully connected layer as one op.
 *
 * The backward from the output y alone:
 *   dz = act'(y)·dy  and  dbias = Σ_rows dz   (relu' read from y: y > 0 exactly when x·w + b > 0)
 *   dx = dz·wᵀ,      dw = xᵀ·dz              (two matrix products, as in matmul's backward)
 * The reference compositions: forward matmul → broadcast add → relu, backward step(y) ⊙ dy
 * and a column sum — each a pass over a [batch, units] array. A backend's `dense` kernel
 * does the forward in one (the bias and relu applied before the product leaves the kernel)
 * and `denseGrad` the first line of the backward in one pass. Mixed dtypes and int32 use
 * the composed public ops.
 */
import type { Activation } from '../core/kernels.js';
import { recordOp } from '../core/autograd.js';
import { tidy } from '../core/engine.js';
import { fmtShape } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';
import { add, binaryRaw, relu, unaryRaw } from './elementwise.js';
import { matmul } from './matmul.js';
import { reduceRaw } from './reduce.js';

export type { Activation };

/** act(x·w + bias) without a gradient: the backend's kernel, else the reference. */
function denseRaw(x: Tensor, w: Tensor, bias: Tensor | null, activation: Activation): Tensor {
  const be = backendOf('dense', x, w);
  const shape = [x.shape[0], w.shape[1]];
  if (be.dense) return wrap(be.dense(x, w, bias, activation), shape, x.dtype, be);
  return tidy(() => {
    const xw = wrap(be.matmul(x, w, false, false), shape, x.dtype, be);
    const z = bias ? binaryRaw('add', xw, bias) : xw;
    return activation === 'relu' ? unaryRaw('relu', z) : z;
  });
}

/** dz = act'(y)·dy and (when asked) Σ_rows dz: the backend's kernel, else the reference. */
function denseGradRaw(y: Tensor, dy: Tensor, activation: Activation, biasGrad: boolean): { dz: Tensor; dBias: Tensor | null } {
  const be = backendOf('dense', y, dy);
  const N = y.shape[1];
  if (be.denseGrad) {
    const g = be.denseGrad(y, dy, activation, biasGrad);
    return { dz: wrap(g.dz, dy.shape, dy.dtype, be), dBias: g.dBias ? wrap(g.dBias, [N], dy.dtype, be) : null };
  }
  const dz = activation === 'relu' ? binaryRaw('mul', dy, unaryRaw('step', y)) : dy;
  return { dz, dBias: biasGrad ? reduceRaw('sum', dz, [0], false) : null };
}

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
  if (!oneDtype) {
    const z = bias ? add(matmul(x, w), bias) : matmul(x, w);
    return activation === 'relu' ? relu(z) : z;
  }
  const y = denseRaw(x, w, bias, activation);
  recordOp('dense', bias ? [x, w, bias] : [x, w], y, (dy) => {
    const wantBias = !!bias?.requiresGrad;
    let dz = dy;
    let dBias: Tensor | null = null;
    if (activation === 'relu' || wantBias) ({ dz, dBias } = denseGradRaw(y, dy, activation, wantBias));
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
