/**
 * `sparsegrad train --model vae|dae|ease|itemknn`: the ranking models, on implicit feedback
 * (ratings ≥ `--threshold`, the Mult-VAE protocol's clicks).
 *
 * vae / dae: `--valid-users` users (10% by default) are held out with Liang et al.'s 80/20
 * fold-in (datasets/heldout.ts, every item kept as a column); the others' click rows train
 * the model; each epoch reports Validation-ndcg@100 (and Recall@20/50) on the held-out
 * users, the checkpoint is written only when NDCG@100 improves, training stops after
 * `--patience` epochs without improvement and ends with the best epoch's weights. The
 * Mult-VAE's β rises to its cap over the first half of the planned updates (the recipe's VAE_ANNEAL_FRACTION),
 * and what is validated, checkpointed and kept is the moving average of its weights (`--ema`,
 * default 0.99 for vae, off for dae: the recipe's VAE_EMA).
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
import { CLOSED_FORM_DEFAULTS, recipeFlags, rowBatchSize, TRAINING_DEFAULTS, validationUsers } from './defaults.js';
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
  const kind = a.model as sg.models.RowModelKind;
  const threshold = meta.inputThreshold as number | null;
  const nValid = (a['valid-users'] as number | undefined) ?? validationUsers(data.numUsers);
  const split = heldOutUsers(data, { heldOutUsers: nValid, testUsers: 0, allItems: true, threshold, seed: a.seed as number });
  const out = a.out as string;
  let best: BestCheckpoint | null = null;
  let resumed: sg.LoadedModel | null = null;
  let result: sg.models.RowRecipeResult;
  try {
    result = await sg.models.trainUserRows(kind, split.train, { input: split.valid.input, target: split.valid.target }, {
      ...recipeFlags(a), k: KS, ema: a.ema as number | undefined,
      prepare: (fresh) => {
        fresh.meta = meta;
        if (!a.resume) return { model: fresh };
        resumed = resumeFrom(out, fresh, a.optimizer as string);
        return { model: resumed, optimizer: resumed.restoredOptimizer, resume: resumed.trainingState };
      },
      callbacks: (m) => {
        const model = m as UserRowModel;
        model.attachSeen(seen);
        const d = TRAINING_DEFAULTS[kind];
        const bs = (a['batch-size'] as number | undefined) ?? rowBatchSize(split.train.rows);
        const patience = (a.patience as number | undefined) ?? d.patience;
        const anneal = model instanceof sg.models.MultVAE ? `, β → ${model.config.annealCap} over the first ${Math.round(model.config.annealFraction * 100)}% of the planned updates` : '';
        const ema = (a.ema as number | undefined) ?? (kind === 'vae' ? sg.models.VAE_EMA : 0);
        const averaged = ema > 0 ? `, weights averaged (ema ${ema})` : '';
        print(`Model: ${kind} (${model.parameters().reduce((s, p) => s + p.size, 0).toLocaleString()} parameters; lr ${a.lr ?? d.lr}, ${bs} users per batch, ` +
          `up to ${a.epochs ?? d.epochs} epochs, ${patience > 0 ? `patience ${patience}` : 'no early stopping'}${anneal}${averaged}), ` +
          `${split.train.rows.toLocaleString()} train users / ${split.valid.input.rows.toLocaleString()} validation users (80/20 fold-in), ` +
          `clicks = ratings ≥ ${threshold ?? 'any'}, backend ${sg.getBackend()}`);
        best = new BestCheckpoint({ monitor: 'val-ndcg@100', mode: 'max', out, save: (ctx, epoch) => { model.meta.epoch = epoch; saveWith(model, ctx.optimizer); } });
        // the resumable checkpoint goes last: it saves the others' state as it is after the epoch
        return [best, ...metricsLog(a['log-file'] as string | undefined), resumeCheckpoint(() => model, out, () => ({ seen }))];
      },
    });
  } catch (e) {
    if (!(e instanceof sg.train.TrainingDivergedError) || !best) throw e;
    throw new Error(`${e.message}; ${(best as BestCheckpoint).kept()}`);
  }
  const kept = best! as BestCheckpoint;
  const { history, settings } = result;
  let model = result.model;
  // resumed, with the best epoch from before the resume: its weights are in the file, not in memory
  if (resumed && kept.bestEpoch < resumedAt(resumed)) model = sg.load(out) as unknown as UserRowModel;
  print(`Kept epoch ${kept.bestEpoch} of ${(history.epochs.at(-1)?.epoch ?? -1) + 1} (Validation-ndcg@100=${kept.best.toFixed(6)}) in ${out}` +
    (history.stoppedEarly ? `; stopped early: no better Validation-ndcg@100 for ${settings.patience} epochs` : ''));
  return model;
}
