/**
 * Matrix factorization: rating(u, i) ≈ p_u · q_i (+ b_u + b_i + μ with biases).
 * The seed tutorial's first model. Both tables are embeddings, so with `sparseGrad` (the
 * default) a batch's gradient touches only its users' and items' rows.
 */
import type { Tensor } from '../core/tensor.js';
import { Embedding } from './nn/layers.js';
import { initTensor } from './nn/init.js';
import { Recommender } from './recommender.js';
import { add, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { gather } from '../ops/gather.js';
import { mse } from '../ops/losses.js';
import { tensor } from '../ops/creation.js';
import { noGrad, tidy } from '../core/engine.js';
import { matmul } from '../ops/matmul.js';
import { gatherDot } from '../ops/fused.js';
import { autocastDtype } from './nn/autocast.js';
import { reshape } from '../ops/layout.js';
import type { Batch } from './train/types.js';
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
  seed?: number;
}

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
      globalMean: cfg.globalMean ?? 0, sparseGrad: cfg.sparseGrad ?? true, initStd: cfg.initStd ?? 0.01, seed: cfg.seed,
    };
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

  computeLoss(pred: Tensor, batch: Batch): Tensor {
    return mse(pred, tensor(denseLabels('MatrixFactorization', batch), [pred.size]));
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
