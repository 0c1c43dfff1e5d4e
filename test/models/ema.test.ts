/**
 * Weight averaging (models/train/ema.ts, the `ema` option of fit and fitRows): the weights
 * validated, checkpointed and handed back are the bias-corrected exponential moving average
 * of the training weights after each update — checked against that average computed by
 * hand from the same updates — while training itself is untouched (same losses as a run
 * without it); keep-best restores the chosen epoch's average; a checkpoint written at an
 * epoch end holds the average, and resuming it continues the run bit for bit.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';
import { planted } from './planted.js';
import type { Batch } from '../../models/train/types.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-ema-'));
const quiet = { verbose: false, progress: false } as const;
const params = (m: sg.models.Recommender) => m.parameters().map((p) => Array.from(p.dataSync()));
const weights = (m: sg.models.Recommender) => [...m.stateDict()].map(([k, t]) => [k, Array.from(t.dataSync())]);

const data = planted({ users: 90, items: 40, seed: 3 });
const rows: Batch[] = [0, 30, 60].map((a) => ({ inputs: { rows: data.matrix.sliceRows(a, a + 30) }, size: 30 }));
const make = () => { sg.setSeed(5); return new sg.models.MultVAE({ numItems: 40, hidden: [8], latent: 4, totalAnnealSteps: 6 }); };

function close(got: number[][], want: number[][], what: string): void {
  assert.is(got.length, want.length);
  got.forEach((g, i) => g.forEach((v, j) => {
    if (!(Math.abs(v - want[i][j]) <= 1e-6 + 1e-5 * Math.abs(want[i][j]))) assert.unreachable(`${what}: parameter ${i}[${j}] is ${v}, the average by hand ${want[i][j]}`);
  }));
}

test('fitRows ema: each epoch end sees Σ d^(t−i)(1−d)θ_i / (1 − d^t) of the updates so far; the training is the same as without', async () => {
  const d = 0.8;
  // by hand: the plain loop, the weights after every update kept in float64
  const b = make();
  const opt = new sg.optim.Adam(b.parameters(), { lr: 0.01 });
  const after: number[][][] = [];
  for (let e = 0; e < 3; e++) {
    b.train();
    for (const batch of rows) {
      sg.tidy(() => {
        const { loss, afterUpdate } = b.trainingStep(batch);
        loss.backward();
        opt.step();
        opt.zeroGrad();
        afterUpdate?.();
      });
      after.push(params(b));
    }
  }
  const average = (t: number) => after[0].map((p, i) => p.map((_, j) => {
    let s = 0;
    for (let k = 1; k <= t; k++) s += d ** (t - k) * (1 - d) * after[k - 1][i][j];
    return s / (1 - d ** t);
  }));

  const a = make();
  const seen: number[][][] = [];
  const h = await sg.train.fitRows(a, rows, { epochs: 3, optimizer: { name: 'adam', lr: 0.01 }, ema: d, callbacks: [{ onEpochEnd: () => { seen.push(params(a)); } }], ...quiet });
  for (let e = 0; e < 3; e++) close(seen[e], average(3 * (e + 1)), `epoch ${e}`);
  close(params(a), average(9), 'the model handed back');
  assert.is(h.bestEpoch, 2, 'without keepBest the last epoch (its average)');

  const plain = make();
  const hp = await sg.train.fitRows(plain, rows, { epochs: 3, optimizer: { name: 'adam', lr: 0.01 }, ...quiet });
  assert.equal(h.epochs.map((x) => x.values.loss), hp.epochs.map((x) => x.values.loss), 'the average never feeds back into training');
  assert.equal(params(plain), after.at(-1)!.map((p) => Array.from(Float32Array.from(p))), 'the run without ema holds the training weights');
});

test('fit ema: the same average for an id model (MF), and a bad decay is refused', async () => {
  const d = 0.5;
  const users = Int32Array.from({ length: 60 }, (_, k) => k % 10);
  const items = Int32Array.from({ length: 60 }, (_, k) => (k * 7) % 12);
  const ratings = Float32Array.from({ length: 60 }, (_, k) => 1 + (k % 5));
  const batches = () => sg.datasets.BatchIterator.fromRatings({ numUsers: 10, numItems: 12, users, items, ratings }, { batchSize: 20, shuffle: false });
  const mk = () => { sg.setSeed(2); return new sg.models.MatrixFactorization({ numUsers: 10, numItems: 12, dim: 3 }); };
  const raw = mk();
  const after: number[][][] = [];
  await sg.train.fit(raw, batches(), { epochs: 2, optimizer: { name: 'sgd', lr: 0.05 }, callbacks: [{ onBatchEnd: () => { after.push(params(raw)); } }], ...quiet });
  const avg = mk();
  await sg.train.fit(avg, batches(), { epochs: 2, optimizer: { name: 'sgd', lr: 0.05 }, ema: d, ...quiet });
  const t = after.length;
  const want = after[0].map((p, i) => p.map((_, j) => {
    let s = 0;
    for (let k = 1; k <= t; k++) s += d ** (t - k) * (1 - d) * after[k - 1][i][j];
    return s / (1 - d ** t);
  }));
  close(params(avg), want, 'MF after 2 epochs');
  for (const bad of [0, 1, -0.5, NaN]) {
    const msg = await sg.train.fit(mk(), batches(), { epochs: 1, ema: bad, ...quiet }).then(() => '', (e: Error) => e.message);
    assert.match(msg, /ema: the decay must be a number in \(0, 1\)/);
  }
});

test('fitRows ema with keepBest: the model holds the chosen epoch\'s average, which is what was validated', async () => {
  const split = sg.datasets.heldOutUsers(planted({ users: 160, items: 40, seed: 6 }), { heldOutUsers: 30, testUsers: 0, seed: 1 });
  const valid = { input: split.valid.input, target: split.valid.target };
  sg.setSeed(7);
  const model = new sg.models.MultVAE({ numItems: split.numItems, hidden: [16], latent: 4 });
  const seen: unknown[] = [];
  const h = await sg.train.fitRows(model, split.train, {
    epochs: 8, batchSize: 25, optimizer: { name: 'adam', lr: 0.02 }, ema: 0.9, evalSplit: valid, keepBest: 'ndcg@10', evalOptions: { k: [10] },
    callbacks: [{ onEpochEnd: () => { seen.push(weights(model)); } }], ...quiet,
  });
  const val = h.epochs.map((e) => e.values['val-ndcg@10']);
  assert.is(h.bestEpoch, val.indexOf(Math.max(...val)));
  assert.equal(weights(model), seen[h.bestEpoch]);
  const again = sg.train.evaluateRanking(model, valid, { k: [10] }).metrics['ndcg@10'];
  assert.ok(Math.abs(again - val[h.bestEpoch]) < 1e-9, `the kept weights score ${again}; epoch ${h.bestEpoch} was validated at ${val[h.bestEpoch]}`);
});

test('a checkpoint of an ema run holds the average; resumed with the same ema it ends bit for bit as the straight run', async () => {
  const opts = { optimizer: { name: 'adam' as const, lr: 0.01 }, ema: 0.7, ...quiet };
  const straight = make();
  const hs = await sg.train.fitRows(straight, rows, { ...opts, epochs: 4 });

  const first = make();
  const path = join(dir, 'vae.sgm');
  let averaged: number[][] = [];
  await sg.train.fitRows(first, rows, {
    ...opts, epochs: 2,
    callbacks: [{ onEpochEnd: (logs, ctx) => { if (logs.epoch === 1) { averaged = params(first); sg.save(first, path, { optimizer: ctx.optimizer, training: ctx.trainingState!() }); } } }],
  });
  sg.setSeed(5);
  const loaded = sg.load(path);
  assert.equal(params(loaded), averaged, 'the checkpoint\'s weights are the average at that epoch end');
  assert.equal((loaded.trainingState as { ema: unknown }).ema, { decay: 0.7, updates: 6, swappedIn: true });
  const hr = await sg.train.fitRows(loaded as never, rows, { ...opts, epochs: 4, optimizer: loaded.restoredOptimizer, resume: loaded.trainingState });
  assert.equal(hr.epochs.map((e) => e.values.loss), hs.epochs.slice(2).map((e) => e.values.loss));
  assert.equal(weights(loaded), weights(straight));

  const resumeWith = async (ema: number | undefined) => {
    sg.setSeed(5);
    const l = sg.load(path);
    return sg.train.fitRows(l as never, rows, { ...opts, ema, epochs: 4, optimizer: l.restoredOptimizer, resume: l.trainingState }).then(() => '', (e: Error) => e.message);
  };
  assert.match(await resumeWith(undefined), /fitRows: cannot resume: the checkpoint averaged the weights \(ema 0.7\); give the same ema/);
  assert.match(await resumeWith(0.9), /averaged the weights with decay 0.7; this run asks for ema 0.9/);
});

test('resuming a checkpoint without ema under ema is refused', async () => {
  const m = make();
  const path = join(dir, 'plain.sgm');
  await sg.train.fitRows(m, rows, {
    epochs: 1, ...quiet, callbacks: [{ onEpochEnd: (_l, ctx) => { sg.save(m, path, { optimizer: ctx.optimizer, training: ctx.trainingState!() }); } }],
  });
  sg.setSeed(5);
  const l = sg.load(path);
  const msg = await sg.train.fitRows(l as never, rows, { epochs: 3, ema: 0.9, optimizer: l.restoredOptimizer, resume: l.trainingState, ...quiet }).then(() => '', (e: Error) => e.message);
  assert.match(msg, /cannot resume: the checkpoint was trained without weight averaging; this run asks for ema 0.9/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
