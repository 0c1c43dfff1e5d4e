/**
 * EmbeddingModel: the music case of the seeds (MXNet's row-sparse gradients with lazy
 * updates for a large catalog). A customer table and an item table, combined by a scoring
 * function, trained on (customer, item, label) pairs with positives and sampled negatives:
 *
 *   scoring 'dot'        s = u · v
 *           'cosine'     s = u · v / (‖u‖‖v‖)            (scaled by `cosineScale` as a logit)
 *           'euclidean'  s = −‖u − v‖²                   (near = good)
 *   loss    'logistic'   bceWithLogits(s + b_i + b, label)  (b_i an item bias, b an offset; default)
 *           'cosine'     cosineLoss(u, v, label)         (DSSM-style, scoring 'cosine' only)
 *           'bpr'        bprLoss(s_ui + b_i, s_uj + b_j) on (user, item, negative) triples from
 *                        PairwiseSamplingIterator (Rendle et al. 2009; b cancels), any scoring
 *
 * Why sparse gradients matter here: a batch of 4,096 pairs touches at most 4,096 of a
 * million item rows. With `sparseGrad: true` the gradient is RowSparse and SGD updates just
 * those rows — weight decay included, which is MXNet's lazy update: rows absent from the
 * batch are not decayed. With `sparseGrad: false` the gradient is a dense [items, dim]
 * tensor, and every step writes and updates the whole table: O(items · dim) per step no
 * matter the batch. Same model, same data; the example (examples/embedding-model.ts)
 * measures both.
 */
