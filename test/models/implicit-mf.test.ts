/**
 * ImplicitMF: trained with fit() from NegativeSamplingIterator batches (logistic loss on
 * positives and sampled negatives), it learns planted topics well beyond popularity.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';
import { perUserHoldout } from '../../datasets/splits.js';
import { NegativeSamplingIterator } from '../../datasets/iterators/negative.js';
import { planted, matrixOf } from './planted.js';

const IMF = sg.models.ImplicitMF;
const { evaluateRanking, PopularityScorer } = sg.train;
const ev = { k: [20], metrics: ['recall', 'ndcg', 'auc'] as sg.train.RankingMetricName[] };

const data = planted({ users: 500, items: 300, seed: 1 });
const { train, test: held } = perUserHoldout(data, { fraction: 0.2, seed: 1 });
const split = { input: matrixOf(train), target: matrixOf(held) };
const pop = evaluateRanking(PopularityScorer.fromMatrix(split.input), split, ev).metrics;

test('ImplicitMF + NegativeSamplingIterator(sampleRatio 5) learns planted topics far beyond popularity', async () => {
  sg.setSeed(1);
  const model = new IMF({ numUsers: data.numUsers, numItems: data.numItems, dim: 16 });
  const it = new NegativeSamplingIterator(train, { sampleRatio: 5, batchSize: 256, seed: 1 });
  const h = await sg.train.fit(model, it, { epochs: 8, optimizer: { name: 'adam', lr: 0.01 }, metrics: ['mse'], verbose: false, progress: false });
  const m = evaluateRanking(model, split, ev).metrics;
  assert.ok(m['ndcg@20'] > 2 * pop['ndcg@20'], `ndcg@20 ${m['ndcg@20'].toFixed(3)} vs popularity ${pop['ndcg@20'].toFixed(3)}`);
  assert.ok(m.auc > pop.auc + 0.05, `auc ${m.auc.toFixed(3)} vs popularity ${pop.auc.toFixed(3)}`);
  // predictions are probabilities, and the Brier score (mse vs 0/1 labels) went down
  assert.ok(h.epochs.at(-1)!.values['train-mse'] < h.epochs[0].values['train-mse']);
  const p = sg.tidy(() => model.predictionValues(model.forwardBatch({ inputs: { user: Int32Array.of(0, 1), item: Int32Array.of(2, 3) } })));
  for (const v of p) assert.ok(v > 0 && v < 1);
  // batch scoring = per-user scoring
  const a = model.scoreBatch(Int32Array.of(3, 4));
  assert.equal(Array.from(a.subarray(data.numItems)), Array.from(model.scoreItems(4)));
});

test('ImplicitMF: labels must be 0/1; checkpoint round trip rebuilds an ImplicitMF', () => {
  const model = new IMF({ numUsers: 4, numItems: 5, dim: 3 });
  const batch = { inputs: { user: Int32Array.of(0, 1), item: Int32Array.of(0, 1) }, label: Float32Array.of(1, 3.5) };
  assert.throws(() => sg.tidy(() => model.trainingStep(batch).loss), /ImplicitMF: labels must be 0 or 1.*3\.5 at row 1/);
  const dir = mkdtempSync(join(tmpdir(), 'sg-imf-'));
  sg.save(model, join(dir, 'm.sgc'));
  const loaded = sg.load(join(dir, 'm.sgc'));
  assert.ok(loaded instanceof IMF);
  assert.equal(Array.from(loaded.scoreItems(2)), Array.from(model.scoreItems(2)));
});

test.run();
