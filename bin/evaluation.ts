/**
 * Scoring a checkpoint on a test file, for `train --test` and `sparsegrad eval`:
 *
 *   rating models (MF, DeepMF …)   RMSE and MAE over every test rating, predictions clipped
 *                                  to the rating scale, users/items the model does not know
 *                                  predicted from the training mean and the known bias
 *   ranking models (Mult-VAE, EASE, ItemKNN …)
 *                                  per test user known to the model: the test items rated
 *                                  ≥ the model's click threshold are the targets, the user's
 *                                  training items are the input and are never ranked;
 *                                  Recall@K and NDCG@K averaged over those users
 *
 * The test file's ids are matched to the model's through the raw ids (meta.userIds /
 * itemIds), so a file loaded on its own (u1.test next to u1.base) lines up.
 */
import * as sg from '../index.js';
import { alignRaw, type AlignedRatings } from '../datasets/align.js';
import { buildCSR } from '../datasets/matrix.js';
import type { RatingsDataset } from '../datasets/types.js';
import { evaluateRatings, type RatingEvaluation } from '../models/rating-eval.js';
import { UserRowModel } from '../models/user-rows.js';
import type { CSR } from '../core/csr.js';

/** Whether a model ranks items (ranking metrics) rather than predicting ratings (RMSE). */
export function isRankingModel(model: sg.models.Recommender): boolean {
  return model instanceof UserRowModel || model instanceof sg.models.ImplicitMF || model instanceof sg.models.EmbeddingModel;
}

/** The test rows in the model's index space. */
export function alignToModel(model: sg.models.Recommender, test: RatingsDataset): AlignedRatings {
  const { userIds, itemIds } = model.meta;
  if (!userIds || !itemIds) throw new Error('the checkpoint has no id maps (meta.userIds / itemIds), so a test file cannot be matched to it');
  return alignRaw(test, userIds, itemIds);
}

export function ratingEvaluation(model: sg.models.Recommender, test: AlignedRatings): RatingEvaluation {
  return evaluateRatings(model, test);
}

export interface RankingEvaluation extends sg.train.RankingResult {
  /** test users the model does not know (not scored) */
  unknownUsers: number;
  /** the click threshold the targets used */
  threshold: number | null;
}

/** Recall/NDCG of a ranking model on the aligned test rows (see the header). */
export function rankingEvaluation(model: sg.models.Recommender, test: AlignedRatings, ks: number[] = [20, 50, 100]): RankingEvaluation {
  const t = model.meta.inputThreshold;
  const threshold = typeof t === 'number' ? t : null;
  // targets: known (user, item) pairs at or over the threshold, one row per such user
  const rowOf = new Map<number, number>();
  const rows: number[] = [];
  const cols: number[] = [];
  const unknown = new Set<number>();
  for (let e = 0; e < test.ratings.length; e++) {
    const u = test.users[e];
    const i = test.items[e];
    if (u < 0) { unknown.add(e); continue; }
    if (i < 0 || (threshold !== null && test.ratings[e] < threshold)) continue;
    let r = rowOf.get(u);
    if (r === undefined) { r = rowOf.size; rowOf.set(u, r); }
    rows.push(r);
    cols.push(i);
  }
  if (rowOf.size === 0) throw new Error(`no test user has a known item${threshold !== null ? ` rated ≥ ${threshold}` : ''}: nothing to rank`);
  const users = Int32Array.from(rowOf.keys());
  const target = buildCSR(Int32Array.from(rows), Int32Array.from(cols), null, [users.length, model.numItems], 'max');
  const seen = (model as sg.LoadedModel).seen;
  const exclude: CSR | null = seen ? seen.selectRows(users) : null;
  let input: CSR | null = null;
  if (model instanceof UserRowModel) {
    const all = model.inputRows();
    if (!all) throw new Error(`${model.constructor.name}: the checkpoint has no user rows (seen items) to score the test users from`);
    input = all.selectRows(users);
  }
  const result = sg.train.evaluateRanking(model as sg.train.RankingScorer, { input, target, users }, { k: ks, exclude });
  return { ...result, unknownUsers: unknown.size, threshold };
}
