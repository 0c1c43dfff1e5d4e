/**
 * `sparsegrad train`: train a model on the built-in data, a MovieLens / Netflix directory or
 * one ratings file (ml-100k's u1.base), keeping the best validation epoch at `--out`.
 *
 * Rating models (mf — the default —, svdpp and the DeepMF variants): a shuffled share of the
 * ratings (`--valid-fraction`) is held out; the global mean comes from the training part
 * only; each epoch reports Validation-rmse, the checkpoint is written only when it improves
 * (so the file always holds the best epoch), training stops after `--patience` epochs
 * without improvement, and the model ends with the best epoch's weights. Ranking models
 * (vae, dae, ease, itemknn) are in train-rows.ts. `--test <file>` scores the kept model on a
 * test file at the end (bin/evaluation.ts). Defaults per model: bin/defaults.ts.
 */
import * as sg from '../../index.js';
import { describe, formatStats } from '../../datasets/describe.js';
import { userItemMatrix } from '../../datasets/matrix.js';
import { firstGenre } from '../../datasets/features.js';
import type { RatingsDataset } from '../../datasets/types.js';
import { UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { loadData, SCALES } from '../data.js';
import { common } from '../common-options.js';
import { print, safeField } from '../format.js';
import { metricsLog } from '../log-file.js';
import { BestCheckpoint } from '../best-checkpoint.js';
import { MODELS, RANKING_MODELS, recipeFlags, TRAINING_DEFAULTS } from '../defaults.js';
import { alignToModel, ratingEvaluation } from '../evaluation.js';
import { trainRows } from '../train-rows.js';
import { RESUME_OPTION, resumeCheckpoint, resumedAt, resumeFrom } from '../resume.js';

export { MODELS } from '../defaults.js';

export const TRAIN: CommandSpec = {
  name: 'train',
  summary: 'train a model (defaults chosen on real data) and keep its best validation epoch in a checkpoint',
  examples: [
    ['sparsegrad train --data ml-100k/u1.base --test ml-100k/u1.test', 'biased MF with the defaults, best validation epoch in model.sgm, then its RMSE on u1.test'],
    ['sparsegrad train --model vae --data ml-100k/', 'a Mult-VAE on ratings ≥ 4, early-stopped on held-out validation users (NDCG@100)'],
    ['sparsegrad train --log-file metrics.jsonl', 'the built-in MovieLens-shaped data set; one JSON line per epoch and per logged batch, for sparsegrad plot'],
    ['sparsegrad train --model deepmf --scale ml1m --batch-size 2500 --backend webgl', 'deep MF (64-64-1) on ml-1m-shaped synthetic data, on the GPU'],
  ],
  options: [
    {
      name: 'model', type: 'string', choices: MODELS, default: 'mf',
      help: 'mf (biased MF, Funk-SVD regularised), svdpp (SVD++: biased MF + the user\'s rated items\' implicit vectors), deepmf (64-64-1 MLP), deepmf-bn, deepmf-class, deepmf-asym, deepmf-genre; ranking on ratings ≥ --threshold: vae (Mult-VAE), dae (Mult-DAE), ease, itemknn',
    },
    { name: 'data', type: 'string', default: 'synthetic', help: "'synthetic', a MovieLens / Netflix directory, or one ratings file (u1.base, ratings.csv)" },
    { name: 'format', type: 'string', choices: ['movielens', 'netflix'], default: 'movielens', help: 'format of --data' },
    { name: 'scale', type: 'string', choices: SCALES, default: 'small', help: 'size of the synthetic data set' },
    { name: 'test', type: 'path', help: 'a test ratings file (e.g. u1.test) scored with the kept model at the end: RMSE/MAE, or Recall/NDCG for ranking models' },
    { name: 'epochs', type: 'int', min: 1, help: 'most passes over the training data (default: mf 100, deepmf 60, vae/dae 200; early stopping usually ends sooner)' },
    { name: 'patience', type: 'int', min: 0, help: 'stop after this many epochs without a better validation metric; 0 = never (default: mf/deepmf 3, vae/dae 20)' },
    { name: 'batch-size', type: 'int', min: 1, help: 'ratings per batch (vae/dae: users per batch) (default: mf 500, deepmf 1000, vae/dae about train users / 10)' },
    { name: 'optimizer', type: 'string', choices: ['adam', 'sgd', 'adagrad'], default: 'adam', help: 'optimizer' },
    { name: 'lr', type: 'positive', help: 'learning rate (default: mf 0.002, svdpp 0.001, deepmf 0.005, vae/dae 0.001)' },
    { name: 'dim', type: 'int', min: 1, max: 4096, help: 'embedding size (default: mf 100, svdpp 25, deepmf 25)' },
    { name: 'reg', type: 'number', help: 'mf, svdpp: Funk-SVD L2 per rating on the batch\'s factors and biases, λ·(‖p_u‖²+‖q_i‖²+b_u²+b_i²) (default 0.07)' },
    { name: 'implicit-reg', type: 'number', help: 'svdpp: Funk-SVD L2 per rating on the y_j of the user\'s history, λ·Σ‖y_j‖² (default 0.01)' },
    { name: 'weight-decay', type: 'number', default: 0, help: "the optimizer's weight decay (every updated parameter, biases included)" },
    { name: 'no-biases', type: 'flag', help: 'mf without user/item/global biases (the seed tutorial\'s plain dot product)' },
    { name: 'biases', type: 'flag', help: 'mf with biases (the default now; kept so older command lines still run)' },
    { name: 'dense-grad', type: 'flag', help: 'dense embedding gradients (for comparison; slow on big catalogs)' },
    { name: 'valid-fraction', type: 'fraction', default: 0.1, help: 'rating models: share of ratings held out for validation' },
    { name: 'ema', type: 'number', help: 'vae/dae: validate, checkpoint and keep the moving average of the weights with this decay per update; 0 = the raw weights (default: vae 0.99, dae 0)' },
    { name: 'valid-users', type: 'int', min: 1, help: 'vae/dae: users held out for validation (default: 10% of users, at most 10,000)' },
    { name: 'threshold', type: 'number', default: 4, help: 'ranking models: ratings ≥ this are the clicks they learn from and are tested on' },
    { name: 'lambda', type: 'positive', help: 'ease: L2 weight λ (default 300)' },
    { name: 'neighbours', type: 'int', min: 1, help: 'itemknn: neighbours kept per item (default 20)' },
    { name: 'seed', type: 'int', min: 0, default: 0, help: 'run seed (data, init, shuffles)' },
    { name: 'amp', type: 'flag', help: 'mixed precision (float16 compute, float32 masters, loss scaling)' },
    { name: 'out', type: 'out-file', default: 'model.sgm', help: 'checkpoint path (holds the best epoch)' },
    { name: 'log-file', type: 'out-file', help: 'write a metrics log (JSON lines, one per epoch and per logged batch) for sparsegrad plot' },
    { name: 'skip-bad-lines', type: 'flag', help: 'skip (and count) malformed lines in the data files instead of stopping at the first' },
    RESUME_OPTION,
    common.backend, common.help,
  ],
};

/** Options only some models read: a usage error when given to another. */
function checkApplicable(a: ParsedArgs): void {
  const kind = a.model as string;
  const only: [string, string[]][] = [
    ['reg', ['mf', 'svdpp']], ['implicit-reg', ['svdpp']], ['no-biases', ['mf']], ['lambda', ['ease']], ['neighbours', ['itemknn']], ['valid-users', ['vae', 'dae']], ['ema', ['vae', 'dae']],
  ];
  for (const [flag, models] of only) {
    if (a[flag] !== undefined && !models.includes(kind)) throw new UsageError(`train: --${flag} applies to --model ${models.join('/')}, not ${kind}`);
  }
  if (a.reg !== undefined && !((a.reg as number) >= 0)) throw new UsageError(`train: --reg must be ≥ 0 (got ${a.reg})`);
  if (a['implicit-reg'] !== undefined && !((a['implicit-reg'] as number) >= 0)) throw new UsageError(`train: --implicit-reg must be ≥ 0 (got ${a['implicit-reg']})`);
  if (a.ema !== undefined && !((a.ema as number) >= 0 && (a.ema as number) < 1)) throw new UsageError(`train: --ema must be in [0, 1) (0 = no averaging; got ${a.ema})`);
  if (!((a['weight-decay'] as number) >= 0)) throw new UsageError(`train: --weight-decay must be ≥ 0 (got ${a['weight-decay']})`);
}

export async function train(a: ParsedArgs): Promise<void> {
  checkApplicable(a);
  sg.setSeed(a.seed as number);
  await sg.setBackend(a.backend as string);
  const t0 = performance.now();
  const data = await loadData(a.data as string, a.scale as string, a.seed as number, a.format as string, { skipBadLines: !!a['skip-bad-lines'] });
  print(`Data: ${data.name} loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  print(formatStats(describe(data)));
  if ((RANKING_MODELS as readonly string[]).includes(a.model as string)) return trainRows(a, data);
  return trainRatings(a, data);
}

async function trainRatings(a: ParsedArgs, data: RatingsDataset): Promise<void> {
  const kind = a.model as sg.models.RatingModelKind;
  const out = a.out as string;
  // what recommend excludes: everything the user rated (validation ratings included)
  const seen = userItemMatrix(data, { values: 'binary' });
  let best: BestCheckpoint | null = null;
  let resumed: sg.LoadedModel | null = null;
  let result: sg.models.RatingRecipeResult;
  try {
    result = await sg.models.trainRatings(data, kind, {
      ...recipeFlags(a), dim: a.dim as number | undefined, reg: a.reg as number | undefined, implicitReg: a['implicit-reg'] as number | undefined, biases: !a['no-biases'],
      validFraction: a['valid-fraction'] as number,
      prepare: (fresh) => {
        fresh.meta = {
          dataset: data.name, userIds: Array.from(data.userIds.raw), itemIds: Array.from(data.itemIds.raw), itemTitles: data.itemTitles,
          // for `sparsegrad map` (colours by first genre; index genreNames.length = none)
          genreNames: data.genreNames, itemFirstGenre: Array.from(firstGenre(data)),
        };
        if (!a.resume) return { model: fresh };
        resumed = resumeFrom(out, fresh, a.optimizer as string);
        return { model: resumed, optimizer: resumed.restoredOptimizer, resume: resumed.trainingState };
      },
      callbacks: (model) => {
        const mf = model instanceof sg.models.MatrixFactorization ? model : null;
        const d = TRAINING_DEFAULTS[kind];
        const patience = (a.patience ?? d.patience) as number;
        const settings = [`lr ${a.lr ?? d.lr}`, `batch ${a['batch-size'] ?? d.batchSize}`,
          mf ? `dim ${mf.config.dim}, reg ${mf.config.reg}${model instanceof sg.models.SVDpp ? `, implicit reg ${model.config.implicitReg}` : ''}, biases ${mf.config.biases}` : `dim ${a.dim ?? d.dim}`,
          `up to ${a.epochs ?? d.epochs} epochs`, patience > 0 ? `patience ${patience}` : 'no early stopping'];
        const validRatings = Math.round(data.ratings.length * (a['valid-fraction'] as number));
        print(`Model: ${kind} (${model.parameters().reduce((s, p) => s + p.size, 0).toLocaleString()} parameters; ${settings.join(', ')}), ` +
          `${(data.ratings.length - validRatings).toLocaleString()} train / ${validRatings.toLocaleString()} validation ratings, ` +
          `training mean ${(model.meta.trainMean as number).toFixed(4)}, backend ${sg.getBackend()}`);
        best = new BestCheckpoint({
          monitor: 'val-rmse', mode: 'min', out,
          save: (ctx, epoch) => {
            model.meta.epoch = epoch;
            sg.save(model, out, { optimizer: ctx.optimizer, seen });
          },
        });
        // the resumable checkpoint goes last: it saves the others' state as it is after the epoch
        return [best, ...metricsLog(a['log-file'] as string | undefined), resumeCheckpoint(() => model, out, () => ({ seen }))];
      },
    });
  } catch (e) {
    if (!(e instanceof sg.train.TrainingDivergedError) || !best) throw e;
    throw new Error(`${e.message}; ${(best as BestCheckpoint).kept()}`);
  }
  const kept = best! as BestCheckpoint;
  let { model } = result;
  const { history, settings } = result;
  // resumed, with the best epoch from before the resume: its weights are in the file, not in memory
  if (resumed && kept.bestEpoch < resumedAt(resumed)) model = sg.load(out);
  const last = history.epochs.at(-1)?.epoch ?? -1;
  print(`Kept epoch ${kept.bestEpoch} of ${last + 1} (Validation-rmse=${kept.best.toFixed(6)}) in ${out}` +
    (history.stoppedEarly ? `; stopped early: no better Validation-rmse for ${settings.patience} epochs` : ''));
  if (a.test) {
    const test = await sg.datasets.loadMovieLens(a.test as string, { skipBadLines: !!a['skip-bad-lines'] });
    const r = ratingEvaluation(model, alignToModel(model, test));
    const unknown = r.unknownUsers + r.unknownItems > 0
      ? ` (${r.unknownUsers} with a user, ${r.unknownItems} with an item unknown to training: predicted from the mean and biases)` : '';
    print(`Test-rmse=${r.rmse.toFixed(6)} Test-mae=${r.mae.toFixed(6)} on ${r.count.toLocaleString()} ratings of ${safeField(test.name)}${unknown}`);
  }
}
