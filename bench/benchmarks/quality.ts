/**
 * Model quality on real data: `sparsegrad bench --only quality --data <MovieLens dir>`.
 * Every model is trained exactly as `sparsegrad train` trains it with no flags (the
 * recipes of models/recipes.ts, seed 0), then scored on data it never saw:
 *
 *   explicit  RMSE and MAE on ml-100k's official folds u1…u5 (train on uN.base — of which
 *             10% is the validation split that picks the epoch — test on uN.test) when the
 *             directory has them, else a seeded 90/10 split of all ratings. --quick and
 *             --tiny use fold 1 only; --full averages the five.
 *   ranking   Liang et al.'s protocol: ratings ≥ 4 are clicks, 150 validation and 150 test
 *             users drawn with seed 0, each held-out user's clicks split 80/20 (fold-in
 *             input / targets); trained on the other users, the epoch picked on the
 *             validation users, NDCG@100, Recall@20 and Recall@50 on the test users with
 *             their input items excluded from the ranking. The user-row models (Mult-VAE,
 *             Mult-DAE, EASE, item-kNN) score a held-out user from their input row;
 *             ImplicitMF, an id model (logistic loss, and BPR's pairwise loss), folds
 *             them in (models/fold-in.ts).
 *
 * Without --data the benchmark is skipped (no real data is in the repository: MovieLens'
 * licence forbids it). The timed part of each case is one scoring pass (all test ratings,
 * or all test users); training happens once, in setup. The report is one table.
 */
import * as sg from '../../index.js';
import { alignTo } from '../../datasets/align.js';
import { holdout } from '../../datasets/splits.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RatingsDataset } from '../../datasets/types.js';
import { BenchSkip, type BenchCase, type BenchContext, type Benchmark, type RunInstance, type SizeMode } from '../types.js';
import type { RunResult } from '../schema.js';

type RatingKind = sg.models.RatingModelKind;
const RATING_CASES: { model: RatingKind; label: string }[] = [
  { model: 'mf', label: 'mf (defaults: biased MF, reg 0.07, dim 100)' },
  { model: 'svdpp', label: 'svdpp (SVD++ defaults: dim 25, lr 0.001, implicit reg 0.01)' },
  { model: 'deepmf', label: 'deepmf (64-64-1 MLP)' },
  { model: 'deepmf-bn', label: 'deepmf-bn' },
  { model: 'deepmf-class', label: 'deepmf-class (10 classes)' },
  { model: 'deepmf-asym', label: 'deepmf-asym' },
  { model: 'deepmf-genre', label: 'deepmf-genre' },
];
const RANKING_CASES = [
  { model: 'vae', label: 'Mult-VAE (defaults)' },
  { model: 'dae', label: 'Mult-DAE (defaults)' },
  { model: 'imf', label: 'ImplicitMF (defaults, fold-in)' },
  { model: 'imf-bpr', label: 'ImplicitMF (BPR)' },
  { model: 'emb', label: 'EmbeddingModel (dot + item bias, ImplicitMF\'s defaults)' },
  { model: 'ease', label: 'EASE (λ 300)' },
  { model: 'itemknn', label: 'item-kNN (cosine, 20 neighbours)' },
  { model: 'popularity', label: 'popularity' },
];
/** the ranking protocol's held-out users (each of validation and test) */
export const HELD_OUT_USERS = 150;
const KS = [20, 50, 100];

function cases(size: SizeMode): BenchCase[] {
  const rating = size === 'tiny' ? RATING_CASES.slice(0, 1) : RATING_CASES;
  const ranking = size === 'tiny' ? RANKING_CASES.filter((c) => !['vae', 'dae', 'imf', 'imf-bpr', 'emb'].includes(c.model)) : RANKING_CASES;
  const one = { warmup: 0, minRounds: 1, maxRounds: 1, budgetMs: 0 };
  return [
    ...rating.map((c) => ({ id: `explicit/${c.model}`, label: c.label, params: { protocol: 'explicit', model: c.model, folds: size === 'full' ? 5 : 1 }, repeats: one })),
    ...ranking.map((c) => ({ id: `ranking/${c.model}`, label: c.label, params: { protocol: 'ranking', model: c.model }, repeats: one })),
  ];
}

