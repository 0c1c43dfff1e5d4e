/**
 * `sparsegrad predict`: the top-K items for every user of a checkpoint (or the users listed
 * in `--users`), written to a file — what DSSTNE's `predict` does. Each user's rated items
 * are excluded (the checkpoint's seen items). Rating models' scores are predicted ratings,
 * clipped to the rating scale.
 *
 *   TSV (default): a header `user<TAB>rank<TAB>item<TAB>score`, then one line per recommendation
 *   JSON:          [{"user": …, "items": [{"item": …, "score": …, "title": …}, …]}, …]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as sg from '../../index.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { UsageError } from '../args.js';
import { common } from '../common-options.js';
import { itemIdOf, jsonText, print, safeField, tsvField, userIdOf } from '../format.js';
import { clipRating, ratingScaleOf } from '../../models/rating-eval.js';
import { isRankingModel } from '../evaluation.js';

export const PREDICT: CommandSpec = {
  name: 'predict',
  summary: 'top-k items for every user (or those in --users) into a file, excluding what each user rated',
  examples: [
    ['sparsegrad predict --model model.sgm -k 10 --out recs.tsv', 'the top 10 for every user of model.sgm: user, rank, item, score'],
    ['sparsegrad predict --users ids.txt --format json --out recs.json', 'only the raw user ids listed in ids.txt (one per line), as JSON with titles'],
  ],
  options: [
    { name: 'model', type: 'path', default: 'model.sgm', help: 'checkpoint' },
    { name: 'k', alias: 'k', type: 'int', min: 1, default: 10, help: 'items per user' },
    { name: 'out', type: 'out-file', default: 'recs.tsv', help: 'output file' },
    { name: 'users', type: 'path', help: 'a file of raw user ids, one per line (default: every user)' },
    { name: 'format', type: 'string', choices: ['tsv', 'json'], default: 'tsv', help: 'output format' },
    { name: 'include-seen', type: 'flag', help: 'also recommend items the user already rated' },
    common.backend, common.help,
  ],
};

/** Model indices of the raw ids in `path` (blank lines and # comments skipped); an unknown id names its line. */
function usersFromFile(model: sg.models.Recommender, path: string): Int32Array {
  const out: number[] = [];
  readFileSync(path, 'utf8').split(/\r?\n/).forEach((line, n) => {
    const id = line.trim();
    if (!id || id.startsWith('#')) return;
    try {
      out.push(model.userIndexOf(id));
    } catch (e) {
      throw new Error(`${path}:${n + 1}: ${(e as Error).message}`);
    }
  });
  if (out.length === 0) throw new UsageError(`predict: ${path} lists no user ids`);
  return Int32Array.from(out);
}

export async function predictCommand(a: ParsedArgs): Promise<void> {
  await sg.setBackend(a.backend as string);
  const model = sg.load(a.model as string);
  if (model.numUsers === 0) throw new Error(`${a.model as string}: the checkpoint has no users to predict for (no seen items saved with it)`);
  const users = a.users ? usersFromFile(model, a.users as string) : Int32Array.from({ length: model.numUsers }, (_, u) => u);
  const k = a.k as number;
  const scale = isRankingModel(model) ? null : ratingScaleOf(model);
  const seen = a['include-seen'] ? null : model.seen ?? null;
  const t0 = performance.now();
  const tsv: string[] = ['user\trank\titem\tscore'];
  const json: unknown[] = [];
  for (const u of users) {
    const exclude = seen ? seen.indices.subarray(seen.indptr[u], seen.indptr[u + 1]) : [];
    const top = model.recommend(u, k, { exclude });
    const user = userIdOf(model, u);
    if (a.format === 'json') {
      json.push({
        user, items: Array.from(top.indices, (i, r) => ({ item: itemIdOf(model, i), score: clipRating(top.scores[r], scale), title: model.meta.itemTitles?.[i] ?? null })),
      });
    } else {
      top.indices.forEach((i, r) => tsv.push(`${tsvField(user)}\t${r + 1}\t${tsvField(itemIdOf(model, i))}\t${clipRating(top.scores[r], scale).toFixed(4)}`));
    }
  }
  writeFileSync(a.out as string, a.format === 'json' ? `${jsonText(json)}\n` : `${tsv.join('\n')}\n`);
  print(`Wrote the top ${k} for ${users.length.toLocaleString()} users to ${safeField(a.out as string)} in ${((performance.now() - t0) / 1000).toFixed(1)} s` +
    (seen ? ' (rated items excluded)' : ''));
}
