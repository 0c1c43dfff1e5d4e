/**
 * Weight averaging (Polyak averaging by an exponential moving average): alongside the
 * weights that train, a running average of them after every applied update, with Adam's
 * bias correction so that the early updates are not pulled towards zero:
 *
 *   s_t = d · s_{t−1} + (1 − d) · θ_t        (s_0 = 0)
 *   θ̄_t = s_t / (1 − d^t)                     = Σ_{i≤t} d^{t−i} θ_i / Σ_{i≤t} d^{t−i}
 *
 * The loop (loop.ts, the `ema` option of fit and fitRows) swaps θ̄ into the model for
 * validation, the epoch-end callbacks (checkpoints), keep-best snapshots and the model it
 * hands back, and the training weights back in before the next epoch trains. The average
 * smooths the update-to-update noise that a fixed learning rate leaves in the weights — on
 * ml-100k's Mult-VAE it was worth about +0.01 NDCG@100 (README, "Defaults on real data").
 *
 * The sums and the training weights set aside are the optimizer's state slots `ema` and
 * `emaTrain` (as Keras keeps its optimizers' EMA variables), so a checkpoint saved with the
 * optimizer carries them, and a resumed run continues the average bit for bit; the update
 * count travels in the training state (resume.ts). Only the optimizer's parameters are
 * averaged; buffers (BatchNorm statistics, the VAE's step count) are the training model's.
 */
import { noGrad, tidy } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { add, mul } from '../../ops/elementwise.js';
import type { Optimizer } from '../optim/optimizer.js';

/** What the training state of a checkpoint holds of an average. */
export interface WeightAverageState {
  decay: number;
  /** applied updates averaged (t) */
  updates: number;
  /** whether the model held the average (the training weights in the `emaTrain` slots) */
  swappedIn: boolean;
}

export class WeightAverage {
  readonly decay: number;
  /** applied updates averaged so far (t) */
  updates = 0;
  private readonly params: Tensor[];
  private readonly sums: Tensor[];
  private readonly held: Tensor[];
  private inModel = false;

  constructor(optimizer: Optimizer, decay: number) {
    if (!(decay > 0 && decay < 1)) throw new Error(`ema: the decay must be a number in (0, 1) (e.g. 0.99), got ${decay}`);
    this.decay = decay;
    this.params = optimizer.params;
    this.sums = this.params.map((p) => optimizer.stateSlot(p, 'ema'));
    this.held = this.params.map((p) => optimizer.stateSlot(p, 'emaTrain'));
  }

  /** Whether the model holds the average now (between swapIn and swapOut). */
  get swappedIn(): boolean { return this.inModel; }

  /** After an applied update: s ← d·s + (1 − d)·θ. */
  update(): void {
    if (this.inModel) throw new Error('ema: update() while the average is in the model');
    const d = this.decay;
    noGrad(() => tidy(() => {
      this.params.forEach((p, i) => { this.sums[i].assign(add(mul(this.sums[i], d), mul(p, 1 - d))); });
    }));
    this.updates++;
  }

  /** The average θ̄ into the parameters, the training weights set aside (nothing before the first update). */
  swapIn(): void {
    if (this.inModel || this.updates === 0) return;
    const scale = 1 / (1 - this.decay ** this.updates);
    noGrad(() => tidy(() => {
      this.params.forEach((p, i) => {
        this.held[i].assign(p);
        p.assign(mul(this.sums[i], scale));
      });
    }));
    this.inModel = true;
  }

  /** The training weights back into the parameters. */
  swapOut(): void {
    if (!this.inModel) return;
    this.params.forEach((p, i) => { p.assign(this.held[i]); });
    this.inModel = false;
  }

  state(): WeightAverageState {
    return { decay: this.decay, updates: this.updates, swappedIn: this.inModel };
  }

  /** A saved state (the slots come back with the optimizer); checked, since it came from a file. */
  restore(s: unknown, caller: string): void {
    const fail = (why: string): never => { throw new Error(`${caller}: cannot resume: ${why}`); };
    if (s === undefined || s === null) fail(`the checkpoint was trained without weight averaging; this run asks for ema ${this.decay}`);
    const w = s as WeightAverageState;
    if (w.decay !== this.decay) fail(`the checkpoint averaged the weights with decay ${JSON.stringify(w.decay)}; this run asks for ema ${this.decay}`);
    if (!(Number.isSafeInteger(w.updates) && w.updates >= 0) || typeof w.swappedIn !== 'boolean') fail(`the weight average's state ${JSON.stringify(s).slice(0, 120)} is not {decay, updates, swappedIn}`);
    this.updates = w.updates;
    this.inModel = w.swappedIn;
  }
}
