/**
 * `sparsegrad train --model vae|dae|ease|itemknn`: the ranking models, on implicit feedback
 * (ratings ≥ `--threshold`, the Mult-VAE protocol's clicks).
 *
 * vae / dae: `--valid-users` users (10% by default) are held out with Liang et al.'s 80/20
 * fold-in (datasets/heldout.ts, every item kept as a column); the others' click rows train
 * the model; each epoch reports Validation-ndcg@100 (and Recall@20/50) on the held-out
 * users, the checkpoint is written only when NDCG@100 improves, training stops after
 * `--patience` epochs without improvement and ends with the best epoch's weights. The
 * Mult-VAE's β rises to its cap over the first fifth of the planned updates.
 * ease / itemknn: closed form on every user's clicks, no epochs.
 *
 * The checkpoint's `seen` rows are every user's ratings (values kept): after `load` the
 * model scores a user from their ratings ≥ threshold (`meta.inputThreshold`) and never
 * recommends anything they rated.
 */
import * as sg from '../index.js';
import { heldOutUsers } from '../datasets/heldout.js';
import { userItemMatrix } from '../datasets/matrix.js';
import { firstGenre } from '../datasets/features.js';
import type { RatingsDataset } from '../datasets/types.js';
import { UserRowModel, clicksOf } from '../models/user-rows.js';
import type { ParsedArgs } from './args.js';
import { print, safeField } from './format.js';
import { metricsLog } from './log-file.js';
import { BestCheckpoint } from './best-checkpoint.js';
import { resumeCheckpoint, resumedAt, resumeFrom } from './resume.js';
import { CLOSED_FORM_DEFAULTS, rowBatchSize, setting, TRAINING_DEFAULTS, VAE_ANNEAL_FRACTION, validationUsers } from './defaults.js';
import { alignToModel, rankingEvaluation } from './evaluation.js';

const KS = [20, 50, 100];

