/**
 * One training step, the contract between a model and the loop: forward and loss, a
 * divergence check, backward, the optimizer update — all inside `tidy`, so every tensor the
 * step made is freed and memory stays flat however long training runs.
 *
 * With mixed precision the forward pass runs in float16 (MixedPrecision.forward), the loss
 * is scaled before backward, and a step whose gradients overflowed is skipped: `applied`
 * says whether the weights moved.
 */
import { tidy } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import type { MixedPrecision } from '../optim/amp.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Batch, Trainable } from './types.js';

/** A loss that replaces the model's own: a function of the predictions and the batch. */
export type LossFn = (pred: Tensor, batch: Batch) => Tensor;

export interface StepSettings {
  optimizer: Optimizer;
  amp: MixedPrecision | null;
  /** replaces the model's own loss (fit's `loss` option) */
  loss?: LossFn;
  /** read the predictions back as values (for metrics); off when nothing uses them */
  predictions: boolean;
  /** the error to throw for a NaN/inf loss (before any gradient is applied) */
  diverged: (loss: number) => Error;
  /** the loss-explosion guard (divergence.ts): an error to throw instead of applying this step, or null */
  guard?: (loss: number) => Error | null;
}

export interface StepResult {
  loss: number;
  /** model.predictionValues of the batch (null unless asked for) */
  values: Float32Array | null;
  /** false when mixed precision skipped the update (overflowed gradients) */
  applied: boolean;
}

export function trainStep(model: Trainable, batch: Batch, s: StepSettings): StepResult {
  return tidy(() => {
    const pred = s.amp ? s.amp.forward(batch) : model.forwardBatch(batch);
    const loss = s.loss ? s.loss(pred, batch) : model.computeLoss(pred, batch);
    const value = loss.item();
    if (!Number.isFinite(value)) throw s.diverged(value);
    const exploded = s.guard?.(value);
    if (exploded) throw exploded;
    let applied = true;
    if (s.amp) applied = s.amp.backwardAndStep(loss);
    else {
      loss.backward(undefined, { checkFinite: false }); // checked just above
      s.optimizer.step();
      s.optimizer.zeroGrad();
    }
    return { loss: value, values: s.predictions ? model.predictionValues(pred) : null, applied };
  });
}
