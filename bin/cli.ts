/**
 * The command line: `sparsegrad train | recommend | similar | info | bench`.
 * With no data path, `train` uses the built-in synthetic MovieLens-shaped data set.
 */
import * as sg from '../index.js';
import { BatchIterator } from '../datasets/iterators/batch.js';
import { holdout } from '../datasets/splits.js';
import { describe, formatStats } from '../datasets/describe.js';
import { userItemMatrix } from '../datasets/matrix.js';
import type { RatingsDataset } from '../datasets/types.js';
import { parseArgs, usage, UsageError, type CommandSpec, type ParsedArgs } from './args.js';
import { firstGenreFeature, loadData, SCALES } from './data.js';
import type { Recommender } from '../models/recommender.js';

const MODELS = ['mf', 'deepmf', 'deepmf-bn', 'deepmf-class', 'deepmf-asym', 'deepmf-genre'] as const;

const common = {
  backend: { name: 'backend', type: 'string', choices: ['cpu', 'webgl'], default: 'cpu', help: 'compute backend' },
  help: { name: 'help', alias: 'h', type: 'flag', help: 'show this help' },
} as const;

const TRAIN: CommandSpec = {
  name: 'train',
  summary: 'train a rating model and save a checkpoint',
  options: [
    { name: 'model', type: 'string', choices: MODELS, default: 'mf', help: 'mf (dot product), deepmf (64-64-1 MLP), deepmf-bn (BatchNorm), deepmf-class (10 classes), deepmf-asym (user 15 / item 25), deepmf-genre (first-genre side feature)' },
    { name: 'data', type: 'string', default: 'synthetic', help: "'synthetic' or a MovieLens / Netflix directory" },
    { name: 'format', type: 'string', choices: ['movielens', 'netflix'], default: 'movielens', help: 'format of --data' },
    { name: 'scale', type: 'string', choices: SCALES, default: 'small', help: 'size of the synthetic data set' },
    { name: 'epochs', type: 'number', default: 5, help: 'passes over the training data' },
    { name: 'batch-size', type: 'number', default: 1000, help: 'ratings per batch (the seed used 25000 on ML-20M)' },
    { name: 'optimizer', type: 'string', choices: ['adam', 'sgd', 'adagrad'], default: 'adam', help: 'optimizer' },
    { name: 'lr', type: 'number', default: 0.005, help: 'learning rate' },
    { name: 'dim', type: 'number', default: 25, help: 'embedding size' },
    { name: 'biases', type: 'flag', help: 'MF with user/item/global biases' },
    { name: 'dense-grad', type: 'flag', help: 'dense embedding gradients (for comparison; slow on big catalogs)' },
    { name: 'valid-fraction', type: 'number', default: 0.1, help: 'share of ratings held out for validation' },
    { name: 'seed', type: 'number', default: 0, help: 'run seed (data, init, shuffles)' },
    { name: 'amp', type: 'flag', help: 'mixed precision (float16 compute, float32 masters, loss scaling)' },
    { name: 'out', type: 'string', default: 'model.sgm', help: 'checkpoint path' },
    common.backend, common.help,
  ],
};

const RECOMMEND: CommandSpec = {
  name: 'recommend',
  summary: "top-k items for a user (raw id as in the data), excluding what the user has rated",
  options: [
    { name: 'model', type: 'string', default: 'model.sgm', help: 'checkpoint' },
    { name: 'user', type: 'string', help: 'raw user id' },
    { name: 'k', alias: 'k', type: 'number', default: 10, help: 'how many' },
    { name: 'include-seen', type: 'flag', help: 'also recommend items the user already rated' },
    common.backend, common.help,
  ],
};

const SIMILAR: CommandSpec = {
  name: 'similar',
  summary: 'items nearest to an item in embedding space (cosine)',
  options: [
    { name: 'model', type: 'string', default: 'model.sgm', help: 'checkpoint' },
    { name: 'item', type: 'string', help: 'raw item id' },
    { name: 'k', alias: 'k', type: 'number', default: 10, help: 'how many' },
    common.backend, common.help,
  ],
};

const INFO: CommandSpec = {
  name: 'info',
  summary: 'library version, backends, GL renderer and extensions; --data prints a data set\'s storage report',
  options: [
    { name: 'data', type: 'string', help: "'synthetic' or a MovieLens / Netflix directory" },
    { name: 'format', type: 'string', choices: ['movielens', 'netflix'], default: 'movielens', help: 'format of --data' },
    { name: 'scale', type: 'string', choices: SCALES, default: 'small', help: 'size of the synthetic data set' },
    common.help,
  ],
};

const COMMANDS = [TRAIN, RECOMMEND, SIMILAR, INFO];

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

