/**
 * MultVAE: the variational autoencoder for collaborative filtering of Liang et al. (2018),
 * "Variational Autoencoders for Collaborative Filtering" (WWW '18).
 *
 *   encoder q(z|x):  x (CSR) → normalise → dropout(0.5) → 600 tanh → [μ, logσ²] (2 × 200)
 *   sample:          z = μ + ε·σ, ε ~ N(0, I) from the run's 'vae/noise' stream (training);
 *                    z = μ when evaluating
 *   decoder p(x|z):  z → 600 tanh → logits over every item
 *   loss (−ELBO):    −Σ_i x_i log softmax(logits)_i  +  β · KL(q(z|x) ‖ N(0, I))
 *
 * β is annealed linearly: β = min(annealCap, updates / totalAnnealSteps), where `updates`
 * counts the optimizer updates applied before this one (so the first step has β = 0; a step
 * mixed precision skips does not count: trainingStep's afterUpdate advances it), as
 * the authors' code (`anneal_cap = 0.2`). A small β ("partially regularised" VAE) was their
 * main finding: the full β = 1 ELBO over-regularises.
 *
 * Their `total_anneal_steps = 200000` was sized for ML-20M (~230 updates an epoch); on a
 * data set of a few thousand users it leaves β ≈ 0 for the whole run. So by default the
 * schedule is **relative to the run**: `fitRows` tells the model how many updates it plans
 * (`planRun`), and β reaches its cap after `annealFraction` (default 0.2) of them. An
 * explicit `totalAnnealSteps` is used as given; a model trained by another loop that never
 * plans falls back to the authors' 200,000.
 * The step count is saved in checkpoints (buffer 'annealStep') so a resumed run continues
 * the schedule.
 */
import type { CSR } from '../core/csr.js';
import { stream } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';
import { add, exp, mul, tanh } from '../ops/elementwise.js';
import { slice } from '../ops/layout.js';
import { tensor } from '../ops/creation.js';
import { gaussianKL, multinomialLogLikelihood } from '../ops/recsys-losses.js';
import { Linear } from './nn/layers.js';
import { Dropout } from './nn/dropout.js';
import { rowsInput, rowsTarget, UserRowModel } from './user-rows.js';
import { checkWidths, prepareInput, transposed, type InputOrder } from './autoencoder.js';
import type { Batch, StepOutput } from './train/types.js';
import { float32 } from './nn/autocast.js';

export interface MultVAEConfig {
  numItems: number;
  /** encoder hidden widths (default [600]); the decoder mirrors them */
  hidden?: number[];
  /** latent dimension (default 200) */
  latent?: number;
  dropout?: number;
  normalize?: boolean;
  inputOrder?: InputOrder;
  /** largest β (default 0.2) */
  annealCap?: number;
  /**
   * updates over which β grows linearly from 0 to annealCap (0 = β fixed at the cap); default
   * null: planned by fitRows as annealFraction of the run's updates (200,000 if never planned)
   */
  totalAnnealSteps?: number | null;
  /** share of the run's planned updates over which β reaches its cap (default 0.2) */
  annealFraction?: number;
  sparseGrad?: boolean;
  seed?: number;
}

/** β after `step` updates: min(cap, step / total) (the cap itself when total is 0). */
export function annealedBeta(step: number, annealCap = 0.2, totalAnnealSteps = 200_000): number {
  if (totalAnnealSteps <= 0) return annealCap;
  return Math.min(annealCap, step / totalAnnealSteps);
}

export class MultVAE extends UserRowModel {
  readonly config: Required<Omit<MultVAEConfig, 'seed'>> & { seed?: number };
  readonly dropout: Dropout;
  readonly encoder: Linear[] = [];
  readonly decoder: Linear[] = [];
  /** optimizer updates taken so far (drives the β schedule) */
  annealStep = 0;

