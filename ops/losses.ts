/**
 * Losses, each reduced to a scalar mean over the batch.
 *
 *   mse(pred, y)            = mean((pred − y)²)
 *   bceWithLogits(x, y)     = mean(softplus(x) − x·y), computed as max(x,0) − x·y + log(1+e^−|x|)
 *                             so no exp overflows; d/dx = σ(x) − y
 *   softmaxCrossEntropy(x, labels) = mean(−log softmax(x)[label]); d/dx = softmax(x) − onehot
 *
 * Predictions and labels must hold the same number of elements: [B,1] against [B] is
 * accepted (labels reshaped), anything else is an error rather than a silent broadcast
 * to [B,B].
 */
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

function alignLabels(op: string, pred: Tensor, labels: Tensor): Tensor {
  if (shapesEqual(pred.shape, labels.shape)) return labels;
  if (pred.size !== labels.size) {
    throw new Error(`${op}: predictions ${fmtShape(pred.shape)} and labels ${fmtShape(labels.shape)} have different sizes`);
  }
  return reshape(labels, pred.shape);
}

export const mse = typed('mse', {
  'Tensor, Tensor': (pred: Tensor, labels: Tensor): Tensor => mean(square(sub(pred, alignLabels('mse', pred, labels)))),
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