export async function trainRows(a: ParsedArgs, data: RatingsDataset): Promise<void> {
  const kind = a.model as string;
  const threshold = data.implicit ? null : (a.threshold as number);
  // every user's ratings, values kept: served from (≥ threshold) and excluded (all) after load
  const seen = userItemMatrix(data, { values: 'rating' });
  const clicks = clicksOf(seen, threshold);
  const meta: sg.models.ModelMeta = {
    dataset: data.name, userIds: Array.from(data.userIds.raw), itemIds: Array.from(data.itemIds.raw), itemTitles: data.itemTitles,
    genreNames: data.genreNames, itemFirstGenre: Array.from(firstGenre(data)), inputThreshold: threshold,
  };
  const out = a.out as string;
  const saveWith = (model: UserRowModel, optimizer?: sg.optim.Optimizer) => {
    sg.save(model, out, { optimizer, seen });
  };
  let model: UserRowModel;
  if (kind === 'ease' || kind === 'itemknn') {
    const t0 = performance.now();
    model = kind === 'ease'
      ? sg.models.fitEASE(clicks, { lambda: (a.lambda as number | undefined) ?? CLOSED_FORM_DEFAULTS.lambda })
      : sg.models.fitItemKNN(clicks, { k: (a.neighbours as number | undefined) ?? CLOSED_FORM_DEFAULTS.neighbours });
    model.meta = meta;
    model.attachSeen(seen);
    const what = kind === 'ease' ? `λ ${model.config.lambda}, ${(data.numItems ** 2 * 8 / 2 ** 20).toFixed(0)} MB float64 Gram matrix` : `${model.config.k} neighbours per item`;
    print(`Model: ${kind} (${what}) fitted in closed form on ${clicks.nnz.toLocaleString()} clicks (ratings ≥ ${threshold ?? 'any'}) of ${clicks.rows.toLocaleString()} users in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    saveWith(model);
    print(`Saved ${out}`);
  } else {
    model = await trainUserRows(a, data, seen, meta, saveWith);
  }
  if (a.test) {
    const test = await sg.datasets.loadMovieLens(a.test as string, { skipBadLines: !!a['skip-bad-lines'] });
    (model as sg.LoadedModel).seen = seen;
    const r = rankingEvaluation(model, alignToModel(model, test), KS);
    print(`Test ${sg.train.formatRanking(r.metrics)} on ${r.users.toLocaleString()} users of ${safeField(test.name)} (targets: their test items rated ≥ ${r.threshold ?? 'any'}; training items excluded)`);
  }
}

async function trainUserRows(a: ParsedArgs, data: RatingsDataset, seen: sg.CSR, meta: sg.models.ModelMeta,
  saveWith: (m: UserRowModel, o?: sg.optim.Optimizer) => void): Promise<UserRowModel> {
  const kind = a.model as string;
  const d = TRAINING_DEFAULTS[kind];
  const seed = a.seed as number;
  const threshold = meta.inputThreshold as number | null;
  const nValid = (a['valid-users'] as number | undefined) ?? validationUsers(data.numUsers);
  const split = heldOutUsers(data, { heldOutUsers: nValid, testUsers: 0, allItems: true, threshold, seed });
  const bs = a['batch-size'] as number | undefined ?? (d.batchSize === 'auto' ? rowBatchSize(split.train.rows) : d.batchSize);
  const epochs = setting(a, 'epochs', d, 'epochs');
  const patience = setting(a, 'patience', d, 'patience');
  const lr = setting(a, 'lr', d, 'lr');
  const updates = epochs * Math.ceil(split.train.rows / bs);
  let model: UserRowModel = kind === 'vae'
    ? new sg.models.MultVAE({ numItems: data.numItems, totalAnnealSteps: Math.max(1, Math.round(VAE_ANNEAL_FRACTION * updates)), seed })
    : new sg.models.AutoEncoder({ numItems: data.numItems, seed });
  model.meta = meta;
  const resumed = a.resume ? resumeFrom(a.out as string, model, a.optimizer as string) : null;
  if (resumed) model = resumed as unknown as UserRowModel;
  model.attachSeen(seen);
  const anneal = model instanceof sg.models.MultVAE ? `, β → ${model.config.annealCap} over ${model.config.totalAnnealSteps} updates` : '';
  print(`Model: ${kind} (${model.parameters().reduce((s, p) => s + p.size, 0).toLocaleString()} parameters; lr ${lr}, ${bs} users per batch, ` +
    `up to ${epochs} epochs, ${patience > 0 ? `patience ${patience}` : 'no early stopping'}${anneal}), ` +
    `${split.train.rows.toLocaleString()} train users / ${split.valid.input.rows.toLocaleString()} validation users (80/20 fold-in), ` +
    `clicks = ratings ≥ ${threshold ?? 'any'}, backend ${sg.getBackend()}`);
  const out = a.out as string;
  const best = new BestCheckpoint({ monitor: 'val-ndcg@100', mode: 'max', out, save: (ctx, epoch) => { model.meta.epoch = epoch; saveWith(model, ctx.optimizer); } });
  const callbacks: sg.train.Callback[] = [best];
  if (patience > 0) callbacks.push(new sg.train.EarlyStopping({ monitor: 'val-ndcg@100', mode: 'max', patience }));
  callbacks.push(...metricsLog(a['log-file'] as string | undefined));
  callbacks.push(resumeCheckpoint(() => model, out, () => ({ seen })));
  let history: sg.train.FitRowsHistory;
  try {
    history = await sg.train.fitRows(model, split.train, {
      epochs, batchSize: bs, optimizer: resumed?.restoredOptimizer ?? { name: a.optimizer as 'adam', lr, weightDecay: a['weight-decay'] as number }, amp: !!a.amp,
      resume: resumed?.trainingState,
      evalSplit: { input: split.valid.input, target: split.valid.target }, evalOptions: { k: KS }, keepBest: 'ndcg@100', callbacks,
      batchEndEvery: 0,
    });
  } catch (e) {
    if (!(e instanceof sg.train.TrainingDivergedError)) throw e;
    throw new Error(`${e.message}; ${best.kept()}`);
  }
  if (resumed && best.bestEpoch < resumedAt(resumed)) model = sg.load(out) as unknown as UserRowModel;
  print(`Kept epoch ${best.bestEpoch} of ${(history.epochs.at(-1)?.epoch ?? -1) + 1} (Validation-ndcg@100=${best.best.toFixed(6)}) in ${out}` +
    (history.stoppedEarly ? `; stopped early: no better Validation-ndcg@100 for ${patience} epochs` : ''));
  return model;
}
