/** `sparsegrad train`: train a rating model on the built-in data or a directory, checkpoint every epoch. */
import * as sg from '../../index.js';
import { BatchIterator } from '../../datasets/iterators/batch.js';
import { holdout } from '../../datasets/splits.js';
import { describe, formatStats } from '../../datasets/describe.js';
import { userItemMatrix } from '../../datasets/matrix.js';
import { firstGenre } from '../../datasets/features.js';
import type { RatingsDataset } from '../../datasets/types.js';
import { UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { firstGenreFeature, loadData, SCALES } from '../data.js';
import { common } from '../common-options.js';
import { print } from '../format.js';
import { metricsLog } from '../log-file.js';

export const MODELS = ['mf', 'deepmf', 'deepmf-bn', 'deepmf-class', 'deepmf-asym', 'deepmf-genre'] as const;

export const TRAIN: CommandSpec = {
  name: 'train',
  summary: 'train a rating model and save a checkpoint',
  examples: [
    ['sparsegrad train', 'matrix factorization on the built-in MovieLens-shaped data set; checkpoint model.sgm after every epoch'],
    ['sparsegrad train --data ml-latest-small/ --epochs 10 --log-file metrics.jsonl', 'a MovieLens directory; one JSON line per epoch and per logged batch, for sparsegrad plot'],
    ['sparsegrad train --model deepmf --scale ml1m --batch-size 2500 --backend webgl', 'deep MF (64-64-1) on ml-1m-shaped synthetic data, on the GPU'],
  ],
  options: [
    { name: 'model', type: 'string', choices: MODELS, default: 'mf', help: 'mf (dot product), deepmf (64-64-1 MLP), deepmf-bn (BatchNorm), deepmf-class (10 classes), deepmf-asym (user 15 / item 25), deepmf-genre (first-genre side feature)' },
    { name: 'data', type: 'string', default: 'synthetic', help: "'synthetic' or a MovieLens / Netflix directory" },
    { name: 'format', type: 'string', choices: ['movielens', 'netflix'], default: 'movielens', help: 'format of --data' },
    { name: 'scale', type: 'string', choices: SCALES, default: 'small', help: 'size of the synthetic data set' },
    { name: 'epochs', type: 'int', min: 1, default: 5, help: 'passes over the training data' },
    { name: 'batch-size', type: 'int', min: 1, default: 1000, help: 'ratings per batch (the seed used 25000 on ML-20M)' },
    { name: 'optimizer', type: 'string', choices: ['adam', 'sgd', 'adagrad'], default: 'adam', help: 'optimizer' },
    { name: 'lr', type: 'positive', default: 0.005, help: 'learning rate' },
    { name: 'dim', type: 'int', min: 1, max: 4096, default: 25, help: 'embedding size' },
    { name: 'biases', type: 'flag', help: 'MF with user/item/global biases' },
    { name: 'dense-grad', type: 'flag', help: 'dense embedding gradients (for comparison; slow on big catalogs)' },
    { name: 'valid-fraction', type: 'fraction', default: 0.1, help: 'share of ratings held out for validation' },
    { name: 'seed', type: 'int', min: 0, default: 0, help: 'run seed (data, init, shuffles)' },
    { name: 'amp', type: 'flag', help: 'mixed precision (float16 compute, float32 masters, loss scaling)' },
    { name: 'out', type: 'out-file', default: 'model.sgm', help: 'checkpoint path' },
    { name: 'log-file', type: 'out-file', help: 'write a metrics log (JSON lines, one per epoch and per logged batch) for sparsegrad plot' },
    { name: 'skip-bad-lines', type: 'flag', help: 'skip (and count) malformed lines in the data files instead of stopping at the first' },
    common.backend, common.help,
  ],
};

function buildModel(kind: string, d: RatingsDataset, a: ParsedArgs): sg.models.Recommender {
  const base = { numUsers: d.numUsers, numItems: d.numItems, sparseGrad: !a['dense-grad'] };
  const dim = a.dim as number;
  switch (kind) {
    case 'mf': {
      let mean = 0;
      for (const r of d.ratings) mean += r;
      return new sg.models.MatrixFactorization({ ...base, dim, biases: !!a.biases, globalMean: mean / d.ratings.length });
    }
    case 'deepmf': return new sg.models.DeepMF({ ...base, userDim: dim, itemDim: dim });
    case 'deepmf-bn': return new sg.models.DeepMF({ ...base, userDim: dim, itemDim: dim, batchNorm: true });
    case 'deepmf-class': return new sg.models.DeepMF({ ...base, userDim: dim, itemDim: dim, output: 'classification', classes: 10 });
    case 'deepmf-asym': return new sg.models.DeepMF({ ...base, userDim: 15, itemDim: 25 });
    case 'deepmf-genre': {
      const g = firstGenreFeature(d);
      return new sg.models.DeepMF({ ...base, userDim: 15, itemDim: 20, sideFeatures: [{ name: 'genre', num: g.num, dim: 5, itemValues: Array.from(g.values) }] });
    }
    default: throw new UsageError(`train: unknown model '${kind}' (valid: ${MODELS.join(', ')})`);
  }
}

function iterator(d: RatingsDataset, model: sg.models.Recommender, batchSize: number, shuffle: boolean, seed: number) {
  const inputs: Record<string, Int32Array> = { user: d.users, item: d.items };
  const side = (model.config.sideFeatures as sg.models.SideFeature[] | undefined) ?? [];
  for (const f of side) inputs[f.name] = Int32Array.from(d.items, (i) => f.itemValues![i]);
  return new BatchIterator({ inputs, label: d.ratings, batchSize, shuffle, seed });
}

export async function train(a: ParsedArgs): Promise<void> {
  sg.setSeed(a.seed as number);
  await sg.setBackend(a.backend as string);
  const t0 = performance.now();
  const data = await loadData(a.data as string, a.scale as string, a.seed as number, a.format as string, { skipBadLines: !!a['skip-bad-lines'] });
  print(`Data: ${data.name} loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  print(formatStats(describe(data)));
  const { train: tr, valid } = holdout(data, { trainFraction: 1 - (a['valid-fraction'] as number), seed: a.seed as number });
  const model = buildModel(a.model as string, data, a);
  model.meta = {
    dataset: data.name, userIds: Array.from(data.userIds.raw), itemIds: Array.from(data.itemIds.raw), itemTitles: data.itemTitles,
    // for `sparsegrad map` (colours by first genre; index genreNames.length = none)
    genreNames: data.genreNames, itemFirstGenre: Array.from(firstGenre(data)),
  };
  const metrics = a.model === 'deepmf-class' ? ['accuracy', 'rmse'] : ['rmse'];
  const bs = a['batch-size'] as number;
  const batchesPerEpoch = Math.ceil(tr.ratings.length / bs);
  console.log(`Model: ${a.model} (${model.parameters().reduce((s, p) => s + p.size, 0).toLocaleString()} parameters), ` +
    `${tr.ratings.length.toLocaleString()} train / ${valid.ratings.length.toLocaleString()} validation ratings, backend ${sg.getBackend()}`);
  const seen = userItemMatrix(tr, { values: 'binary' });
  const out = a.out as string;
  // a checkpoint after every completed epoch (temp file + rename), so a later NaN loss
  // leaves the last good one in place
  let savedEpoch = -1;
  const checkpoint: sg.train.Callback = {
    onEpochEnd: (logs, ctx) => {
      sg.save(model, out, { optimizer: ctx.optimizer, seen });
      savedEpoch = logs.epoch;
      print(`Epoch[${logs.epoch}] Saved ${out}`);
    },
  };
  try {
    await sg.train.fit(model, iterator(tr, model, bs, true, a.seed as number), {
      epochs: a.epochs as number, optimizer: { name: a.optimizer as 'adam', lr: a.lr as number }, metrics,
      evalData: iterator(valid, model, Math.max(bs, 10000), false, 0), amp: !!a.amp,
      batchEndEvery: Math.max(1, Math.floor(batchesPerEpoch / 4)), callbacks: [checkpoint, ...metricsLog(a['log-file'] as string | undefined)],
    });
  } catch (e) {
    if (!(e instanceof sg.train.TrainingDivergedError)) throw e;
    const kept = savedEpoch >= 0 ? `the last good checkpoint (epoch ${savedEpoch}) is kept in ${out}`
      : `no epoch completed, so ${out} was not written (an earlier file there is left as it was)`;
    throw new Error(`${e.message}; ${kept}`);
  }
}

