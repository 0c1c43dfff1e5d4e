/**
 * Resumable training (issue 14 item 6): a run stopped after epoch k, saved, loaded and
 * continued ends with bit for bit the weights (and epoch losses) of a run that never
 * stopped — with shuffled batches, dropout and the VAE's noise, sampled negatives, Adam's
 * per-row step counts and an EarlyStopping callback. Before, with shuffle on, every weight
 * differed (max |Δ| 0.038).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';
import { plantedLowRank } from '../helpers/data.js';
import { planted } from './planted.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-resume-'));
const quiet = { verbose: false, progress: false } as const;
const weights = (m: sg.models.Recommender) => [...m.stateDict()].map(([k, t]) => [k, Array.from(t.dataSync())]);

/** A callback that saves a resumable checkpoint after `epoch` (put it last: later callbacks have not run yet). */
function saveAfter(model: sg.models.Recommender, epoch: number, path: string): sg.train.Callback {
  return {
    onEpochEnd: (logs, ctx) => {
      if (logs.epoch === epoch) sg.save(model, path, { optimizer: ctx.optimizer, training: ctx.trainingState!() });
    },
  };
}

test('MF, Adam, shuffled BatchIterator, EarlyStopping: stop after epoch 1, resume, same weights as 4 straight epochs', async () => {
  const data = plantedLowRank(50, 40, 3, 4000, 1);
  const train = { numUsers: 50, numItems: 40, ...data.train };
  const iter = () => sg.datasets.BatchIterator.fromRatings(train, { batchSize: 128, shuffle: true, seed: 3 });
  const make = () => new sg.models.MatrixFactorization({ numUsers: 50, numItems: 40, dim: 6, biases: true });
  const early = () => new sg.train.EarlyStopping({ monitor: 'loss', patience: 10 });
  sg.setSeed(9);
  const straight = make();
  const hs = await sg.train.fit(straight, iter(), { epochs: 4, optimizer: { name: 'adam', lr: 0.02 }, callbacks: [early()], ...quiet });

  sg.setSeed(9);
  const first = make();
  const path = join(dir, 'mf.sgm');
  await sg.train.fit(first, iter(), { epochs: 2, optimizer: { name: 'adam', lr: 0.02 }, callbacks: [early(), saveAfter(first, 1, path)], ...quiet });
  sg.setSeed(9);
  const loaded = sg.load(path);
  assert.ok(loaded.trainingState, 'the checkpoint carries the training state');
  const hr = await sg.train.fit(loaded, iter(), {
    epochs: 4, optimizer: loaded.restoredOptimizer, resume: loaded.trainingState, callbacks: [early()], ...quiet,
  });
  assert.equal(hr.epochs.map((e) => e.epoch), [2, 3]);
  assert.equal(hr.epochs.map((e) => e.values.loss), hs.epochs.slice(2).map((e) => e.values.loss));
  assert.equal(weights(loaded), weights(straight));
});

test('Mult-VAE (dropout, reparameterisation noise, shuffled users): resumed = straight, bit for bit', async () => {
  const m = planted({ users: 120, items: 50, seed: 4 }).matrix;
  const make = () => new sg.models.MultVAE({ numItems: 50, hidden: [16], latent: 4, totalAnnealSteps: 20 });
  const opts = { batchSize: 32, optimizer: { name: 'adam' as const, lr: 0.01 }, ...quiet };
  sg.setSeed(5);
  const straight = make();
  await sg.train.fitRows(straight, m, { ...opts, epochs: 3 });
  sg.setSeed(5);
  const first = make();
  const path = join(dir, 'vae.sgm');
  await sg.train.fitRows(first, m, { ...opts, epochs: 1, callbacks: [saveAfter(first, 0, path)] });
  sg.setSeed(5);
  const loaded = sg.load(path);
  await sg.train.fitRows(loaded as never, m, { ...opts, epochs: 3, optimizer: loaded.restoredOptimizer, resume: loaded.trainingState });
  assert.equal(weights(loaded), weights(straight));
});

test('ImplicitMF with a NegativeSamplingIterator: the negatives continue where they stopped', async () => {
  const data = plantedLowRank(40, 60, 2, 1500, 6);
  const pos = { numUsers: 40, numItems: 60, users: data.train.users, items: data.train.items, ratings: new Float32Array(data.train.users.length).fill(1) };
  const iter = () => new sg.datasets.NegativeSamplingIterator(pos, { sampleRatio: 3, batchSize: 100, shuffle: true, seed: 2 });
  const make = () => new sg.models.ImplicitMF({ numUsers: 40, numItems: 60, dim: 4 });
  sg.setSeed(6);
  const straight = make();
  await sg.train.fit(straight, iter(), { epochs: 3, optimizer: 'adam', metrics: [], ...quiet });
  sg.setSeed(6);
  const first = make();
  const path = join(dir, 'imf.sgm');
  await sg.train.fit(first, iter(), { epochs: 2, optimizer: 'adam', metrics: [], callbacks: [saveAfter(first, 1, path)], ...quiet });
  sg.setSeed(6);
  const loaded = sg.load(path);
  await sg.train.fit(loaded, iter(), { epochs: 3, optimizer: loaded.restoredOptimizer, resume: loaded.trainingState, metrics: [], ...quiet });
  assert.equal(weights(loaded), weights(straight));
});

