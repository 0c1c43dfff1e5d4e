/**
 * BatchNorm1d over [batch, features]: in training, normalise each feature by the batch's
 * mean and variance, then scale by γ and shift by β; keep running averages of the
 * statistics for evaluation, when the batch's own statistics must not be used (a batch of
 * one user's candidates would otherwise normalise itself away).
 */
import type { Tensor } from '../../core/tensor.js';
import { Module } from './module.js';
import { initTensor } from './init.js';
import { tensor } from '../../ops/creation.js';
import { add, div, mul, sqrt, sub, square } from '../../ops/elementwise.js';
import { mean } from '../../ops/reduce.js';
import { noGrad } from '../../core/engine.js';
import { fmtShape } from '../../core/shape.js';

export interface BatchNormOptions {
  /** running = momentum·running + (1 − momentum)·batch (MXNet's convention; default 0.9) */
  momentum?: number;
  eps?: number;
}

export class BatchNorm1d extends Module {
  readonly numFeatures: number;
  readonly momentum: number;
  readonly eps: number;
  readonly gamma: Tensor;
  readonly beta: Tensor;

  constructor(numFeatures: number, opts: BatchNormOptions = {}) {
    super();
    this.numFeatures = numFeatures;
    this.momentum = opts.momentum ?? 0.9;
    this.eps = opts.eps ?? 1e-5;
    this.gamma = this.addParameter('gamma', tensor(new Float32Array(numFeatures).fill(1), [numFeatures]));
    this.beta = this.addParameter('beta', initTensor([numFeatures], { kind: 'zeros' }));
    this.addBuffer('runningMean', initTensor([numFeatures], { kind: 'zeros' }));
    this.addBuffer('runningVar', tensor(new Float32Array(numFeatures).fill(1), [numFeatures]));
  }

  get runningMean(): Tensor {
    return this.namedBuffers().find(([n]) => n === 'runningMean')![1];
  }

  get runningVar(): Tensor {
    return this.namedBuffers().find(([n]) => n === 'runningVar')![1];
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.numFeatures) {
      throw new Error(`BatchNorm1d(${this.numFeatures}): expected input [batch, ${this.numFeatures}], got ${fmtShape(x.shape)}`);
    }
    let mu: Tensor;
    let variance: Tensor;
    if (this.training) {
      if (x.shape[0] < 2) throw new Error('BatchNorm1d: training needs a batch of at least 2 rows');
      mu = mean(x, 0);
      variance = mean(square(sub(x, mu)), 0);
      noGrad(() => {
        const m = this.momentum;
        const n = x.shape[0];
        // running variance uses the unbiased estimate, as PyTorch and MXNet do
        const unbiased = mul(variance, n / (n - 1));
        this.setBuffer('runningMean', add(mul(this.runningMean, m), mul(mu, 1 - m)));
        this.setBuffer('runningVar', add(mul(this.runningVar, m), mul(unbiased, 1 - m)));
      });
    } else {
      mu = this.runningMean;
      variance = this.runningVar;
    }
    const normed = div(sub(x, mu), sqrt(add(variance, this.eps)));
    return add(mul(normed, this.gamma), this.beta);
  }
}
