/**
 * Matrix factorization: rating(u, i) ≈ p_u · q_i (+ b_u + b_i + μ with biases).
 * The seed tutorial's first model. Both tables are embeddings, so with `sparseGrad` (the
 * default) a batch's gradient touches only its users' and items' rows.
 *
 * Regularisation (`reg` = λ) is Funk-SVD's, as in Surprise's SVD: each rating in the batch
 * adds λ·(‖p_u‖² + ‖q_i‖² + b_u² + b_i²) to its squared error, so the loss is
 *   mean over the batch of (r − r̂)² + λ·(‖p_u‖² + ‖q_i‖² + b_u² + b_i²).
 * Only the rows in the batch are penalised, so the gradient stays row-sparse; a user with
 * many ratings is pulled toward 0 as often as they are fitted. This is not the optimizer's
 * weight decay, which shrinks every updated parameter by the same factor per step
 * (biases and the global mean included) whatever the data says.
 *
 * The class defaults are the seed tutorial's model (plain dot product, no regulariser);
 * `MatrixFactorization.forRatings(data)` gives the defaults chosen on real data (biases,
 * `reg`, dim, the training mean; see the README's "Defaults on real data").
 */
import type { Tensor } from '../core/tensor.js';
import { Embedding } from './nn/layers.js';
import { initTensor } from './nn/init.js';
import { Recommender } from './recommender.js';
import { add, mul, square } from '../ops/elementwise.js';
import { mean, sum } from '../ops/reduce.js';
import { gather } from '../ops/gather.js';
import { mse } from '../ops/losses.js';
import { tensor } from '../ops/creation.js';
import { noGrad, tidy } from '../core/engine.js';
import { matmul } from '../ops/matmul.js';
import { gatherDot } from '../ops/fused.js';
import { autocastDtype, float32 } from './nn/autocast.js';
import { reshape } from '../ops/layout.js';
import type { Batch, StepOutput } from './train/types.js';
import { denseLabels, idsInput } from './inputs.js';

export interface MFConfig {
  numUsers: number;
  numItems: number;
  dim?: number;
  /** user and item biases plus a global bias (default false: the seed's plain dot product) */
  biases?: boolean;
  /** initial global bias, e.g. the training mean rating */
  globalMean?: number;
  sparseGrad?: boolean;
  /** std of the normal init of the factors */
  initStd?: number;
  /** Funk-SVD L2 per rating on the batch's factor and bias rows (default 0) */
  reg?: number;
  seed?: number;
}

/** The defaults `forRatings` uses, chosen on ml-100k training folds (README: "Defaults on real data"). */
export const MF_RATING_DEFAULTS = { dim: 100, reg: 0.07, initStd: 0.01 } as const;

export class MatrixFactorization extends Recommender {
  readonly config: Required<Omit<MFConfig, 'seed'>> & { seed?: number };
  readonly user: Embedding;
  readonly item: Embedding;
  readonly userBias: Tensor | null = null;
  readonly itemBias: Tensor | null = null;
  readonly globalBias: Tensor | null = null;

  constructor(cfg: MFConfig) {
    super();
    this.config = {
      numUsers: cfg.numUsers, numItems: cfg.numItems, dim: cfg.dim ?? 25, biases: cfg.biases ?? false,
      globalMean: cfg.globalMean ?? 0, sparseGrad: cfg.sparseGrad ?? true, initStd: cfg.initStd ?? 0.01, reg: cfg.reg ?? 0, seed: cfg.seed,
    };
    if (!(this.config.reg >= 0)) throw new Error(`MatrixFactorization: reg must be a number ≥ 0, got ${this.config.reg}`);
    const { numUsers, numItems, dim, sparseGrad, initStd } = this.config;
    const init = { kind: 'normal' as const, std: initStd };
    this.user = this.addModule('user', new Embedding({ num: numUsers, dim, sparseGrad, init, seed: cfg.seed }));
    this.item = this.addModule('item', new Embedding({ num: numItems, dim, sparseGrad, init, seed: cfg.seed === undefined ? undefined : cfg.seed + 1 }));
    if (this.config.biases) {
      this.userBias = this.addParameter('userBias', initTensor([numUsers], { kind: 'zeros' }));
      this.itemBias = this.addParameter('itemBias', initTensor([numItems], { kind: 'zeros' }));
      this.globalBias = this.addParameter('globalBias', tensor([this.config.globalMean], []));
    }
  }

