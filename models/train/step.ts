/**
 * One training step: the model's `trainingStep` (the loss and the predictions of a batch in
 * one call), a divergence check, backward, the optimizer update, then the step's
 * `afterUpdate` — all inside `tidy`, so every tensor the step made is freed and memory stays
 * flat however long training runs.
 *
 * With mixed precision the forward pass runs under autocast (layers compute in float16,
 * models hand their losses float32 predictions), the loss is scaled before backward, and a
 * step whose gradients overflowed is skipped: `applied` says whether the weights moved, and
 * `afterUpdate` runs only when they did.
 */
import { tidy } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { autocast, float32 } from '../nn/autocast.js';
import type { MixedPrecision } from '../optim/amp.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Batch, StepOutput, Trainable } from './types.js';

/** A loss that replaces the model's own: a function of the predictions and the batch. */
export type LossFn = (pred: Tensor, batch: Batch) => Tensor;

export interface StepSettings {
  optimizer: Optimizer;
  amp: MixedPrecision | null;
  /** replaces the model's own loss (fit's `loss` option): applied to forwardBatch's predictions */
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

function forward(model: Trainable, batch: Batch, loss?: LossFn): StepOutput {
  if (!loss) return model.trainingStep(batch);
  const pred = float32(model.forwardBatch(batch));
  return { pred, loss: loss(pred, batch) };
}

export function trainStep(model: Trainable, batch: Batch, s: StepSettings): StepResult {
  return tidy(() => {
    const out = s.amp ? autocast('float16', () => forward(model, batch, s.loss)) : forward(model, batch, s.loss);
    const value = out.loss.item();
    if (!Number.isFinite(value)) throw s.diverged(value);
    const exploded = s.guard?.(value);
    if (exploded) throw exploded;
    let applied = true;
    if (s.amp) applied = s.amp.backwardAndStep(out.loss);
    else {
      out.loss.backward(undefined, { checkFinite: false }); // checked just above
      s.optimizer.step();
      s.optimizer.zeroGrad();
    }
    if (applied) out.afterUpdate?.();
    return { loss: value, values: s.predictions ? model.predictionValues(out.pred) : null, applied };
  });
}