// loaded once per process: every case reads the same files
const loaded = new Map<string, Promise<RatingsDataset>>();
function load(path: string): Promise<RatingsDataset> {
  if (!loaded.has(path)) loaded.set(path, sg.datasets.loadMovieLens(path));
  return loaded.get(path)!;
}

/** The explicit protocol's (train, test) pairs: the official folds, else a seeded 90/10 split. */
async function folds(dir: string, n: number): Promise<{ name: string; train: RatingsDataset; test: RatingsDataset }[]> {
  if (existsSync(join(dir, 'u1.base')) && existsSync(join(dir, 'u1.test'))) {
    const out = [];
    for (let f = 1; f <= n && existsSync(join(dir, `u${f}.base`)); f++) {
      out.push({ name: `u${f}`, train: await load(join(dir, `u${f}.base`)), test: await load(join(dir, `u${f}.test`)) });
    }
    return out;
  }
  const all = await load(dir);
  const { train, valid } = holdout(all, { trainFraction: 0.9, seed: 0 });
  return [{ name: '90/10', train, test: valid }];
}

async function explicitSide(c: BenchCase, ctx: BenchContext): Promise<RunInstance> {
  if (!ctx.data) throw new BenchSkip('needs --data');
  const kind = c.params.model as RatingKind;
  const rmse: number[] = [];
  const mae: number[] = [];
  const epochs: number[] = [];
  let last: { model: sg.models.Recommender; users: Int32Array; items: Int32Array } | null = null;
  const parts = await folds(ctx.data, c.params.folds as number);
  const official = parts[0].name === 'u1';
  for (const fold of parts) {
    // exactly `sparsegrad train --data <fold>.base --test <fold>.test`: seed 0, the recipe's defaults
    sg.setSeed(0);
    const r = await sg.models.trainRatings(fold.train, kind, { seed: 0, verbose: false, progress: false });
    r.model.meta.trainMean = r.model.meta.trainMean ?? meanOf(r.train.ratings);
    r.model.meta.ratingScale = fold.train.ratingScale;
    const test = alignTo(fold.test, fold.train);
    const e = sg.models.evaluateRatings(r.model, test);
    rmse.push(e.rmse);
    mae.push(e.mae);
    epochs.push(r.bestEpoch);
    last?.model.dispose();
    last = { model: r.model, users: test.users, items: test.items };
  }
  // official: 1 = the u1…u5 folds, 0 = the seeded 90/10 split of all ratings
  const metrics: Record<string, number> = { rmse: mean(rmse), mae: mean(mae), folds: rmse.length, official: official ? 1 : 0 };
  rmse.forEach((v, f) => { metrics[`rmse-fold${f + 1}`] = v; metrics[`epoch-fold${f + 1}`] = epochs[f]; });
  return {
    run: () => { sg.models.predictRatings(last!.model, last!.users, last!.items); },
    metrics: () => metrics,
    teardown: () => last?.model.dispose(),
  };
}

let rankingSplit: Promise<sg.datasets.FoldInSplit> | null = null;
async function split(dir: string): Promise<sg.datasets.FoldInSplit> {
  rankingSplit ??= load(dir).then((d) => sg.datasets.heldOutUsers(d, { heldOutUsers: HELD_OUT_USERS, seed: 0 }));
  return rankingSplit;
}

