/**
 * Mixed precision, as in the seed's Mult-VAE case study (1.8× there on GPUs):
 *  - float32 master weights (the model's parameters, untouched by this file),
 *  - float16 working copies made each step from the masters (autocast: layers cast the
 *    rows/weights they use), so activations and their gradients are float16,
 *  - dynamic loss scaling: float16 gradients underflow below 6·10⁻⁸, so the loss is
 *    multiplied by a large scale before backward and the gradients divided by it before the
 *    step. An inf/NaN gradient means the scale was too large: skip that step and halve
 *    it; after `growthInterval` clean steps, try doubling it again.
 */
import { Tensor } from '../../core/tensor.js';
import { RowSparse } from '../../core/rowsparse.js';
import { noGrad, tidy, engine } from '../../core/engine.js';
import { cast, isFinite as isFiniteOp, mul } from '../../ops/elementwise.js';
import { min } from '../../ops/reduce.js';
import { autocast } from '../nn/autocast.js';
import type { Optimizer } from './optimizer.js';
import type { Batch, Trainable } from '../train/types.js';

export interface LossScalerOptions {
  initScale?: number;
  growthFactor?: number;
  backoffFactor?: number;
  growthInterval?: number;
  minScale?: number;
}

export class LossScaler {
  scale: number;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  readonly minScale: number;
  /** consecutive steps with finite gradients */
  cleanSteps = 0;
  steps = 0;
  skipped = 0;

  constructor(opts: LossScalerOptions = {}) {
    this.scale = opts.initScale ?? 2 ** 15;
    this.growthFactor = opts.growthFactor ?? 2;
    this.backoffFactor = opts.backoffFactor ?? 0.5;
    this.growthInterval = opts.growthInterval ?? 2000;
    this.minScale = opts.minScale ?? 2 ** -14;
  }

  /** Whether every gradient of `params` is finite (one small reduction per parameter). */
  gradientsFinite(params: Tensor[]): boolean {
    return noGrad(() => tidy(() => params.every((p) => {
      const g = p.grad;
      if (!g) return true;
      const values = g instanceof RowSparse ? g.values : g;
      return values.size === 0 || min(isFiniteOp(values)).item() === 1;
    })));
  }

  /** Divides every gradient by the scale (in new tensors; the scaled ones are freed). */
  unscale(params: Tensor[]): void {
    const inv = 1 / this.scale;
    noGrad(() => {
      for (const p of params) {
        const g = p.grad;
        if (!g) continue;
        const values = g instanceof RowSparse ? g.values : g;
        const scaled = engine.keep(mul(values, inv));
        p.grad = g instanceof RowSparse ? new RowSparse(g.indices, scaled, g.denseShape) : scaled;
        values.dispose();
      }
    });
  }

  /** Records a step's outcome and adjusts the scale. */
  update(finite: boolean): void {
    this.steps++;
    if (finite) {
      if (++this.cleanSteps >= this.growthInterval) {
        this.scale *= this.growthFactor;
        this.cleanSteps = 0;
      }
    } else {
      this.skipped++;
      this.cleanSteps = 0;
      this.scale = Math.max(this.minScale, this.scale * this.backoffFactor);
    }
  }

  /**
   * After backward of a scaled loss: if the gradients are finite, unscale them and step;
   * otherwise skip the step. Gradients are cleared either way. Returns whether it stepped.
   */
  step(optimizer: Optimizer): boolean {
    const finite = this.gradientsFinite(optimizer.params);
    if (finite) {
      this.unscale(optimizer.params);
      optimizer.step();
    }
    optimizer.zeroGrad();
    this.update(finite);
    return finite;
  }

  report(): string {
    return `amp: loss scale ${this.scale}, skipped ${this.skipped} of ${this.steps} steps`;
  }
}

/** What fit() uses when `amp: true`. */
export class MixedPrecision {
  readonly scaler: LossScaler;

  constructor(readonly model: Trainable, readonly optimizer: Optimizer, opts: LossScalerOptions = {}) {
    this.scaler = new LossScaler(opts);
  }

  /** Forward in float16; predictions come back as float32 so the loss is float32. */
  forward(batch: Batch): Tensor {
    const pred = autocast('float16', () => this.model.forwardBatch(batch));
    return pred.dtype === 'float32' ? pred : cast(pred, 'float32');
  }

  /** Backward of the scaled loss, then a skipped or unscaled step. */
  backwardAndStep(loss: Tensor): boolean {
    mul(loss, this.scaler.scale).backward(undefined, { checkFinite: false });
    return this.scaler.step(this.optimizer);
  }

  report(): string {
    return this.scaler.report();
  }
}
