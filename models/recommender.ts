/**
 * The base of every recommender model: a Module that fit() can train (`trainingStep(batch)`
 * gives the loss and the predictions of a batch in one call), with a JSON config
 * (what checkpoints store to rebuild it), and serving: recommend(user, k) and
 * similarItems(item, k). Raw ids (as in the data files) map to dense indices through `meta`.
 */
import { Module } from './nn/module.js';
import type { Tensor } from '../core/tensor.js';
import type { Batch, StepOutput, Trainable } from './train/types.js';
import { cosineNeighbours, topK, type TopK } from './serving.js';

/** What a checkpoint carries besides weights: id maps and titles from the dataset. */
export interface ModelMeta {
  userIds?: (number | string)[];
  itemIds?: (number | string)[];
  itemTitles?: string[];
  dataset?: string;
  [key: string]: unknown;
}

export interface RecommendOptions {
  /** item indices never to recommend (e.g. what the user has seen) */
  exclude?: Iterable<number>;
}

export abstract class Recommender extends Module implements Trainable {
  abstract readonly config: Record<string, unknown>;
  abstract readonly numUsers: number;
  abstract readonly numItems: number;
  meta: ModelMeta = {};

  /** Predictions (or logits) for a batch; no labels needed. */
  abstract forwardBatch(batch: Batch): Tensor;

  forward(batch: Batch): Tensor {
    return this.forwardBatch(batch);
  }

  /** The training forward pass: the loss and the predictions of a batch (nothing kept in between). */
  abstract trainingStep(batch: Batch): StepOutput;

  /**
   * @deprecated the two-call contract (`computeLoss(forwardBatch(b), b)`) is replaced by
   * `trainingStep(b)` → {loss, pred}. This runs trainingStep again (`pred` is ignored, so the
   * forward pass is paid twice) and applies its afterUpdate at once in training mode, as the
   * old loss did.
   */
  computeLoss(_pred: Tensor, batch: Batch): Tensor {
    const out = this.trainingStep(batch);
    if (this.training) out.afterUpdate?.();
    return out.loss;
  }

  abstract predictionValues(pred: Tensor): Float32Array;

  /** Scores of every item for one user (higher = better). */
  abstract scoreItems(userIndex: number): Float32Array;

  /** The item embedding table [numItems, dim] (for similarItems). */
  abstract itemVectors(): { values: Float32Array | Float64Array | Int32Array; dim: number };

  protected checkUser(userIndex: number): void {
    if (!(Number.isInteger(userIndex) && userIndex >= 0 && userIndex < this.numUsers)) {
      throw new Error(`${this.constructor.name}: user index ${userIndex} is not in the model (0 … ${this.numUsers - 1})`);
    }
  }

  protected checkItem(itemIndex: number): void {
    if (!(Number.isInteger(itemIndex) && itemIndex >= 0 && itemIndex < this.numItems)) {
      throw new Error(`${this.constructor.name}: item index ${itemIndex} is not in the model (0 … ${this.numItems - 1})`);
    }
  }

  /** Top-k items for a user by score, skipping `exclude`. */
  recommend(userIndex: number, k = 10, opts: RecommendOptions = {}): TopK {
    this.checkUser(userIndex);
    return topK(this.scoreItems(userIndex), k, opts.exclude);
  }

  /** Cosine nearest neighbours of an item in embedding space. */
  similarItems(itemIndex: number, k = 10): TopK {
    this.checkItem(itemIndex);
    const { values, dim } = this.itemVectors();
    return cosineNeighbours(values, dim, itemIndex, k);
  }

  /** Dense index of a raw user id via meta.userIds (clear error when unknown). */
  userIndexOf(raw: number | string): number {
    return indexOf(this.meta.userIds, raw, 'user', this.numUsers);
  }

  itemIndexOf(raw: number | string): number {
    return indexOf(this.meta.itemIds, raw, 'item', this.numItems);
  }
}

const indexCache = new WeakMap<object, Map<string, number>>();

function indexOf(ids: (number | string)[] | undefined, raw: number | string, what: string, n: number): number {
  if (!ids) {
    const i = Number(raw);
    if (Number.isInteger(i) && i >= 0 && i < n) return i;
    throw new Error(`${what} id ${raw} is not in the model (no id map; indices 0 … ${n - 1})`);
  }
  let map = indexCache.get(ids);
  if (!map) {
    map = new Map(ids.map((id, i) => [String(id), i]));
    indexCache.set(ids, map);
  }
  const i = map.get(String(raw));
  if (i === undefined) throw new Error(`${what} id ${raw} is not in the model (${ids.length} known ${what}s)`);
  return i;
}
