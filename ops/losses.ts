/**
 * Losses, each reduced to a scalar mean over the batch.
 *
 *   mse(pred, y)            = mean((pred − y)²); d/dpred = 2(pred − y)/n. The backend's fused
 *                             kernels (`mse`, `mseGrad`: one dispatch each on webgpu) when it has
 *                             them and both are float32, else the reference `mseComposed`
 *   bceWithLogits(x, y)     = mean(softplus(x) − x·y), computed as max(x,0) − x·y + log(1+e^−|x|)
 *                             so no exp overflows; d/dx = σ(x) − y
 *   softmaxCrossEntropy(x, labels) = mean(−log softmax(x)[label]); d/dx = softmax(x) − onehot
 *
 * Predictions and labels must hold the same number of elements: [B,1] against [B] is
 * accepted (labels reshaped), anything else is an error rather than a silent broadcast
 * to [B,B].
 */
import type { Backend } from '../core/kernels.js';
import { recordOp } from '../core/autograd.js';
import { fmtShape, shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, scalarOn, storageFor, wrap } from './util.js';
import { binaryRaw, unaryRaw, square, sub } from './elementwise.js';
import { mean } from './reduce.js';
import { reshape } from './layout.js';
import { reduceRaw } from './reduce.js';
import { logSoftmaxRaw, softmaxRaw } from './nn.js';

function checkSizes(op: string, pred: Tensor, labels: Tensor): void {
  if (pred.size !== labels.size) {
    throw new Error(`${op}: predictions ${fmtShape(pred.shape)} and labels ${fmtShape(labels.shape)} have different sizes`);
  }
}

function alignLabels(op: string, pred: Tensor, labels: Tensor): Tensor {
  if (shapesEqual(pred.shape, labels.shape)) return labels;
  checkSizes(op, pred, labels);
  return reshape(labels, pred.shape);
}

function mseImpl(pred: Tensor, labels: Tensor): Tensor {
  const be = backendOf('mse', pred, labels);
  if (be.mse && be.mseGrad && pred.dtype === 'float32' && labels.dtype === 'float32') {
    checkSizes('mse', pred, labels);
    return mseFused(be, pred, labels);
  }
  return mseComposed(pred, labels);
}

/** One backend kernel forward, one backward (backends/webgpu/losses.ts); labels are read flat, so [B] against [B,1] needs no reshape. */
function mseFused(be: Backend, pred: Tensor, labels: Tensor): Tensor {
  const loss = wrap(be.mse!(pred, labels), [], 'float32', be);
  recordOp('mse', [pred, labels], loss, (dy) => {
    const g = wrap(be.mseGrad!(pred, labels, dy), pred.shape, 'float32', be);
    return [g, labels.requiresGrad ? wrap(be.unary('neg', g, 'float32'), labels.shape, 'float32', be) : null];
  });
  return loss;
}

/** The reference composition (and what backends without the fused kernels run). */
export function mseComposed(pred: Tensor, labels: Tensor): Tensor {
  return mean(square(sub(pred, alignLabels('mse', pred, labels))));
}

export const mse = typed('mse', {
  'Tensor, Tensor': mseImpl,
}) as (pred: Tensor, labels: Tensor) => Tensor;

export const bceWithLogits = typed('bceWithLogits', {
  'Tensor, Tensor': (logits: Tensor, labelsIn: Tensor): Tensor => {
    const labels = alignLabels('bceWithLogits', logits, labelsIn);
    const b = backendOf('bceWithLogits', logits, labels);
    // max(x,0) − x·y + log1p(exp(−|x|))
    const relu = unaryRaw('relu', logits);
    const xy = binaryRaw('mul', logits, labels);
    const tail = unaryRaw('log1p', unaryRaw('exp', unaryRaw('neg', unaryRaw('abs', logits))));
    const perElement = binaryRaw('add', binaryRaw('sub', relu, xy), tail);
    const total = reduceRaw('sum', perElement, perElement.shape.map((_, i) => i), false);
    const n = logits.size;
    const loss = binaryRaw('div', total, scalarOn(b, n, total.dtype));
    for (const t of [relu, xy, tail, perElement, total]) t.dispose();
    recordOp('bceWithLogits', [logits, labels], loss, (dy) => {
      const diff = binaryRaw('sub', unaryRaw('sigmoid', logits), labels);
      const scale = binaryRaw('div', dy, scalarOn(b, n, dy.dtype));
      return [binaryRaw('mul', diff, scale), null];
    });
    return loss;
  },
}) as (logits: Tensor, labels: Tensor) => Tensor;

/** labels: int32 class ids [B] or a probability/one-hot tensor [B, C]. */
export const softmaxCrossEntropy = typed('softmaxCrossEntropy', {
  'Tensor, Tensor': (logits: Tensor, labels: Tensor): Tensor => {
    if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [batch, classes], got ${fmtShape(logits.shape)}`);
    const [B, C] = logits.shape;
    const b = backendOf('softmaxCrossEntropy', logits, labels);
    let target: Tensor;
    if (labels.dtype === 'int32') {
      if (labels.size !== B) throw new Error(`softmaxCrossEntropy: ${labels.size} labels for ${B} rows of logits`);
      const ids = labels.rawSync() as Int32Array;
      const onehot = new Float32Array(B * C);
      for (let i = 0; i < B; i++) {
        const c = ids[i];
        if (!(c >= 0 && c < C)) throw new Error(`softmaxCrossEntropy: label ${c} at row ${i} is outside [0, ${C})`);
        onehot[i * C + c] = 1;
      }
      target = wrap(b.write(storageFor(onehot, logits.dtype), logits.dtype), [B, C], logits.dtype, b);
    } else {
      if (!shapesEqual(labels.shape, logits.shape)) {
        throw new Error(`softmaxCrossEntropy: label distribution ${fmtShape(labels.shape)} must match logits ${fmtShape(logits.shape)}`);
      }
      target = labels;
    }
    const logp = logSoftmaxRaw(logits);
    const picked = binaryRaw('mul', logp, target);
    const total = reduceRaw('sum', picked, [0, 1], false);
    const loss = binaryRaw('div', total, scalarOn(b, -B, total.dtype));
    logp.dispose(); picked.dispose(); total.dispose();
    recordOp('softmaxCrossEntropy', [logits], loss, (dy) => {
      const diff = binaryRaw('sub', softmaxRaw(logits), target);
      return [binaryRaw('mul', diff, binaryRaw('div', dy, scalarOn(b, B, dy.dtype)))];
    });
    return loss;
  },
}) as (logits: Tensor, labels: Tensor) => Tensor;
