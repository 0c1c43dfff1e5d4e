/**
 * The softmax family over the last axis.
 *   softmax:    y = e^x / Σe^x;        dx = y ⊙ (dy − Σ(dy ⊙ y))
 *   logSoftmax: y = x − logΣe^x;       dx = dy − softmax(x) · Σdy
 *   logSumExp:  y = log Σ e^x;         dx = dy · softmax(x)
 * Each kernel subtracts the row max first, so large logits never overflow.
 */
import { recordOp } from '../core/autograd.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';
import { binaryRaw } from './elementwise.js';
import { broadcastTo, reduceRaw } from './reduce.js';

function lastAxisCheck(op: string, x: Tensor): void {
  if (x.rank < 1) throw new Error(`${op}: needs a tensor of rank ≥ 1`);
  if (x.dtype === 'int32') throw new Error(`${op}: int32 input; cast to float32 first`);
}

export function softmaxRaw(x: Tensor): Tensor {
  const b = backendOf('softmax', x);
  return wrap(b.softmax(x), x.shape, x.dtype, b);
}

export const softmax = typed('softmax', {
  Tensor: (x: Tensor): Tensor => {
    lastAxisCheck('softmax', x);
    const y = softmaxRaw(x);
    recordOp('softmax', [x], y, (dy) => {
      const last = x.rank - 1;
      const dot = reduceRaw('sum', binaryRaw('mul', dy, y), [last], true);
      return [binaryRaw('mul', y, binaryRaw('sub', dy, dot))];
    });
    return y;
  },
}) as (x: Tensor) => Tensor;

export const logSoftmax = typed('logSoftmax', {
  Tensor: (x: Tensor): Tensor => {
    lastAxisCheck('logSoftmax', x);
    const b = backendOf('logSoftmax', x);
    const y = wrap(b.logSoftmax(x), x.shape, x.dtype, b);
    recordOp('logSoftmax', [x], y, (dy) => {
      const total = reduceRaw('sum', dy, [x.rank - 1], true);
      return [binaryRaw('sub', dy, binaryRaw('mul', softmaxRaw(x), total))];
    });
    return y;
  },
}) as (x: Tensor) => Tensor;

export const logSumExp = typed('logSumExp', {
  Tensor: (x: Tensor): Tensor => {
    lastAxisCheck('logSumExp', x);
    const b = backendOf('logSumExp', x);
    const shape = x.shape.slice(0, -1);
    const y = wrap(b.logSumExp(x), shape, x.dtype, b);
    recordOp('logSumExp', [x], y, (dy) => {
      const keep = [...shape, 1];
      return [binaryRaw('mul', broadcastTo(dy, keep, x.shape), softmaxRaw(x))];
    });
    return y;
  },
}) as (x: Tensor) => Tensor;