import type { Tensor } from '../core/tensor.js';
import { noGrad, tidy } from '../core/engine.js';
import { add, div, mul, neg, sqrt, square, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { matmul } from '../ops/matmul.js';
import { gather } from '../ops/gather.js';
import { tensor } from '../ops/creation.js';
import { bceWithLogits } from '../ops/losses.js';
import { bprLoss, cosineLoss } from '../ops/recsys-losses.js';
import { gatherDot } from '../ops/fused.js';
import { autocastDtype, float32 } from './nn/autocast.js';
import { Embedding } from './nn/layers.js';
import { Recommender } from './recommender.js';
import { checkLoss, denseLabels, idsInput, tripleInputs } from './inputs.js';
import type { Batch, StepOutput } from './train/types.js';

export type Scoring = 'dot' | 'cosine' | 'euclidean';

export interface EmbeddingModelConfig {
  numUsers: number;
  numItems: number;
  dim?: number;
  scoring?: Scoring;
  /** 'logistic' (default), 'cosine' (scoring 'cosine' only) or 'bpr' (triples, pairwise) */
  loss?: 'logistic' | 'cosine' | 'bpr';
  /** cosine is in [−1, 1]; as a logit it is multiplied by this (default 5) */
  cosineScale?: number;
  /** negatives in the 'cosine' loss cost max(0, cos − margin) (default 0) */
  margin?: number;
  /** a learned bias per item in the logistic and BPR losses (popularity; default false), row-sparse like the tables */
  itemBias?: boolean;
  sparseGrad?: boolean;
  /** std of the normal init of both tables (default 0.1) */
  initStd?: number;
  seed?: number;
}

const EPS = 1e-8;

export class EmbeddingModel extends Recommender {
  readonly config: Required<Omit<EmbeddingModelConfig, 'seed'>> & { seed?: number };
  readonly user: Embedding;
  readonly item: Embedding;
  /** the logistic loss's offset b */
  readonly offset: Tensor;
  /** the logistic loss's item biases b_i [numItems] (null when itemBias is off) */
  readonly bias: Tensor | null = null;

  constructor(cfg: EmbeddingModelConfig) {
    super();
    this.config = {
      numUsers: cfg.numUsers, numItems: cfg.numItems, dim: cfg.dim ?? 32, scoring: cfg.scoring ?? 'dot', loss: cfg.loss ?? 'logistic',
      cosineScale: cfg.cosineScale ?? 5, margin: cfg.margin ?? 0, itemBias: cfg.itemBias ?? false, sparseGrad: cfg.sparseGrad ?? true, initStd: cfg.initStd ?? 0.1, seed: cfg.seed,
    };
    const c = this.config;
    for (const k of ['numUsers', 'numItems', 'dim'] as const) {
      if (!(Number.isInteger(c[k]) && c[k] > 0)) throw new Error(`EmbeddingModel: ${k} must be a positive integer, got ${c[k]}`);
    }
    if (!['dot', 'cosine', 'euclidean'].includes(c.scoring)) throw new Error(`EmbeddingModel: unknown scoring '${c.scoring}' (dot, cosine, euclidean)`);
    checkLoss('EmbeddingModel', c.loss, ['logistic', 'cosine', 'bpr']);
    if (c.loss === 'cosine' && c.scoring !== 'cosine') throw new Error(`EmbeddingModel: the cosine loss needs scoring 'cosine', not '${c.scoring}'`);
    const init = { kind: 'normal' as const, std: c.initStd };
    this.user = this.addModule('user', new Embedding({ num: c.numUsers, dim: c.dim, sparseGrad: c.sparseGrad, init, seed: c.seed }));
    this.item = this.addModule('item', new Embedding({ num: c.numItems, dim: c.dim, sparseGrad: c.sparseGrad, init, seed: c.seed === undefined ? undefined : c.seed + 1 }));
    this.offset = this.addParameter('offset', tensor([0], []));
    if (c.itemBias && c.loss !== 'cosine') this.bias = this.addParameter('itemBias', tensor(new Float32Array(c.numItems), [c.numItems]));
  }

  get numUsers(): number { return this.config.numUsers; }
  get numItems(): number { return this.config.numItems; }

  /** Scores s [B] of (user, item) pairs (before the offset). */
  scorePairs(users: Int32Array, items: Int32Array): Tensor {
    return this.pairScores(users, items).s;
  }

  /** The scores and, when the model gathered them, the two tables' rows (the cosine loss reads them). */
  private pairScores(users: Int32Array, items: Int32Array): { s: Tensor; rows: { u: Tensor; v: Tensor } | null } {
    const c = this.config;
    // dot product of two embedding rows: the fused op writes the RowSparse gradients directly
    if (c.scoring === 'dot' && !autocastDtype()) return { s: gatherDot(this.user.weight, this.item.weight, users, items, { sparseGrad: c.sparseGrad }), rows: null };
    const u = this.user.forward(users);
    const v = this.item.forward(items);
    const rows = { u, v };
    if (c.scoring === 'dot') return { s: sum(mul(u, v), 1), rows };
    if (c.scoring === 'euclidean') return { s: neg(sum(square(sub(u, v)), 1)), rows };
    const norms = mul(sqrt(add(sum(square(u), 1), EPS)), sqrt(add(sum(square(v), 1), EPS)));
    return { s: div(sum(mul(u, v), 1), norms), rows };
  }

  /** The logistic loss's logit s·scale + b_i + b (s itself with the cosine loss; BPR's scores are these too). */
  private output(s: Tensor, items: Int32Array, withOffset = true): Tensor {
    if (this.config.loss === 'cosine') return s;
    const scaled = this.config.scoring === 'cosine' ? mul(s, this.config.cosineScale) : s;
    const logit = withOffset ? add(scaled, this.offset) : scaled;
    return this.bias ? add(logit, gather(this.bias, items, { sparseGrad: this.config.sparseGrad })) : logit;
  }

  private pairsOf(batch: Batch): { users: Int32Array; items: Int32Array } {
    return { users: idsInput('EmbeddingModel', batch, 'user', 'customer'), items: idsInput('EmbeddingModel', batch, 'item', 'movie', 'song') };
  }

  forwardBatch(batch: Batch): Tensor {
    const { users, items } = this.pairsOf(batch);
    return this.output(this.pairScores(users, items).s, items);
  }

  /**
   * Prediction: the logit (or the cosine); loss: logistic, or the cosine loss on the rows.
   * BPR: prediction s_ui − s_uj per triple (the logits' difference, the offset cancelling), loss bprLoss.
   */
  trainingStep(batch: Batch): StepOutput {
    if (this.config.loss === 'bpr') {
      const { users, pos, neg } = tripleInputs('EmbeddingModel', batch);
      const sp = float32(this.output(this.pairScores(users, pos).s, pos, false));
      const sn = float32(this.output(this.pairScores(users, neg).s, neg, false));
      return { pred: sub(sp, sn), loss: bprLoss(sp, sn) };
    }
    const { users, items } = this.pairsOf(batch);
    const { s, rows } = this.pairScores(users, items);
    const pred = float32(this.output(s, items));
    const labels = tensor(denseLabels('EmbeddingModel', batch), [pred.size]);
    if (this.config.loss === 'cosine') return { pred, loss: cosineLoss(rows!.u, rows!.v, labels, { margin: this.config.margin }) };
    return { pred, loss: bceWithLogits(pred, labels) };
  }

  /** The logit (logistic loss) or the cosine (cosine loss) of each pair; BPR's training predictions are differences of logits. */
  predictionValues(pred: Tensor): Float32Array {
    return Float32Array.from(pred.dataSync());
  }

  /**
   * Scores [users × numItems]: one matmul u·Vᵀ, then the scoring's normalisation (and, with
   * the logistic and BPR losses, the logit's scale and item biases, so the ranking is the model's).
   */
  scoreBatch(users: Int32Array): Float32Array {
    for (const u of users) this.checkUser(u);
    const c = this.config;
    return noGrad(() => tidy(() => {
      const U = this.user.forward(users);
      const V = this.item.weight;
      const dots = matmul(U, V, { transposeB: true });
      let s: Tensor = dots;
      if (c.scoring === 'cosine') {
        const nu = sqrt(add(sum(square(U), 1, true), EPS)); // [B,1]
        const nv = sqrt(add(sum(square(V), 1), EPS)); // [N]
        s = div(div(dots, nu), nv);
      } else if (c.scoring === 'euclidean') {
        // −‖u − v‖² = 2u·v − ‖u‖² − ‖v‖²
        s = sub(sub(mul(dots, 2), sum(square(U), 1, true)), sum(square(V), 1));
      }
      if (c.loss !== 'cosine' && c.scoring === 'cosine') s = mul(s, c.cosineScale);
      if (this.bias) s = add(s, this.bias);
      return Float32Array.from(s.dataSync());
    }));
  }

  scoreItems(userIndex: number): Float32Array {
    return this.scoreBatch(Int32Array.of(userIndex));
  }

  itemVectors() {
    return { values: this.item.weight.dataSync(), dim: this.config.dim };
  }
}
