/**
 * The softmax family over the last axis.
 *   softmax:    y = e^x / Σe^x;        dx = y ⊙ (dy − Σ(dy ⊙ y))
 *   logSoftmax: y = x − logΣe^x;       dx = dy − softmax(x) · Σdy
 *   logSumExp:  y = log Σ e^x;         dx = dy · softmax(x)
 * The row max is subtracted first, so large logits never overflow. The forward passes are
 * accelerations: `softmaxRaw`, `logSoftmaxRaw` and `logSumExpRaw` run the backend's kernel,
 * else the reference composition written out in each (max, sub, exp, sum, log, div).
 */
import { recordOp } from '../core/autograd.js';
import { tidy } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, wrap } from './util.js';
import { binaryRaw, unaryRaw } from './elementwise.js';
import { broadcastTo, reduceRaw } from './reduce.js';

function lastAxisCheck(op: string, x: Tensor): void {
  if (x.rank < 1) throw new Error(`${op}: needs a tensor of rank ≥ 1`);
  if (x.dtype === 'int32') throw new Error(`${op}: int32 input; cast to float32 first`);
}

/** x − max(x) over the last axis, and the log of the sum of its exponentials [..., 1]. */
function shiftedLogSum(x: Tensor): { shifted: Tensor; logSum: Tensor } {
  const last = [x.rank - 1];
  const shifted = binaryRaw('sub', x, reduceRaw('max', x, last, true));
  return { shifted, logSum: unaryRaw('log', reduceRaw('sum', unaryRaw('exp', shifted), last, true)) };
}

/** softmax(x) without a gradient: e^(x − max) / Σ e^(x − max). */
export function softmaxRaw(x: Tensor): Tensor {
  const b = backendOf('softmax', x);
  if (b.softmax) return wrap(b.softmax(x), x.shape, x.dtype, b);
  return tidy(() => {
    const e = unaryRaw('exp', binaryRaw('sub', x, reduceRaw('max', x, [x.rank - 1], true)));
    return binaryRaw('div', e, reduceRaw('sum', e, [x.rank - 1], true));
  });
}

/** logSoftmax(x) without a gradient: (x − max) − log Σ e^(x − max). */
export function logSoftmaxRaw(x: Tensor): Tensor {
  const b = backendOf('logSoftmax', x);
  if (b.logSoftmax) return wrap(b.logSoftmax(x), x.shape, x.dtype, b);
  return tidy(() => {
    const { shifted, logSum } = shiftedLogSum(x);
    return binaryRaw('sub', shifted, logSum);
  });
}

/** logSumExp(x) without a gradient: max + log Σ e^(x − max), the last axis removed. */
export function logSumExpRaw(x: Tensor): Tensor {
  const b = backendOf('logSumExp', x);
  const shape = x.shape.slice(0, -1);
  if (b.logSumExp) return wrap(b.logSumExp(x), shape, x.dtype, b);
  return tidy(() => {
    const { logSum } = shiftedLogSum(x);
    const sum = binaryRaw('add', reduceRaw('max', x, [x.rank - 1], true), logSum);
    return wrap(b.copy(sum), shape, x.dtype, b);
  });
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
    const y = logSoftmaxRaw(x);
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
    const shape = x.shape.slice(0, -1);
    const y = logSumExpRaw(x);
    recordOp('logSumExp', [x], y, (dy) => {
      const keep = [...shape, 1];
      return [binaryRaw('mul', broadcastTo(dy, keep, x.shape), softmaxRaw(x))];
    });
    return y;
  },
}) as (x: Tensor) => Tensor;
