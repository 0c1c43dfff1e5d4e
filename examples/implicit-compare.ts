/**
 * The implicit-feedback families side by side on one protocol: ratings ≥ 4 are clicks, each
 * user's clicks are split 80% train / 20% to find (train clicks excluded from the ranking).
 * Every user is known to every model, so id-based models (ImplicitMF) and user-row models
 * (Mult-VAE, Mult-DAE, MultiLabel) compete on equal terms; the item columns are the items
 * clicked in training (held-out clicks on other items are dropped: no collaborative model
 * can rank an item it has never seen).
 *
 *   node scripts/run-example.mjs implicit-compare [--scale small|tiny|ml1m] [--data dir]
 *     [--epochs 30] [--models pop,imf,vae,dae,multilabel] [--hidden 600] [--latent 200]
 */
import * as sg from '../index.js';
import { CSR } from '../core/csr.js';
import { NegativeSamplingIterator } from '../datasets/iterators/negative.js';
import type { InteractionData } from '../datasets/types.js';
import { flags, loadRatings, oracleScorer, perUserClicks, resultTable } from './lib/implicit-data.js';

/**
 * Liang et al. anneal over 200,000 updates and train ~46,600 (200 epochs × 233 batches), so
 * β = updates/200k reaches its 0.2 cap near the end of training. Scaled to a run of `steps`
 * updates: total = 5 × steps.
 */
export const annealFor = (steps: number) => 5 * steps;

/** Keeps the columns `keep` (old → new index map, −1 = dropped). */
function remapColumns(m: CSR, column: Int32Array, numCols: number): CSR {
  const indptr = new Int32Array(m.rows + 1);
  const idx: number[] = [];
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) if (column[m.indices[p]] >= 0) idx.push(column[m.indices[p]]);
    indptr[r + 1] = idx.length;
  }
  const indices = Int32Array.from(idx);
  return new CSR(indptr, indices, new Float32Array(indices.length).fill(1), [m.rows, numCols]);
}

export async function runCompare(o: { data?: string; scale?: string; epochs?: number; models?: string[]; hidden?: number; latent?: number; seed?: number } = {}) {
  const seed = o.seed ?? 0;
  sg.setSeed(seed);
  const ds = await loadRatings({ data: o.data, scale: o.scale, seed });
  const s = perUserClicks(ds, { seed });
  // columns: items clicked in training
  const column = new Int32Array(ds.numItems).fill(-1);
  let N = 0;
  for (const i of s.trainMatrix.indices) if (column[i] < 0) column[i] = 0;
  const items: number[] = [];
  for (let i = 0; i < ds.numItems; i++) if (column[i] === 0) { column[i] = N++; items.push(i); }
  const train = remapColumns(s.trainMatrix, column, N);
  const test = remapColumns(s.testMatrix, column, N);
  const split = { input: train, target: test };
  const trainPairs: InteractionData = { ...s.train, numItems: N, items: Int32Array.from(s.train.items, (i) => column[i]) };
  console.log(`${ds.name}: ${ds.numUsers} users, ${N} clicked items; ${train.nnz} train clicks, ${test.nnz} held-out clicks`);
  const ev = { k: [20, 50, 100], metrics: ['recall', 'ndcg'] as sg.train.RankingMetricName[] };
  const report = (r: sg.train.RankingResult) => ({ ...r, metrics: { 'recall@20': r.metrics['recall@20'], 'recall@50': r.metrics['recall@50'], 'ndcg@100': r.metrics['ndcg@100'] } });
  const rows: { name: string; result: sg.train.RankingResult; note?: string }[] = [];
  const want = new Set(o.models ?? ['pop', 'imf', 'vae', 'dae']);
  const epochs = o.epochs ?? 30;
  const timed = async (name: string, run: () => Promise<sg.train.RankingScorer>) => {
    sg.setSeed(seed);
    const t = performance.now();
    const scorer = await run();
    rows.push({ name, result: report(sg.train.evaluateRanking(scorer, split, ev)), note: `${((performance.now() - t) / 1000).toFixed(0)} s` });
    console.log(`${name}: ${Object.entries(rows.at(-1)!.result.metrics).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}`);
  };
  const quiet = { verbose: false, progress: false } as const;
  if (want.has('pop')) await timed('popularity', async () => sg.train.PopularityScorer.fromMatrix(train));
  const oracle = oracleScorer(ds, { column: Int32Array.from(items) });
  if (oracle) await timed('oracle (hidden truth)', async () => oracle);
  if (want.has('imf')) {
    await timed('ImplicitMF', async () => {
      const model = new sg.models.ImplicitMF({ numUsers: ds.numUsers, numItems: N, dim: 32 });
      const it = new NegativeSamplingIterator(trainPairs, { sampleRatio: 5, batchSize: 4096, seed, numUsers: ds.numUsers, numItems: N });
      await sg.train.fit(model, it, { epochs: Math.min(epochs, 10), optimizer: { name: 'adam', lr: 0.005 }, metrics: [], ...quiet });
      return model;
    });
  }
  const h = o.hidden ?? 600;
  const z = o.latent ?? 200;
  const rowModel = async (model: sg.models.MultVAE | sg.models.AutoEncoder | sg.models.MultiLabel, lr: number, batchSize: number) => {
    await sg.train.fitRows(model, train, { epochs, batchSize, optimizer: { name: 'adam', lr }, ...quiet });
    return model;
  };
  // few users here: small batches give the models enough updates (Liang et al. use 500 of 116k users)
  if (want.has('vae')) await timed('Mult-VAE', () => rowModel(new sg.models.MultVAE({ numItems: N, hidden: [h], latent: z, totalAnnealSteps: annealFor(epochs * Math.ceil(ds.numUsers / 100)) }), 1e-3, 100));
  if (want.has('dae')) await timed('Mult-DAE', () => rowModel(new sg.models.AutoEncoder({ numItems: N, hidden: [h, z] }), 1e-3, 100));
  if (want.has('multilabel')) await timed('MultiLabel', () => rowModel(new sg.models.MultiLabel({ numItems: N, hidden: [128], sampledOutputs: 100 }), 0.01, 256));
  console.log('');
  resultTable(rows);
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = flags();
  await runCompare({
    data: f.get('data'), scale: f.get('scale'), epochs: f.num('epochs', 30), models: f.get('models')?.split(','),
    hidden: f.num('hidden', 600), latent: f.num('latent', 200), seed: f.num('seed', 0),
  });
}