  constructor(cfg: MultVAEConfig) {
    super();
    this.config = {
      numItems: cfg.numItems, hidden: cfg.hidden ?? [600], latent: cfg.latent ?? 200, dropout: cfg.dropout ?? 0.5,
      normalize: cfg.normalize ?? true, inputOrder: cfg.inputOrder ?? 'normalize-dropout', annealCap: cfg.annealCap ?? 0.2,
      totalAnnealSteps: cfg.totalAnnealSteps ?? null, annealFraction: cfg.annealFraction ?? 0.2, sparseGrad: cfg.sparseGrad ?? true, seed: cfg.seed,
    };
    const c = this.config;
    if (!(Number.isInteger(c.numItems) && c.numItems > 0)) throw new Error(`MultVAE: numItems must be a positive integer, got ${c.numItems}`);
    checkWidths('MultVAE', 'hidden', c.hidden);
    checkWidths('MultVAE', 'latent', [c.latent]);
    if (!(c.annealCap >= 0) || !(c.totalAnnealSteps === null || c.totalAnnealSteps >= 0) || !(c.annealFraction > 0 && c.annealFraction <= 1)) {
      throw new Error(`MultVAE: annealCap and totalAnnealSteps must be ≥ 0 and annealFraction in (0, 1], got ${c.annealCap}, ${c.totalAnnealSteps} and ${c.annealFraction}`);
    }
    const seed = (i: number) => (c.seed === undefined ? undefined : c.seed + i);
    this.dropout = this.addModule('dropout', new Dropout(c.dropout));
    // encoder: items → hidden… → 2·latent (μ and logσ² side by side)
    const q = [c.numItems, ...c.hidden, 2 * c.latent];
    for (let i = 0; i + 1 < q.length; i++) {
      this.encoder.push(this.addModule(`q${i}`, new Linear(q[i], q[i + 1], { sparseGrad: i === 0 && c.sparseGrad, seed: seed(i) })));
    }
    // decoder: latent → hidden (reversed)… → items
    const p = [c.latent, ...c.hidden.slice().reverse(), c.numItems];
    for (let i = 0; i + 1 < p.length; i++) {
      this.decoder.push(this.addModule(`p${i}`, new Linear(p[i], p[i + 1], { seed: seed(100 + i) })));
    }
    this.addBuffer('annealStep', tensor([0], [1]));
  }

  get numItems(): number { return this.config.numItems; }

  /** β after `step` updates: min(cap, step / total) (the cap itself when total is 0). */
  static betaAt = annealedBeta;

  /**
   * Called by fitRows with the updates it plans: fixes an unset totalAnnealSteps to
   * annealFraction of them (an explicit or already planned one is kept, so a resumed run
   * keeps its schedule).
   */
  planRun(plan: { updates: number }): void {
    if (this.config.totalAnnealSteps === null && plan.updates > 0) {
      this.config.totalAnnealSteps = Math.max(1, Math.round(this.config.annealFraction * plan.updates));
    }
  }

  /** The β the next training step uses. */
  get beta(): number {
    return annealedBeta(this.annealStep, this.config.annealCap, this.config.totalAnnealSteps ?? 200_000);
  }

  /** μ and logσ² [batch, latent] of input rows (dropout follows training/eval mode). */
  encode(input: CSR): { mu: Tensor; logvar: Tensor } {
    const c = this.config;
    // the first Linear sees a CSR batch: matmul(CSR, W), the input never becomes dense
    let out = this.encoder[0].forward(prepareInput(input, c.normalize, c.inputOrder, this.dropout));
    for (let i = 1; i < this.encoder.length; i++) out = this.encoder[i].forward(tanh(out));
    const B = out.shape[0];
    return { mu: slice(out, [0, 0], [B, c.latent]), logvar: slice(out, [0, c.latent], [B, c.latent]) };
  }

  /** Logits over items for latent codes z [batch, latent]. */
  decode(z: Tensor): Tensor {
    let h = this.decoder[0].forward(z);
    for (let i = 1; i < this.decoder.length; i++) h = this.decoder[i].forward(tanh(h));
    return h;
  }

  logits(input: CSR): Tensor {
    return this.pass(input).logits;
  }

  /** Encode, sample z (training) or take μ, decode: the logits and the latent statistics. */
  private pass(input: CSR): { logits: Tensor; mu: Tensor; logvar: Tensor } {
    const { mu, logvar } = this.encode(input);
    let z = mu;
    if (this.training) {
      // reparameterisation: the noise is an input, so gradients flow to μ and logσ²
      const rng = stream('vae/noise');
      const eps = new Float32Array(mu.size);
      for (let i = 0; i < eps.length; i++) eps[i] = rng.normal();
      z = add(mu, mul(tensor(eps, mu.shape), exp(mul(logvar, 0.5))));
    }
    return { logits: this.decode(z), mu, logvar };
  }

  /**
   * Prediction: the logits; loss: −ELBO with the β of the updates taken so far. The update
   * count advances once this step's update is applied (not on a step AMP skipped).
   */
  trainingStep(batch: Batch): StepOutput {
    const x = rowsInput('MultVAE', batch);
    this.checkRows(x);
    const { logits, mu, logvar } = this.pass(x);
    const pred = float32(logits);
    const nll = multinomialLogLikelihood(pred, rowsTarget('MultVAE', batch, x));
    const beta = this.beta;
    const loss = beta === 0 ? nll : add(nll, mul(gaussianKL(mu, logvar), beta));
    return { pred, loss, afterUpdate: () => { this.annealStep++; } };
  }

  /** The step count travels with the weights. */
  override stateDict(): Map<string, Tensor> {
    const state = super.stateDict();
    const t = state.get('annealStep')!;
    t.assign([this.annealStep]);
    return state;
  }

  override loadStateDict(values: Map<string, Float32Array | Float64Array | Int32Array>): void {
    super.loadStateDict(values);
    this.annealStep = Math.round(values.get('annealStep')![0]);
  }

  itemVectors() {
    const w = this.decoder[this.decoder.length - 1].weight;
    return { values: transposed(w), dim: w.shape[0] };
  }
}