  /**
   * MF for rating data with the defaults chosen on real data: biases on, the global bias
   * starting at the mean of `data`'s ratings (pass the training part only), `reg`, dim and
   * init from MF_RATING_DEFAULTS; `overrides` win.
   */
  static forRatings(data: { numUsers: number; numItems: number; ratings: ArrayLike<number> }, overrides: Partial<MFConfig> = {}): MatrixFactorization {
    let mean = 0;
    for (let e = 0; e < data.ratings.length; e++) mean += data.ratings[e];
    mean = data.ratings.length ? mean / data.ratings.length : 0;
    return new this({ numUsers: data.numUsers, numItems: data.numItems, biases: true, globalMean: mean, ...MF_RATING_DEFAULTS, ...overrides });
  }

  get numUsers(): number { return this.config.numUsers; }
  get numItems(): number { return this.config.numItems; }

  /** Predicted ratings [B] for index arrays of users and items. */
  predictPairs(users: Int32Array, items: Int32Array): Tensor {
    // under autocast (AMP) the embeddings' float16 rows go through the composed path
    const dot = autocastDtype()
      ? sum(mul(this.user.forward(users), this.item.forward(items)), 1)
      : gatherDot(this.user.weight, this.item.weight, users, items, { sparseGrad: this.config.sparseGrad });
    if (!this.config.biases) return dot;
    const sg = this.config.sparseGrad;
    return add(add(add(dot, gather(this.userBias!, users, { sparseGrad: sg })), gather(this.itemBias!, items, { sparseGrad: sg })), this.globalBias!);
  }

  forwardBatch(batch: Batch): Tensor {
    return this.predictPairs(idsInput('MatrixFactorization', batch, 'user'), idsInput('MatrixFactorization', batch, 'item', 'movie'));
  }

  /** Prediction: the ratings; loss: their MSE against the labels (+ λ·penalty of the batch's rows with `reg`). */
  trainingStep(batch: Batch): StepOutput {
    const labels = denseLabels('MatrixFactorization', batch);
    const users = idsInput('MatrixFactorization', batch, 'user');
    const items = idsInput('MatrixFactorization', batch, 'item', 'movie');
    const pred = float32(this.predictPairs(users, items));
    const err = mse(pred, tensor(labels, [pred.size]));
    if (!(this.config.reg > 0)) return { pred, loss: err };
    return { pred, loss: add(err, mul(this.penalty(users, items), this.config.reg)) };
  }

  /**
   * mean over the pairs of ‖p_u‖² + ‖q_i‖² (+ b_u² + b_i²): the Funk-SVD penalty before λ.
   * ‖p_u‖² is gatherDot(P, P, u, u) — the fused row kernel, its gradient 2·p_u on those rows only.
   */
  penalty(users: Int32Array, items: Int32Array): Tensor {
    const sg = this.config.sparseGrad;
    const sq = (table: Tensor, ids: Int32Array) => (autocastDtype()
      ? sum(square(gather(table, ids, { sparseGrad: sg })), 1)
      : gatherDot(table, table, ids, ids, { sparseGrad: sg }));
    let p = add(sq(this.user.weight, users), sq(this.item.weight, items));
    if (this.config.biases) {
      p = add(p, add(square(gather(this.userBias!, users, { sparseGrad: sg })), square(gather(this.itemBias!, items, { sparseGrad: sg }))));
    }
    return mean(p);
  }

  predictionValues(pred: Tensor): Float32Array {
    return Float32Array.from(pred.dataSync());
  }

  scoreItems(userIndex: number): Float32Array {
    this.checkUser(userIndex);
    return noGrad(() => tidy(() => {
      const u = this.user.forward([userIndex]); // [1, dim]
      let s = reshape(matmul(u, this.item.weight, { transposeB: true }), [this.numItems]);
      // with biases the score is the predicted rating itself (user and global terms included)
      if (this.itemBias) s = add(add(add(s, this.itemBias), gather(this.userBias!, [userIndex])), this.globalBias!);
      return Float32Array.from(s.dataSync());
    }));
  }

  itemVectors() {
    return { values: this.item.weight.dataSync(), dim: this.config.dim };
  }
}
