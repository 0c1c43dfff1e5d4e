/**
 * Deep matrix factorization (the seed tutorial's second half): concatenate the user's and
 * item's embeddings (and side-feature embeddings, e.g. the item's first genre), then an
 * MLP 64-relu-64-relu-1 predicts the rating. Variants: BatchNorm before each activation;
 * classification into 10 rating classes (0.5 … 5 stars) with softmax cross-entropy;
 * asymmetric user/item dimensions.
 */
import type { Tensor } from '../core/tensor.js';
import { Embedding, Linear } from './nn/layers.js';
import { BatchNorm1d } from './nn/batchnorm.js';
import { Recommender } from './recommender.js';
import { relu } from '../ops/elementwise.js';
import { reshape } from '../ops/layout.js';
import { gatherConcat } from '../ops/gather-concat.js';
import { computeCast } from './nn/autocast.js';
import { mse, softmaxCrossEntropy } from '../ops/losses.js';
import { softmax } from '../ops/nn.js';
import { tensor } from '../ops/creation.js';
import { noGrad, tidy } from '../core/engine.js';
import type { Batch, StepOutput } from './train/types.js';
import { float32 } from './nn/autocast.js';
import { denseLabels, idsInput } from './inputs.js';

export interface SideFeature {
  /** batch input name (e.g. 'genre') */
  name: string;
  /** number of distinct values */
  num: number;
  dim: number;
  /** per-item value, used when scoring all items for a user (e.g. each item's first genre) */
  itemValues?: number[];
}

export interface DeepMFConfig {
  numUsers: number;
  numItems: number;
  userDim?: number;
  itemDim?: number;
  sideFeatures?: SideFeature[];
  hidden?: number[];
  batchNorm?: boolean;
  output?: 'regression' | 'classification';
  classes?: number;
  sparseGrad?: boolean;
  seed?: number;
}

/** Rating (0.5 … 5 in half stars) ↔ class index (0 … 9). */
export const ratingToClass = (r: number, classes: number) => Math.min(classes - 1, Math.max(0, Math.round(r * 2) - 1));
export const classToRating = (c: number) => (c + 1) / 2;

export class DeepMF extends Recommender {
  readonly config: Required<Omit<DeepMFConfig, 'seed'>> & { seed?: number };
  readonly user: Embedding;
  readonly item: Embedding;
  readonly side: Embedding[];
  readonly layers: Linear[] = [];
  readonly norms: BatchNorm1d[] = [];
  readonly out: Linear;

  constructor(cfg: DeepMFConfig) {
    super();
    this.config = {
      numUsers: cfg.numUsers, numItems: cfg.numItems, userDim: cfg.userDim ?? 25, itemDim: cfg.itemDim ?? 25,
      sideFeatures: cfg.sideFeatures ?? [], hidden: cfg.hidden ?? [64, 64], batchNorm: cfg.batchNorm ?? false,
      output: cfg.output ?? 'regression', classes: cfg.classes ?? 10, sparseGrad: cfg.sparseGrad ?? true, seed: cfg.seed,
    };
    const c = this.config;
    const init = { kind: 'normal' as const, std: 0.05 };
    this.user = this.addModule('user', new Embedding({ num: c.numUsers, dim: c.userDim, sparseGrad: c.sparseGrad, init }));
    this.item = this.addModule('item', new Embedding({ num: c.numItems, dim: c.itemDim, sparseGrad: c.sparseGrad, init }));
    this.side = c.sideFeatures.map((f) => {
      if (f.itemValues && f.itemValues.length !== c.numItems) {
        throw new Error(`DeepMF: side feature '${f.name}' has ${f.itemValues.length} item values for ${c.numItems} items`);
      }
      return this.addModule(`side_${f.name}`, new Embedding({ num: f.num, dim: f.dim, sparseGrad: c.sparseGrad, init }));
    });
    let width = c.userDim + c.itemDim + c.sideFeatures.reduce((s, f) => s + f.dim, 0);
    c.hidden.forEach((h, i) => {
      // without BatchNorm between them, the relu is fused into the layer
      this.layers.push(this.addModule(`fc${i}`, new Linear(width, h, { activation: c.batchNorm ? 'linear' : 'relu' })));
      if (c.batchNorm) this.norms.push(this.addModule(`bn${i}`, new BatchNorm1d(h)));
      width = h;
    });
    this.out = this.addModule('out', new Linear(width, c.output === 'classification' ? c.classes : 1));
  }

  get numUsers(): number { return this.config.numUsers; }
  get numItems(): number { return this.config.numItems; }

  /** Output [B] (regression) or logits [B, classes] for user/item (and side feature) ids. */
  predictIds(users: Int32Array, items: Int32Array, side: Int32Array[]): Tensor {
    // the embeddings side by side in one op (ops/gather-concat.ts): concat(user(u), item(i), …)
    const tables = [this.user, this.item, ...this.side];
    let h = computeCast(gatherConcat(tables.map((e) => e.weight), [users, items, ...side], { sparseGrad: tables.map((e) => e.sparseGrad) }));
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (this.config.batchNorm) h = relu(this.norms[i].forward(h));
    });
    const y = this.out.forward(h);
    return this.config.output === 'classification' ? y : reshape(y, [users.length]);
  }

  forwardBatch(batch: Batch): Tensor {
    const users = idsInput('DeepMF', batch, 'user');
    const items = idsInput('DeepMF', batch, 'item', 'movie');
    const side = this.config.sideFeatures.map((f) => idsInput('DeepMF', batch, f.name));
    return this.predictIds(users, items, side);
  }

  /** Prediction: ratings (MSE loss) or class logits (softmax cross-entropy over the rating classes). */
  trainingStep(batch: Batch): StepOutput {
    const labels = denseLabels('DeepMF', batch);
    const pred = float32(this.forwardBatch(batch));
    if (this.config.output === 'regression') return { pred, loss: mse(pred, tensor(labels, [pred.size])) };
    const classes = Int32Array.from(labels, (r) => ratingToClass(r, this.config.classes));
    return { pred, loss: softmaxCrossEntropy(pred, tensor(classes, [classes.length], 'int32')) };
  }

  predictionValues(pred: Tensor): Float32Array {
    const v = pred.dataSync();
    if (this.config.output === 'regression') return Float32Array.from(v);
    // argmax class → rating, so RMSE is comparable with the regression models
    const C = this.config.classes;
    const n = v.length / C;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < C; c++) if (v[i * C + c] > v[i * C + best]) best = c;
      out[i] = classToRating(best);
    }
    return out;
  }

  scoreItems(userIndex: number): Float32Array {
    this.checkUser(userIndex);
    const n = this.numItems;
    const items = Int32Array.from({ length: n }, (_, i) => i);
    const users = new Int32Array(n).fill(userIndex);
    const side = this.config.sideFeatures.map((f) => {
      if (!f.itemValues) throw new Error(`DeepMF.scoreItems: side feature '${f.name}' has no itemValues to score all items with`);
      return Int32Array.from(f.itemValues);
    });
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => tidy(() => {
        const y = this.predictIds(users, items, side);
        if (this.config.output === 'regression') return this.predictionValues(y);
        // rank by expected rating Σ p(c)·rating(c): finer than the argmax class, which ties a lot
        const p = softmax(y).dataSync();
        const C = this.config.classes;
        const out = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          let e = 0;
          for (let c = 0; c < C; c++) e += p[i * C + c] * classToRating(c);
          out[i] = e;
        }
        return out;
      }));
    } finally {
      this.train(wasTraining);
    }
  }

  itemVectors() {
    return { values: this.item.weight.dataSync(), dim: this.config.itemDim };
  }
}
