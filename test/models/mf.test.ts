/** MF and DeepMF: what they learn, every variant's shapes, BatchNorm, checkpoints, serving. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';
import { batches, plantedLowRank, type Triples } from '../helpers/data.js';
import { randomStream } from '../../core/random.js';

const quiet = { verbose: false } as const;

function meanPredictorRmse(train: Triples, valid: Triples): number {
  let mean = 0;
  for (const v of train.ratings) mean += v;
  mean /= train.ratings.length;
  let s = 0;
  for (const v of valid.ratings) s += (v - mean) ** 2;
  return Math.sqrt(s / valid.ratings.length);
}

test('MF learns planted low-rank structure: validation RMSE well under the data std', async () => {
  const data = plantedLowRank(150, 120, 3, 20000, 1);
  sg.setSeed(1);
  const model = new sg.models.MatrixFactorization({ numUsers: 150, numItems: 120, dim: 6, initStd: 0.1 });
  const h = await sg.train.fit(model, batches(data.train, 400, 2), { epochs: 15, optimizer: { name: 'adam', lr: 0.02 }, evalData: batches(data.valid, 4000), ...quiet });
  const rmse = h.epochs.at(-1)!.values['val-rmse'];
  assert.ok(rmse < 0.4 * data.std, `rmse ${rmse} vs std ${data.std}`);
});

test('MF on random data does no better than predicting the mean', async () => {
  const r = randomStream('rand', 3);
  const n = 12000;
  const mk = (len: number): Triples => ({
    users: Int32Array.from({ length: len }, () => r.int(100)),
    items: Int32Array.from({ length: len }, () => r.int(100)),
    ratings: Float32Array.from({ length: len }, () => r.normal()),
  });
  const train = mk(n);
  const valid = mk(3000);
  sg.setSeed(2);
  const model = new sg.models.MatrixFactorization({ numUsers: 100, numItems: 100, dim: 8, biases: true });
  const h = await sg.train.fit(model, batches(train, 500, 3), { epochs: 8, optimizer: { name: 'adam', lr: 0.01 }, evalData: batches(valid, 3000), ...quiet });
  const rmse = h.epochs.at(-1)!.values['val-rmse'];
  assert.ok(rmse > 0.98 * meanPredictorRmse(train, valid), `random data: rmse ${rmse} should not beat the mean (${meanPredictorRmse(train, valid)})`);
});

test('DeepMF learns planted structure (regression)', async () => {
  const data = plantedLowRank(120, 100, 2, 20000, 4);
  sg.setSeed(3);
  const model = new sg.models.DeepMF({ numUsers: 120, numItems: 100, userDim: 8, itemDim: 8, hidden: [32, 32] });
  const h = await sg.train.fit(model, batches(data.train, 250, 5), { epochs: 12, optimizer: { name: 'adam', lr: 0.005 }, evalData: batches(data.valid, 4000), ...quiet });
  const rmse = h.epochs.at(-1)!.values['val-rmse'];
  assert.ok(rmse < 0.6 * data.std, `rmse ${rmse} vs std ${data.std}`);
});

test('every DeepMF variant runs forward/backward with the right shapes', () => {
  const b = { inputs: { user: Int32Array.from([0, 1, 2, 1]), item: Int32Array.from([3, 0, 1, 1]), genre: Int32Array.from([0, 2, 1, 2]) }, label: Float32Array.from([0.5, 3, 4.5, 5]) };
  const variants: [string, sg.models.DeepMFConfig, number[]][] = [
    ['64-64-1', { numUsers: 3, numItems: 4 }, [4]],
    ['batchnorm', { numUsers: 3, numItems: 4, batchNorm: true }, [4]],
    ['classification', { numUsers: 3, numItems: 4, output: 'classification', classes: 10 }, [4, 10]],
    ['asymmetric 15/25', { numUsers: 3, numItems: 4, userDim: 15, itemDim: 25 }, [4]],
    ['genre side feature', { numUsers: 3, numItems: 4, userDim: 15, itemDim: 20, sideFeatures: [{ name: 'genre', num: 3, dim: 5, itemValues: [0, 1, 2, 0] }] }, [4]],
  ];
  for (const [name, cfg, shape] of variants) {
    const m = new sg.models.DeepMF(cfg);
    const { pred, loss } = m.trainingStep(b);
    assert.equal(pred.shape, shape, name);
    assert.equal(m.forwardBatch(b).shape, shape, name);
    loss.backward();
    for (const [pname, p] of m.namedParameters()) assert.ok(p.grad, `${name}: ${pname} got a gradient`);
    assert.is(m.predictionValues(pred).length, 4);
    assert.is(m.scoreItems(1).length, 4);
  }
  const cls = new sg.models.DeepMF({ numUsers: 3, numItems: 4, output: 'classification' });
  for (const v of cls.predictionValues(cls.forwardBatch(b))) assert.ok(v >= 0.5 && v <= 5 && (v * 2) % 1 === 0, 'argmax class → half-star rating');
  assert.is(sg.models.ratingToClass(0.5, 10), 0);
  assert.is(sg.models.ratingToClass(5, 10), 9);
  assert.is(sg.models.classToRating(9), 5);
});

test('BatchNorm1d: batch statistics in training, running statistics in eval', () => {
  const bn = new sg.nn.BatchNorm1d(2, { momentum: 0.5 });
  const x = sg.tensor([[1, 10], [3, 30]]);
  const y = bn.forward(x).dataSync();
  // per-feature mean 2 / 20, var 1 / 100: normalised to ±1
  assert.ok(Math.abs(y[0] + 1) < 1e-3 && Math.abs(y[2] - 1) < 1e-3 && Math.abs(y[1] + 1) < 1e-3);
  // running mean = 0.5·0 + 0.5·batch mean; running var uses the unbiased variance (2, 200)
  assert.equal(Array.from(bn.runningMean.dataSync()), [1, 10]);
  assert.equal(Array.from(bn.runningVar.dataSync()), [1.5, 100.5]);
  bn.eval();
  const z = bn.forward(sg.tensor([[1, 10]])).dataSync();
  assert.ok(Math.abs(z[0] - 0) < 1e-3 && Math.abs(z[1] - 0) < 1e-3);
  assert.throws(() => bn.forward(sg.tensor([[1, 2, 3]])), /BatchNorm1d\(2\): expected input \[batch, 2\], got \[1, 3\]/);
});

test('Dropout: scales survivors in training, identity in eval, repeatable per seed', () => {
  const d = new sg.nn.Dropout(0.5);
  sg.setSeed(5);
  const a = d.forward(sg.ones([1000])).dataSync();
  const kept = a.filter((v) => v !== 0);
  assert.ok(kept.every((v) => v === 2) && kept.length > 400 && kept.length < 600);
  sg.setSeed(5);
  assert.equal(Array.from(d.forward(sg.ones([1000])).dataSync()), Array.from(a));
  d.eval();
  assert.equal(Array.from(d.forward(sg.ones([3])).dataSync()), [1, 1, 1]);
});

test('same seed → bit-identical losses for two MF training runs', async () => {
  const data = plantedLowRank(60, 50, 2, 4000, 9);
  const run = async () => {
    sg.setSeed(42);
    const model = new sg.models.MatrixFactorization({ numUsers: 60, numItems: 50, dim: 4 });
    const h = await sg.train.fit(model, batches(data.train, 100, 1), { epochs: 3, optimizer: 'adam', ...quiet });
    return h.epochs.map((e) => e.values.loss);
  };
  assert.equal(await run(), await run());
});

test('save → load gives identical predictions and identical continued training', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-ckpt-'));
  const data = plantedLowRank(50, 40, 2, 3000, 10);
  sg.setSeed(7);
  const model = new sg.models.MatrixFactorization({ numUsers: 50, numItems: 40, dim: 4, biases: true });
  model.meta = { userIds: Array.from({ length: 50 }, (_, i) => 1000 + i), itemTitles: Array.from({ length: 40 }, (_, i) => `Movie ${i}`) };
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.01 });
  await sg.train.fit(model, batches(data.train, 100), { epochs: 2, optimizer: opt, ...quiet });
  const path = join(dir, 'model.sgm');
  sg.save(model, path, { optimizer: opt });
  const loadedAny = sg.load(path);
  const restored = loadedAny.restoredOptimizer!;
  assert.ok(loadedAny instanceof sg.models.MatrixFactorization);
  const loaded = loadedAny as sg.models.MatrixFactorization;
  assert.equal(Array.from(loaded.scoreItems(3)), Array.from(model.scoreItems(3)));
  assert.is(loaded.userIndexOf(1003), 3);
  assert.is(loaded.meta.itemTitles![5], 'Movie 5');
  // continue training both for one more epoch: the weights stay identical
  await sg.train.fit(model, batches(data.train, 100), { epochs: 1, optimizer: opt, ...quiet });
  await sg.train.fit(loaded, batches(data.train, 100), { epochs: 1, optimizer: restored, ...quiet });
  assert.equal(Array.from(loaded.item.weight.dataSync()), Array.from(model.item.weight.dataSync()));
  // a truncated or corrupted file is refused whole
  const bytes = readFileSync(path);
  writeFileSync(join(dir, 'cut.sgm'), bytes.subarray(0, bytes.length - 10));
  assert.throws(() => sg.load(join(dir, 'cut.sgm')), /truncated/);
  const bad = Buffer.from(bytes);
  bad[bad.length - 5] ^= 0xff;
  writeFileSync(join(dir, 'bad.sgm'), bad);
  assert.throws(() => sg.load(join(dir, 'bad.sgm')), /is corrupted: its CRC-32 is/);
  // (format details, versions and hostile headers: test/models/checkpoint.test.ts)
  writeFileSync(join(dir, 'junk.sgm'), 'hello');
  assert.throws(() => sg.load(join(dir, 'junk.sgm')), /not a sparsegrad checkpoint/);
});

test('recommend excludes seen items and agrees with a brute-force sort; similarItems by cosine', () => {
  sg.setSeed(8);
  const model = new sg.models.MatrixFactorization({ numUsers: 5, numItems: 300, dim: 6, initStd: 1 });
  const scores = model.scoreItems(2);
  const seen = [5, 17, 99];
  const brute = Array.from(scores.keys()).filter((i) => !seen.includes(i)).sort((a, b) => scores[b] - scores[a] || a - b).slice(0, 10);
  const rec = model.recommend(2, 10, { exclude: seen });
  assert.equal(Array.from(rec.indices), brute);
  assert.throws(() => model.recommend(7, 3), /user index 7 is not in the model/);
  const sim = model.similarItems(4, 5);
  assert.ok(!Array.from(sim.indices).includes(4));
  const w = model.item.weight.dataSync();
  const cos = (a: number, b: number) => {
    let d = 0; let na = 0; let nb = 0;
    for (let j = 0; j < 6; j++) { d += w[a * 6 + j] * w[b * 6 + j]; na += w[a * 6 + j] ** 2; nb += w[b * 6 + j] ** 2; }
    return d / Math.sqrt(na * nb);
  };
  const bestOther = Array.from({ length: 300 }, (_, i) => i).filter((i) => i !== 4).sort((a, b) => cos(4, b) - cos(4, a))[0];
  assert.is(sim.indices[0], bestOther);
  assert.throws(() => model.itemIndexOf(12345), /item id 12345 is not in the model/);
});

test('a NaN loss stops fit with the batch number and a learning-rate hint', async () => {
  const model = new sg.models.MatrixFactorization({ numUsers: 4, numItems: 4, dim: 2 });
  const data = { users: Int32Array.from([0, 1, 2, 3]), items: Int32Array.from([0, 1, 2, 3]), ratings: Float32Array.from([1, NaN, 1, 1]) };
  try {
    await sg.train.fit(model, batches(data, 1), { epochs: 1, optimizer: 'sgd', ...quiet });
    assert.unreachable('fit should have thrown');
  } catch (e) {
    assert.match((e as Error).message, /loss became NaN at epoch 0, batch 1; lower the learning rate/);
  }
});

test('fit logs MXNet-style lines and supports early stopping and a learning-rate schedule', async () => {
  const data = plantedLowRank(30, 30, 2, 2000, 12);
  const lines: string[] = [];
  const model = new sg.models.MatrixFactorization({ numUsers: 30, numItems: 30, dim: 4 });
  const sched = new sg.train.LearningRateSchedule(sg.train.stepDecay(0.5, 1));
  const h = await sg.train.fit(model, batches(data.train, 100), {
    epochs: 30, optimizer: { name: 'sgd', lr: 1e-9 }, evalData: batches(data.valid, 1000), batchEndEvery: 5,
    log: (l) => lines.push(l), callbacks: [sched, new sg.train.EarlyStopping({ patience: 2, minDelta: 1e-3 })],
  });
  assert.ok(lines.some((l) => /^Epoch\[0\] Batch \[5\] Speed: [\d.]+ samples\/sec rmse=[\d.]+$/.test(l)), lines[0]);
  assert.ok(lines.includes(`Epoch[0] Train-rmse=${lines.find((l) => l.startsWith('Epoch[0] Train-rmse='))!.split('=')[1]}`));
  assert.ok(lines.some((l) => /^Epoch\[0\] Time cost=[\d.]+$/.test(l)));
  assert.ok(lines.some((l) => /^Epoch\[0\] Validation-rmse=[\d.]+$/.test(l)));
  assert.ok(h.stoppedEarly && h.epochs.length < 30, 'stopped early (learning rate too small to improve)');
  assert.ok(Math.abs(h.optimizer.lr - 1e-9 * 0.5 ** (h.epochs.length - 1)) < 1e-18);
});


test('loadStateDict fills a float16 table with half bits (as checkpoints decode them), not truncated numbers', () => {
  const a = new sg.nn.Embedding({ num: 50, dim: 4, dtype: 'float16', seed: 1 });
  const b = new sg.nn.Embedding({ num: 50, dim: 4, dtype: 'float16', seed: 2 });
  const values = new Map([...a.stateDict()].map(([k, t]) => [k, t.dataSync()] as const));
  b.loadStateDict(values);
  assert.equal(Array.from(b.weight.dataSync()), Array.from(a.weight.dataSync()));
  assert.is(b.weight.dtype, 'float16');
  a.dispose();
  b.dispose();
});

test.run();
