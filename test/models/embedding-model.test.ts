/**
 * EmbeddingModel (the music case): every scoring learns planted topics with SGD + weight
 * decay; sparse and dense gradients reach the same quality; the lazy update touches (and
 * decays) only the rows a batch used, the dense one every row.
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

const EM = sg.models.EmbeddingModel;
const { evaluateRanking, PopularityScorer } = sg.train;
const ev = { k: [20], metrics: ['ndcg'] as sg.train.RankingMetricName[] };

const data = planted({ users: 400, items: 300, seed: 2 });
const { train, test: held } = perUserHoldout(data, { fraction: 0.2, seed: 2 });
const split = { input: matrixOf(train), target: matrixOf(held) };
const popNdcg = evaluateRanking(PopularityScorer.fromMatrix(split.input), split, ev).metrics['ndcg@20'];

async function trainOne(cfg: Partial<sg.models.EmbeddingModelConfig>, epochs = 6): Promise<number> {
  sg.setSeed(1);
  const model = new EM({ numUsers: data.numUsers, numItems: data.numItems, dim: 16, ...cfg });
  const it = new NegativeSamplingIterator(train, { sampleRatio: 5, batchSize: 128, seed: 1 });
  // the loss is a batch mean, so plain SGD needs a large step (≈ lr/768 per pair)
  await sg.train.fit(model, it, { epochs, optimizer: { name: 'sgd', lr: 30, weightDecay: 1e-4 }, metrics: [], verbose: false, progress: false });
  return evaluateRanking(model, split, ev).metrics['ndcg@20'];
}

test('dot scoring: sparse and dense gradients learn the same, far beyond popularity', async () => {
  const sparse = await trainOne({ scoring: 'dot', sparseGrad: true });
  const dense = await trainOne({ scoring: 'dot', sparseGrad: false });
  assert.ok(sparse > 2 * popNdcg, `sparse ndcg@20 ${sparse.toFixed(3)} vs popularity ${popNdcg.toFixed(3)}`);
  assert.ok(Math.abs(sparse - dense) < 0.05, `sparse ${sparse.toFixed(3)} vs dense ${dense.toFixed(3)}`);
});

for (const [scoring, loss] of [['cosine', 'logistic'], ['cosine', 'cosine'], ['euclidean', 'logistic']] as const) {
  test(`${scoring} scoring with the ${loss} loss learns planted topics`, async () => {
    const ndcg = await trainOne({ scoring, loss }, 5);
    assert.ok(ndcg > 2 * popNdcg, `ndcg@20 ${ndcg.toFixed(3)} vs popularity ${popNdcg.toFixed(3)}`);
  });
}

test('lazy SGD with weight decay changes only the rows in the batch; dense changes every row', () => {
  const batch = { inputs: { user: Int32Array.of(0, 1), item: Int32Array.of(2, 5) }, label: Float32Array.of(1, 0) };
  for (const sparseGrad of [true, false]) {
    const model = new EM({ numUsers: 3, numItems: 8, dim: 4, sparseGrad, seed: 1 });
    const before = model.item.weight.dataSync().slice();
    const opt = new sg.optim.SGD(model.parameters(), { lr: 0.5, weightDecay: 0.1 });
    sg.tidy(() => model.trainingStep(batch).loss.backward());
    assert.is(model.item.weight.grad instanceof sg.RowSparse, sparseGrad);
    opt.step();
    const after = model.item.weight.dataSync();
    const changed = [...Array(8).keys()].filter((r) => [0, 1, 2, 3].some((j) => after[r * 4 + j] !== before[r * 4 + j]));
    assert.equal(changed, sparseGrad ? [2, 5] : [0, 1, 2, 3, 4, 5, 6, 7]);
  }
});

test('scoreBatch ranks like the pair logits (with item biases); checkpoints; config errors', () => {
  for (const scoring of ['dot', 'cosine', 'euclidean'] as const) {
    const model = new EM({ numUsers: 3, numItems: 6, dim: 4, scoring, itemBias: true, seed: 2 });
    model.bias!.assign([0.1, -0.2, 0.3, 0, 0.5, -1]);
    const all = model.scoreBatch(Int32Array.of(1));
    // the pairs' logits (score · scale + item bias + offset 0)
    const batch = { inputs: { user: Int32Array.of(1, 1, 1, 1, 1, 1), item: Int32Array.of(0, 1, 2, 3, 4, 5) } };
    const pairs = sg.tidy(() => Array.from(model.forwardBatch(batch).dataSync()));
    pairs.forEach((v, i) => assert.ok(Math.abs(v - all[i]) < 1e-5, `${scoring}: item ${i}: ${v} vs ${all[i]}`));
  }
  const model = new EM({ numUsers: 3, numItems: 6, dim: 4, scoring: 'euclidean' });
  const dir = mkdtempSync(join(tmpdir(), 'sg-emb-'));
  sg.save(model, join(dir, 'e.sgc'));
  const loaded = sg.load(join(dir, 'e.sgc'));
  assert.ok(loaded instanceof EM);
  assert.equal(Array.from(loaded.scoreItems(2)), Array.from(model.scoreItems(2)));
  assert.throws(() => new EM({ numUsers: 3, numItems: 6, scoring: 'manhattan' as never }), /EmbeddingModel: unknown scoring 'manhattan'/);
  assert.throws(() => new EM({ numUsers: 3, numItems: 6, scoring: 'dot', loss: 'cosine' }), /EmbeddingModel: the cosine loss needs scoring 'cosine'/);
});

test.run();
