/** `sparsegrad eval`: a checkpoint's quality on a test file — RMSE/MAE for rating models, Recall/NDCG@K for ranking models. */
import * as sg from '../../index.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { UsageError } from '../args.js';
import { common } from '../common-options.js';
import { print, printJson, safeField } from '../format.js';
import { alignToModel, isRankingModel, rankingEvaluation, ratingEvaluation } from '../evaluation.js';

export const EVAL: CommandSpec = {
  name: 'eval',
  summary: "a checkpoint's quality on a test file: RMSE/MAE (rating models) or Recall/NDCG@K excluding training items (ranking models)",
  examples: [
    ['sparsegrad eval --model model.sgm --data ml-100k/u1.test', 'RMSE and MAE of the model on u1.test (ids matched through the checkpoint)'],
    ['sparsegrad eval --model vae.sgm --data ml-100k/u1.test -k 10,100 --format json', 'Recall@10/100 and NDCG@10/100 as JSON'],
  ],
  options: [
    { name: 'model', type: 'path', default: 'model.sgm', help: 'checkpoint' },
    { name: 'data', type: 'path', help: 'test ratings: a file (u1.test, ratings.csv) or a MovieLens directory' },
    { name: 'data-format', type: 'string', choices: ['movielens', 'netflix'], default: 'movielens', help: 'format of --data' },
    { name: 'k', alias: 'k', type: 'string', default: '20,50,100', help: 'ranking models: cut-offs K, comma-separated' },
    { name: 'format', type: 'string', choices: ['text', 'json'], default: 'text', help: 'output' },
    { name: 'skip-bad-lines', type: 'flag', help: 'skip (and count) malformed lines in the test file' },
    common.backend, common.help,
  ],
};

function cutoffs(text: string): number[] {
  const ks = text.split(',').map((s) => s.trim()).filter(Boolean);
  const out = ks.map(Number);
  if (out.length === 0 || out.some((k, i) => !/^\d+$/.test(ks[i]) || !(k >= 1))) {
    throw new UsageError(`eval: -k needs whole numbers ≥ 1 separated by commas (got '${safeField(text, 60)}')`);
  }
  return out;
}

export async function evalCommand(a: ParsedArgs): Promise<void> {
  if (a.data === undefined) throw new UsageError('eval: --data <test file or directory> is required');
  const ks = cutoffs(a.k as string);
  await sg.setBackend(a.backend as string);
  const model = sg.load(a.model as string);
  const opts = { skipBadLines: !!a['skip-bad-lines'] };
  const test = a['data-format'] === 'netflix' ? await sg.datasets.loadNetflix(a.data as string, opts) : await sg.datasets.loadMovieLens(a.data as string, opts);
  const aligned = alignToModel(model, test);
  const json = a.format === 'json';
  const head = { model: a.model, modelClass: model.constructor.name, data: a.data, ratings: test.ratings.length };
  if (isRankingModel(model)) {
    const r = rankingEvaluation(model, aligned, ks);
    if (json) return printJson({ ...head, kind: 'ranking', metrics: r.metrics, users: r.users, usersWithoutTargets: r.skipped, unknownUsers: r.unknownUsers, threshold: r.threshold });
    print(`${model.constructor.name} on ${safeField(test.name)}: ${sg.train.formatRanking(r.metrics)}`);
    print(`  ${r.users.toLocaleString()} users ranked (targets: their test items rated ≥ ${r.threshold ?? 'any'}; their training items excluded); ` +
      `${r.unknownUsers.toLocaleString()} test ratings of users the model does not know were skipped`);
    return;
  }
  const r = ratingEvaluation(model, aligned);
  if (json) return printJson({ ...head, kind: 'rating', rmse: r.rmse, mae: r.mae, count: r.count, unknownUsers: r.unknownUsers, unknownItems: r.unknownItems });
  print(`${model.constructor.name} on ${safeField(test.name)}: rmse=${r.rmse.toFixed(6)} mae=${r.mae.toFixed(6)} over ${r.count.toLocaleString()} ratings`);
  if (r.unknownUsers + r.unknownItems > 0) {
    print(`  ${r.unknownUsers.toLocaleString()} with a user and ${r.unknownItems.toLocaleString()} with an item the model does not know: predicted from the training mean and the known bias`);
  }
}
