/**
 * Rating predictions for arbitrary (user, item) rows, and their RMSE / MAE against a test
 * set — what `train --test` and `sparsegrad eval` report for rating models.
 *
 * - **Clipping**: a predicted rating outside the data's scale (e.g. 6.2 on 1–5 stars) is
 *   clipped to it (`meta.ratingScale`, saved by `train`), as Surprise does; clipping can
 *   only lower the error.
 * - **Unknown users and items** (index -1, see datasets/align.ts): the model has no row for
 *   them, so they get the baseline: the training mean (`meta.trainMean`, or MF's global
 *   bias) plus the bias of whichever side is known (MF with biases). They stay in the
 *   averages, so a test file is scored whole.
 * - Predictions come from `forwardBatch` in evaluation mode, in batches, so every rating
 *   model (MF, DeepMF and its variants) is scored the same way; `sideInputs` adds inputs a
 *   model reads besides user and item (DeepMF's genre feature).
 */
import { noGrad, tidy } from '../core/engine.js';
import type { RatingScale } from '../datasets/types.js';
import type { AlignedRatings } from '../datasets/align.js';
import { MatrixFactorization } from './mf.js';
import type { Recommender } from './recommender.js';
import type { SideFeature } from './deepmf.js';

export interface RatingPredictOptions {
  /** clip to this scale (default: the model's meta.ratingScale; null = no clipping) */
  scale?: RatingScale | null;
  /** pairs per forward pass (default 10,000) */
  batchSize?: number;
}

export interface RatingEvaluation {
  rmse: number;
  mae: number;
  /** rows scored */
  count: number;
  /** rows whose user or item the model does not know (scored by the baseline) */
  unknownUsers: number;
  unknownItems: number;
}

/** The scale a model's ratings live on, when train saved one. */
export function ratingScaleOf(model: Recommender): RatingScale | null {
  const s = model.meta.ratingScale as RatingScale | undefined;
  return s && Number.isFinite(s.min) && Number.isFinite(s.max) ? s : null;
}

/** x clipped to [scale.min, scale.max] (unchanged without a scale). */
export function clipRating(x: number, scale: RatingScale | null): number {
  if (!scale) return x;
  return x < scale.min ? scale.min : x > scale.max ? scale.max : x;
}

/** The prediction for rows the model cannot score: mean + the known side's bias. */
function baseline(model: Recommender): (user: number, item: number) => number {
  if (model instanceof MatrixFactorization && model.config.biases) {
    const mu = model.globalBias!.dataSync()[0];
    const bu = model.userBias!.dataSync();
    const bi = model.itemBias!.dataSync();
    return (u, i) => mu + (u >= 0 ? bu[u] : 0) + (i >= 0 ? bi[i] : 0);
  }
  const mean = model.meta.trainMean;
  if (typeof mean !== 'number') {
    throw new Error(`${model.constructor.name}: the test data has users or items the model does not know, and the checkpoint has no training mean to predict them with (meta.trainMean)`);
  }
  return () => mean;
}

/** Predicted ratings for rows (-1 = unknown user or item), clipped to the scale. */
export function predictRatings(model: Recommender, users: Int32Array, items: Int32Array, opts: RatingPredictOptions = {}): Float32Array {
  if (users.length !== items.length) throw new Error(`predictRatings: ${users.length} users but ${items.length} items`);
  const scale = opts.scale === undefined ? ratingScaleOf(model) : opts.scale;
  const batchSize = opts.batchSize ?? 10_000;
  const n = users.length;
  const out = new Float32Array(n);
  const known: number[] = [];
  let fallback: ((u: number, i: number) => number) | null = null;
  for (let e = 0; e < n; e++) {
    if (users[e] >= model.numUsers || items[e] >= model.numItems) {
      throw new Error(`predictRatings: row ${e} has user ${users[e]} / item ${items[e]}, the model has ${model.numUsers} users and ${model.numItems} items`);
    }
    if (users[e] >= 0 && items[e] >= 0) known.push(e);
    else {
      fallback ??= baseline(model);
      out[e] = fallback(users[e], items[e]);
    }
  }
  const side = (model.config.sideFeatures as SideFeature[] | undefined) ?? [];
  const wasTraining = model.training;
  model.eval();
  try {
    for (let b = 0; b < known.length; b += batchSize) {
      const rows = known.slice(b, b + batchSize);
      const u = Int32Array.from(rows, (e) => users[e]);
      const i = Int32Array.from(rows, (e) => items[e]);
      const inputs: Record<string, Int32Array> = { user: u, item: i };
      for (const f of side) inputs[f.name] = Int32Array.from(i, (j) => f.itemValues![j]);
      const values = noGrad(() => tidy(() => model.predictionValues(model.forwardBatch({ inputs, size: rows.length }))));
      rows.forEach((e, k) => { out[e] = values[k]; });
    }
  } finally {
    model.train(wasTraining);
  }
  if (scale) for (let e = 0; e < n; e++) out[e] = clipRating(out[e], scale);
  return out;
}

/** RMSE and MAE of the model on aligned test rows (every row counted; see the header). */
export function evaluateRatings(model: Recommender, test: AlignedRatings, opts: RatingPredictOptions = {}): RatingEvaluation {
  const n = test.ratings.length;
  if (n === 0) throw new Error('evaluateRatings: the test data has no ratings');
  const pred = predictRatings(model, test.users, test.items, opts);
  let se = 0;
  let ae = 0;
  for (let e = 0; e < n; e++) {
    const d = pred[e] - test.ratings[e];
    se += d * d;
    ae += Math.abs(d);
  }
  return { rmse: Math.sqrt(se / n), mae: ae / n, count: n, unknownUsers: test.unknownUsers, unknownItems: test.unknownItems };
}
