/** `sparsegrad recommend`: top-k items for one user of a checkpoint. */
import * as sg from '../../index.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { UsageError } from '../args.js';
import { common } from '../common-options.js';
import { itemIdOf, print, printJson, safeField, titleOf } from '../format.js';
import { clipRating, ratingScaleOf } from '../../models/rating-eval.js';
import { isRankingModel } from '../evaluation.js';

export const RECOMMEND: CommandSpec = {
  name: 'recommend',
  summary: "top-k items for a user (raw id as in the data), excluding what the user has rated",
  examples: [
    ['sparsegrad recommend --model model.sgm --user 1', 'the top 10 items for user 1 (a raw id, as in the data), without what they rated'],
    ['sparsegrad recommend --user 42 -k 20 --include-seen', 'the top 20 of model.sgm, rated items included'],
  ],
  options: [
    { name: 'model', type: 'path', default: 'model.sgm', help: 'checkpoint' },
    { name: 'user', type: 'string', help: 'raw user id' },
    { name: 'k', alias: 'k', type: 'int', min: 1, default: 10, help: 'how many' },
    { name: 'include-seen', type: 'flag', help: 'also recommend items the user already rated' },
    { name: 'format', type: 'string', choices: ['text', 'json'], default: 'text', help: 'output' },
    common.backend, common.help,
  ],
};

export async function recommend(a: ParsedArgs): Promise<void> {
  if (a.user === undefined) throw new UsageError('recommend: --user <raw id> is required');
  await sg.setBackend(a.backend as string);
  const model = sg.load(a.model as string);
  const u = model.userIndexOf(a.user as string);
  const exclude = a['include-seen'] || !model.seen ? [] : model.seen.indices.subarray(model.seen.indptr[u], model.seen.indptr[u + 1]);
  const top = model.recommend(u, a.k as number, { exclude });
  // a rating model's score is a predicted rating: shown on the data's scale (ranked unclipped)
  const scale = isRankingModel(model) ? null : ratingScaleOf(model);
  const score = (r: number) => clipRating(top.scores[r], scale);
  if (a.format === 'json') {
    printJson({
      user: a.user, excluded: exclude.length, scoreIs: scale ? 'predicted rating' : 'score',
      items: Array.from(top.indices, (i, r) => ({ rank: r + 1, item: itemIdOf(model, i), title: model.meta.itemTitles?.[i] ?? null, score: score(r) })),
    });
    return;
  }
  print(`Top ${top.indices.length} for user ${safeField(String(a.user))} (${exclude.length} rated items excluded):`);
  top.indices.forEach((i, r) => print(`${String(r + 1).padStart(3)}. ${titleOf(model, i)}   ${scale ? 'predicted' : 'score'} ${score(r).toFixed(2)}`));
}