async function rankingSide(c: BenchCase, ctx: BenchContext): Promise<RunInstance> {
  if (!ctx.data) throw new BenchSkip('needs --data');
  const s = await split(ctx.data);
  const kind = c.params.model as string;
  sg.setSeed(0);
  let scorer: sg.train.RankingScorer;
  let model: sg.models.Recommender | null = null;
  let fold: sg.train.RankingScorer | null = null;
  const extra: Record<string, number> = {};
  const valid = { input: s.valid.input, target: s.valid.target };
  switch (kind) {
    case 'vae':
    case 'dae': {
      const r = await sg.models.trainUserRows(kind, s.train, valid, { seed: 0, verbose: false, progress: false, k: KS });
      model = r.model;
      extra['valid-ndcg@100'] = r.bestNdcg;
      extra['kept-epoch'] = r.bestEpoch;
      break;
    }
    case 'imf':
    case 'imf-bpr':
    case 'emb': {
      // an id model: trained on the train users, the held-out users scored by fold-in
      const loss = kind === 'imf-bpr' ? 'bpr' : 'logistic';
      const opts = { loss, seed: 0, verbose: false, progress: false, k: KS } as const;
      const r = kind === 'emb' ? await sg.models.trainEmbeddingModel(s.train, valid, opts) : await sg.models.trainImplicitMF(s.train, valid, opts);
      model = r.model;
      fold = r.scorer;
      extra['valid-ndcg@100'] = r.bestNdcg;
      extra['kept-epoch'] = r.bestEpoch;
      break;
    }
    case 'ease': model = sg.models.fitEASE(s.train); break;
    case 'itemknn': model = sg.models.fitItemKNN(s.train); break;
    case 'popularity': break;
    default: throw new Error(`quality: unknown ranking model '${kind}'`);
  }
  scorer = fold ?? model ?? sg.train.PopularityScorer.fromMatrix(s.train);
  const test = { input: s.test.input, target: s.test.target };
  const r = sg.train.evaluateRanking(scorer, test, { k: KS });
  const metrics = {
    'ndcg@100': r.metrics['ndcg@100'], 'recall@20': r.metrics['recall@20'], 'recall@50': r.metrics['recall@50'], users: r.users, ...extra,
  };
  return {
    run: () => { sg.train.evaluateRanking(scorer, test, { k: KS }); },
    metrics: () => metrics,
    teardown: () => model?.dispose(),
  };
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / Math.max(1, x.length);
function meanOf(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v;
  return x.length ? s / x.length : 0;
}

/** One table: each model's quality numbers (blank where a protocol does not apply). */
function report(run: RunResult): string[] {
  const f = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '' : v.toFixed(4));
  const lines = [
    '| model | RMSE | MAE | NDCG@100 | Recall@20 | Recall@50 | notes |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of run.results) {
    if (r.status !== 'ok') {
      lines.push(`| ${r.label} | ${r.status}: ${(r.message ?? '').split('\n')[0].replace(/\|/g, '\\|')} | | | | | |`);
      continue;
    }
    const m = r.sides[0].metrics;
    const notes: string[] = [];
    if (r.params.protocol === 'explicit') {
      const n = m.folds ?? 1;
      if (!m.official) notes.push('seeded 90/10 split (no u1…u5 folds in the directory)');
      else notes.push(n > 1 ? `mean of folds u1…u${n}: ${Array.from({ length: n }, (_, i) => f(m[`rmse-fold${i + 1}`])).join(', ')}` : 'fold u1');
      notes.push(`kept epochs ${Array.from({ length: n }, (_, i) => m[`epoch-fold${i + 1}`]).join(', ')}`);
    } else {
      notes.push(`${m.users} test users`);
      if (m['kept-epoch'] !== undefined) notes.push(`kept epoch ${m['kept-epoch']}, validation NDCG@100 ${f(m['valid-ndcg@100'])}`);
    }
    lines.push(`| ${r.label} | ${f(m.rmse)} | ${f(m.mae)} | ${f(m['ndcg@100'])} | ${f(m['recall@20'])} | ${f(m['recall@50'])} | ${notes.join('; ')} |`);
  }
  return lines;
}

export const quality: Benchmark = {
  name: 'quality',
  description: 'Model quality on real MovieLens data with the defaults: RMSE/MAE on the official ml-100k folds (or a seeded 90/10 split), '
    + 'NDCG@100 / Recall@20/50 on 150 held-out users (ratings ≥ 4, 80/20 fold-in). Timed: one scoring pass.',
  backendMode: 'pinned',
  requires: ['cpu'],
  needsData: 'a MovieLens directory (e.g. ml-100k/ with u.data, u.item and the u1–u5 folds); no real data ships with sparsegrad',
  cases,
  comparisons: [
    { id: 'explicit', title: 'Rating prediction (RMSE)', sides: [{ label: 'model', backend: 'cpu', setup: explicitSide }], appliesTo: (c) => c.params.protocol === 'explicit' },
    { id: 'ranking', title: 'Top-N ranking on held-out users', sides: [{ label: 'model', backend: 'cpu', setup: rankingSide }], appliesTo: (c) => c.params.protocol === 'ranking' },
  ],
  report,
};