test('ImplicitMF with BPR and a PairwiseSamplingIterator: the triples continue where they stopped', async () => {
  const data = plantedLowRank(40, 60, 2, 1500, 7);
  const pos = { numUsers: 40, numItems: 60, users: data.train.users, items: data.train.items, ratings: new Float32Array(data.train.users.length).fill(1) };
  const iter = () => new sg.datasets.PairwiseSamplingIterator(pos, { negatives: 2, batchSize: 100, shuffle: true, seed: 3 });
  const make = () => new sg.models.ImplicitMF({ numUsers: 40, numItems: 60, dim: 4, loss: 'bpr' });
  sg.setSeed(7);
  const straight = make();
  await sg.train.fit(straight, iter(), { epochs: 3, optimizer: 'adam', metrics: [], ...quiet });
  sg.setSeed(7);
  const first = make();
  const path = join(dir, 'imf-bpr.sgm');
  await sg.train.fit(first, iter(), { epochs: 2, optimizer: 'adam', metrics: [], callbacks: [saveAfter(first, 1, path)], ...quiet });
  sg.setSeed(7);
  const loaded = sg.load(path);
  assert.is((loaded as sg.models.ImplicitMF).config.loss, 'bpr');
  await sg.train.fit(loaded, iter(), { epochs: 3, optimizer: loaded.restoredOptimizer, resume: loaded.trainingState, metrics: [], ...quiet });
  assert.equal(weights(loaded), weights(straight));
});

test('iterators restore mid-epoch too; a wrong state is refused', () => {
  const data = { numUsers: 5, numItems: 5, users: Int32Array.from({ length: 23 }, (_, i) => i % 5), items: Int32Array.from({ length: 23 }, (_, i) => (i * 3) % 5), ratings: new Float32Array(23).fill(1) };
  const a = sg.datasets.BatchIterator.fromRatings(data, { batchSize: 4, shuffle: true, seed: 1 });
  a.reset();
  a.next();
  const saved = JSON.parse(JSON.stringify(a.state()));
  const rest = () => { const out: number[][] = []; for (let b = a.next(); b; b = a.next()) out.push(Array.from(b.index)); a.reset(); out.push(Array.from(a.next()!.index)); return out; };
  const expected = rest();
  const b = sg.datasets.BatchIterator.fromRatings(data, { batchSize: 4, shuffle: true, seed: 1 });
  b.restore(saved);
  const got: number[][] = [];
  for (let x = b.next(); x; x = b.next()) got.push(Array.from(x.index));
  b.reset();
  got.push(Array.from(b.next()!.index));
  assert.equal(got, expected);
  const plain = sg.datasets.BatchIterator.fromRatings(data, { batchSize: 4 });
  assert.throws(() => plain.restore(saved), /state is of an iterator with shuffling/);
  assert.throws(() => b.restore({ ...saved, cursor: 999 }), /cursor is not a position in its 23 rows/);
  assert.throws(() => b.restore({ kind: 'UserRowIterator' }), /not a BatchIterator state/);
});

test('resume refuses what would not continue the same run: another seed, too few epochs, no state', async () => {
  const data = plantedLowRank(20, 20, 2, 500, 7);
  const train = { numUsers: 20, numItems: 20, ...data.train };
  const iter = () => sg.datasets.BatchIterator.fromRatings(train, { batchSize: 100, shuffle: true, seed: 1 });
  sg.setSeed(1);
  const m = new sg.models.MatrixFactorization({ numUsers: 20, numItems: 20, dim: 3 });
  const path = join(dir, 'r.sgm');
  await sg.train.fit(m, iter(), { epochs: 2, callbacks: [saveAfter(m, 1, path)], ...quiet });
  const loaded = sg.load(path);
  const again = (opts: Partial<sg.train.FitOptions>) => sg.train.fit(loaded, iter(), { epochs: 4, optimizer: loaded.restoredOptimizer, resume: loaded.trainingState, ...quiet, ...opts })
    .then(() => '', (e: Error) => e.message);
  sg.setSeed(2);
  assert.match(await again({}), /fit: cannot resume: it was trained with seed "1" but this run's seed is "2"/);
  sg.setSeed(1);
  assert.match(await again({ epochs: 2 }), /has finished 2 epoch\(s\) already; ask for more than 2 epochs/);
  assert.match(await again({ resume: null }), /the training state is missing/);
  assert.match(await again({ resume: { ...(loaded.trainingState as object), version: 9 } }), /training state version 9/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