async function train(a: ParsedArgs): Promise<void> {
  sg.setSeed(a.seed as number);
  await sg.setBackend(a.backend as string);
  const t0 = performance.now();
  const data = await loadData(a.data as string, a.scale as string, a.seed as number, a.format as string);
  console.log(`Data: ${data.name} loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  console.log(formatStats(describe(data)));
  const { train: tr, valid } = holdout(data, { trainFraction: 1 - (a['valid-fraction'] as number), seed: a.seed as number });
  const model = buildModel(a.model as string, data, a);
  model.meta = { dataset: data.name, userIds: Array.from(data.userIds.raw), itemIds: Array.from(data.itemIds.raw), itemTitles: data.itemTitles };
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
      console.log(`Epoch[${logs.epoch}] Saved ${out}`);
    },
  };
  try {
    await sg.train.fit(model, iterator(tr, model, bs, true, a.seed as number), {
      epochs: a.epochs as number, optimizer: { name: a.optimizer as 'adam', lr: a.lr as number }, metrics,
      evalData: iterator(valid, model, Math.max(bs, 10000), false, 0), amp: !!a.amp,
      batchEndEvery: Math.max(1, Math.floor(batchesPerEpoch / 4)), callbacks: [checkpoint],
    });
  } catch (e) {
    if (!(e instanceof sg.train.TrainingDivergedError)) throw e;
    const kept = savedEpoch >= 0 ? `the last good checkpoint (epoch ${savedEpoch}) is kept in ${out}`
      : `no epoch completed, so ${out} was not written (an earlier file there is left as it was)`;
    throw new Error(`${e.message}; ${kept}`);
  }
}

function titleOf(model: Recommender, index: number): string {
  const raw = model.meta.itemIds ? model.meta.itemIds[index] : index;
  const title = model.meta.itemTitles?.[index];
  return `${String(raw).padStart(7)}  ${title ?? ''}`;
}

async function recommend(a: ParsedArgs): Promise<void> {
  if (a.user === undefined) throw new UsageError('recommend: --user <raw id> is required');
  await sg.setBackend(a.backend as string);
  const model = sg.load(a.model as string);
  const u = model.userIndexOf(a.user as string);
  const exclude = a['include-seen'] || !model.seen ? [] : model.seen.indices.subarray(model.seen.indptr[u], model.seen.indptr[u + 1]);
  const top = model.recommend(u, a.k as number, { exclude });
  console.log(`Top ${top.indices.length} for user ${a.user} (${exclude.length} rated items excluded):`);
  top.indices.forEach((i, r) => console.log(`${String(r + 1).padStart(3)}. ${titleOf(model, i)}   score ${top.scores[r].toFixed(2)}`));
}

async function similar(a: ParsedArgs): Promise<void> {
  if (a.item === undefined) throw new UsageError('similar: --item <raw id> is required');
  await sg.setBackend(a.backend as string);
  const model = sg.load(a.model as string);
  const i = model.itemIndexOf(a.item as string);
  const top = model.similarItems(i, a.k as number);
  console.log(`Items most similar to ${titleOf(model, i).trim()}:`);
  top.indices.forEach((j, r) => console.log(`${String(r + 1).padStart(3)}. ${titleOf(model, j)}   cosine ${top.scores[r].toFixed(3)}`));
}

async function info(a: ParsedArgs): Promise<void> {
  const lines = await sg.info();
  console.log(lines);
  if (a.data) {
    const d = await loadData(a.data as string, a.scale as string, 0, a.format as string);
    console.log(formatStats(describe(d)));
  }
}

function mainUsage(): string {
  return [
    'usage: sparsegrad <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    `  ${'bench'.padEnd(10)} run the benchmarks (--quick, --only, --backend, --out, --compare)`,
    '',
    "Run 'sparsegrad <command> --help' for a command's options.",
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainUsage());
    return name ? 0 : 2;
  }
  if (name === 'bench') {
    const { benchMain } = await import('../bench/cli.js');
    return benchMain(rest);
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  try {
    if (!cmd) throw new UsageError(`unknown command '${name}' (valid: ${[...COMMANDS.map((c) => c.name), 'bench'].join(', ')})`);
    const a = parseArgs(cmd, rest);
    if (a.help) {
      console.log(usage(cmd));
      return 0;
    }
    if (name === 'train') await train(a);
    else if (name === 'recommend') await recommend(a);
    else if (name === 'similar') await similar(a);
    else await info(a);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`error: ${e.message}`);
      if (cmd) console.error(`\n${usage(cmd)}`);
      return 2;
    }
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
}

// run when executed directly (node dist/cli.js …), not when imported by tests
const invoked = typeof process !== 'undefined' && process.argv[1] && /cli\.(js|mjs|ts)$/.test(process.argv[1]);
if (invoked) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
