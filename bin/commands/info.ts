/** `sparsegrad info`: version, backends, GL renderer; with --data a data set's storage report. */
import * as sg from '../../index.js';
import { describe, formatStats } from '../../datasets/describe.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { loadData, SCALES } from '../data.js';
import { common } from '../common-options.js';
import { itemIdOf, print, printJson, safeField, titleOf, userIdOf } from '../format.js';

export const INFO: CommandSpec = {
  name: 'info',
  summary: 'library version, backends, GL renderer and extensions; --data prints a data set\'s storage report',
  examples: [
    ['sparsegrad info', 'version, backends, and the WebGL renderer and extensions (or why there is no context)'],
    ['sparsegrad info --data synthetic --scale ml20m', 'also the ML-20M-shaped data set: counts, sparsity, dense vs CSR bytes'],
    ['sparsegrad info --model model.sgm', 'what a checkpoint holds: model, settings, kept epoch, users and items (the first ids)'],
    ['sparsegrad info --model model.sgm --ids items', 'every item id of the checkpoint with its title, one per line'],
  ],
  options: [
    { name: 'data', type: 'string', help: "'synthetic' or a MovieLens / Netflix directory" },
    { name: 'format', type: 'string', choices: ['movielens', 'netflix'], default: 'movielens', help: 'format of --data' },
    { name: 'scale', type: 'string', choices: SCALES, default: 'small', help: 'size of the synthetic data set' },
    { name: 'skip-bad-lines', type: 'flag', help: 'skip (and count) malformed lines in the data files' },
    { name: 'model', type: 'path', help: 'a checkpoint: its model, settings, kept epoch, and ids' },
    { name: 'ids', type: 'string', choices: ['users', 'items'], help: 'with --model: list every user id, or every item id and title, one per line (nothing else)' },
    { name: 'output', type: 'string', choices: ['text', 'json'], default: 'text', help: 'with --model: text or JSON' },
    common.help,
  ],
};

/** `info --model`: what a checkpoint holds. */
function modelInfo(a: ParsedArgs): void {
  const model = sg.load(a.model as string);
  const users = Array.from({ length: model.numUsers }, (_, u) => userIdOf(model, u));
  const items = Array.from({ length: model.numItems }, (_, i) => itemIdOf(model, i));
  if (a.ids === 'users') {
    if (a.output === 'json') return printJson(users);
    for (const u of users) print(safeField(String(u)));
    return;
  }
  if (a.ids === 'items') {
    if (a.output === 'json') return printJson(items.map((id, i) => ({ item: id, title: model.meta.itemTitles?.[i] ?? null })));
    for (let i = 0; i < items.length; i++) print(titleOf(model, i).trim());
    return;
  }
  const { userIds: _u, itemIds: _i, itemTitles: _t, itemFirstGenre: _g, ...meta } = model.meta;
  // every saved number: trained parameters and buffers (EASE's and ItemKNN's weights are buffers)
  const parameters = [...model.stateDict().values()].reduce((s, t) => s + t.size, 0);
  if (a.output === 'json') {
    return printJson({ model: a.model, modelClass: model.constructor.name, config: model.config, parameters, users: model.numUsers, items: model.numItems, meta, firstUserIds: users.slice(0, 10), firstItemIds: items.slice(0, 10) });
  }
  print(`${safeField(a.model as string)}: ${model.constructor.name}, ${parameters.toLocaleString()} weights, ${model.numUsers.toLocaleString()} users × ${model.numItems.toLocaleString()} items`);
  const shown = Object.entries(model.config).filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null || (Array.isArray(v) && v.length <= 8)));
  print(`  config: ${shown.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  if (meta.dataset !== undefined) print(`  trained on: ${safeField(String(meta.dataset))}${meta.epoch !== undefined ? `, kept epoch ${meta.epoch}` : ''}`);
  if (meta.ratingScale) print(`  ratings: ${JSON.stringify(meta.ratingScale)}, training mean ${typeof meta.trainMean === 'number' ? meta.trainMean.toFixed(4) : '?'}`);
  if (typeof meta.inputThreshold === 'number') print(`  clicks: ratings ≥ ${meta.inputThreshold}`);
  const seen = model.seen ? `${model.seen.nnz.toLocaleString()} seen (user, item) pairs saved` : 'no seen items saved';
  print(`  ${seen}`);
  print(`  user ids: ${users.slice(0, 10).map((u) => safeField(String(u), 40)).join(', ')}${users.length > 10 ? ', …' : ''}  (all: --ids users)`);
  print(`  item ids: ${items.slice(0, 10).map((i) => safeField(String(i), 40)).join(', ')}${items.length > 10 ? ', …' : ''}  (all, with titles: --ids items)`);
}

export async function info(a: ParsedArgs): Promise<void> {
  if (a.model !== undefined) return modelInfo(a);
  const lines = await sg.info();
  console.log(lines);
  if (a.data) {
    const d = await loadData(a.data as string, a.scale as string, 0, a.format as string, { skipBadLines: !!a['skip-bad-lines'] });
    print(formatStats(describe(d)));
  }
}

