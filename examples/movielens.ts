/**
 * The seed tutorial's MovieLens experiments, on the built-in MovieLens-shaped data (any
 * scale up to ML-20M's) or a real MovieLens directory:
 *
 *   mf            dot product, dim 25, Adam lr 0.001, batch 25000, 5 epochs
 *   deepmf        embeddings 25+25 → 64-relu-64-relu-1
 *   deepmf-bn     the same with BatchNorm before each activation
 *   deepmf-class  10 rating classes, softmax; accuracy, and RMSE of the argmax class
 *   deepmf-asym   user dim 15, item dim 25
 *   deepmf-genre  user 15, item 20, first genre 5
 *
 * Split as the seed: shuffle, then the first 19M ratings train (95% below ML-20M's size),
 * the rest validate. Each model reports validation RMSE per epoch.
 *
 *   node scripts/run-example.mjs movielens [--scale ml1m|ml20m|…] [--data dir] [--epochs 5]
 *     [--only mf,deepmf] [--batch-size 25000] [--lr 0.001]
 */
import * as sg from '../index.js';
import { movielensLike } from '../datasets/synthetic/movielens.js';
import type { PresetName } from '../datasets/synthetic/presets.js';
import { loadMovieLens } from '../datasets/loaders/movielens.js';
import { holdout } from '../datasets/splits.js';
import { BatchIterator } from '../datasets/iterators/batch.js';
import type { RatingsDataset } from '../datasets/types.js';
import { firstGenre } from '../datasets/features.js';

const EXPERIMENTS = ['mf', 'deepmf', 'deepmf-bn', 'deepmf-class', 'deepmf-asym', 'deepmf-genre'] as const;
type Experiment = (typeof EXPERIMENTS)[number];

function firstGenreFeature(d: RatingsDataset): { values: Int32Array; num: number } {
  return { values: firstGenre(d), num: d.genreNames.length + 1 };
}

function makeModel(e: Experiment, d: RatingsDataset): sg.models.Recommender {
  const n = { numUsers: d.numUsers, numItems: d.numItems };
  switch (e) {
    case 'mf': return new sg.models.MatrixFactorization({ ...n, dim: 25, initStd: 0.1 });
    case 'deepmf': return new sg.models.DeepMF({ ...n });
    case 'deepmf-bn': return new sg.models.DeepMF({ ...n, batchNorm: true });
    case 'deepmf-class': return new sg.models.DeepMF({ ...n, output: 'classification', classes: 10 });
    case 'deepmf-asym': return new sg.models.DeepMF({ ...n, userDim: 15, itemDim: 25 });
    case 'deepmf-genre': {
      const g = firstGenreFeature(d);
      return new sg.models.DeepMF({ ...n, userDim: 15, itemDim: 20, sideFeatures: [{ name: 'genre', num: g.num, dim: 5, itemValues: Array.from(g.values) }] });
    }
  }
}

export interface MovieLensOptions {
  scale?: PresetName;
  data?: string;
  epochs?: number;
  batchSize?: number;
  lr?: number;
  only?: Experiment[];
  seed?: number;
  log?: (l: string) => void;
}

export async function runMovieLens(o: MovieLensOptions = {}) {
  const log = o.log ?? console.log;
  const seed = o.seed ?? 0;
  sg.setSeed(seed);
  const data = o.data ? await loadMovieLens(o.data) : movielensLike({ preset: o.scale ?? 'ml1m', seed });
  const n = data.ratings.length;
  const split = holdout(data, n > 19_000_000 ? { trainSize: 19_000_000, seed } : { trainFraction: 0.95, seed });
  log(`${data.name}: ${data.numUsers} users, ${data.numItems} items; ${split.train.ratings.length} train / ${split.valid.ratings.length} validation ratings`);
  const g = firstGenreFeature(data);
  const iter = (d: RatingsDataset, shuffle: boolean, genre: boolean) => new BatchIterator<string>({
    inputs: genre ? { user: d.users, item: d.items, genre: Int32Array.from(d.items, (i) => g.values[i]) } : { user: d.users, item: d.items },
    label: d.ratings, batchSize: o.batchSize ?? 25000, shuffle, seed,
  });
  const results: { experiment: Experiment; valRmse: number[]; valAccuracy?: number[]; secPerEpoch: number }[] = [];
  for (const e of o.only ?? EXPERIMENTS) {
    sg.setSeed(seed);
    log(`\n== ${e} ==`);
    const model = makeModel(e, data);
    const genre = e === 'deepmf-genre';
    const metrics = e === 'deepmf-class' ? ['accuracy', 'rmse'] : ['rmse'];
    const h = await sg.train.fit(model, iter(split.train, true, genre), {
      epochs: o.epochs ?? 5, optimizer: { name: 'adam', lr: o.lr ?? 0.001 }, metrics, evalData: iter(split.valid, false, genre), log,
      batchEndEvery: Math.max(1, Math.floor(split.train.ratings.length / (o.batchSize ?? 25000) / 4)),
    });
    results.push({
      experiment: e, valRmse: h.epochs.map((x) => x.values['val-rmse']),
      valAccuracy: e === 'deepmf-class' ? h.epochs.map((x) => x.values['val-accuracy']) : undefined,
      secPerEpoch: h.epochs.reduce((s, x) => s + x.timeSec, 0) / h.epochs.length,
    });
    model.dispose();
    h.optimizer.dispose();
  }
  log('\n| model | validation RMSE per epoch | s/epoch |');
  log('|---|---|---|');
  for (const r of results) {
    const acc = r.valAccuracy ? ` (accuracy ${r.valAccuracy.at(-1)!.toFixed(3)})` : '';
    log(`| ${r.experiment} | ${r.valRmse.map((v) => v.toFixed(4)).join(' → ')}${acc} | ${r.secPerEpoch.toFixed(1)} |`);
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = get('only')?.split(',') as Experiment[] | undefined;
  for (const e of only ?? []) if (!EXPERIMENTS.includes(e)) throw new Error(`--only: unknown experiment '${e}' (valid: ${EXPERIMENTS.join(', ')})`);
  await runMovieLens({
    scale: get('scale') as PresetName | undefined, data: get('data'), only,
    epochs: get('epochs') ? Number(get('epochs')) : undefined,
    batchSize: get('batch-size') ? Number(get('batch-size')) : undefined,
    lr: get('lr') ? Number(get('lr')) : undefined,
  });
}
