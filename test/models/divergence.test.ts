/**
 * The loss-explosion guard (models/train/divergence.ts): every optimizer stops with
 * TrainingDivergedError when the loss blows up — finite or not — and ordinary training,
 * noisy batches and losses near zero never trip it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { DivergenceGuard } from '../../models/train/divergence.js';
import { batches, plantedLowRank } from '../helpers/data.js';

const quiet = { verbose: false, progress: false } as const;

test('the guard: trips on a sustained climb above its best and its start, not on spikes, noise near zero or negative losses', () => {
  const run = (losses: number[], opts = {}) => {
    const g = new DivergenceGuard(opts);
    for (let k = 0; k < losses.length; k++) {
      const why = g.check(losses[k], `batch ${k}`);
      if (why) return { at: k, why };
    }
    return null;
  };
  // a climb to 1e12 from 13: caught within a couple of batches
  const climb = run([13, 12, 11, 10, 1e12, 1e12, 1e12]);
  assert.ok(climb && climb.at <= 5, JSON.stringify(climb));
  assert.match(climb!.why, /the loss exploded: its moving average .* is over 10× its best .*\(batch 3\) and above the first batch's 13/);
  // one bad batch in a good run: the average absorbs it
  assert.is(run([1, 0.9, 0.8, 0.7, 0.6, 5, 0.6, 0.55, 0.5]), null);
  // a loss falling towards zero may jump 100× and still be far below where it started
  const tiny = Array.from({ length: 200 }, (_, k) => (k < 100 ? 10 * Math.exp(-k / 8) : 1e-3 * (1 + (k % 7))));
  assert.is(run(tiny), null);
  // a loss that climbs slowly but stays within 10× of its best is training badly, not exploding
  assert.is(run(Array.from({ length: 100 }, (_, k) => 1 + k * 0.05)), null);
  // negative losses (a custom log-likelihood): only non-finite values stop them, in step.ts
  assert.is(run([-5, -6, -7, 100, 1000, 1e6]), null);
  // a stricter factor
  assert.ok(run([1, 1, 1, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4], { factor: 2 }));
  // state round trip
  const g = new DivergenceGuard();
  [5, 4, 3].forEach((v, k) => g.check(v, `b${k}`));
  const h = new DivergenceGuard();
  h.restore(JSON.parse(JSON.stringify(g.state())));
  assert.equal(h.state(), g.state());
  assert.throws(() => h.restore({ first: 'x' } as never), /invalid saved state/);
});

test('every optimizer: a far too large learning rate stops fit with TrainingDivergedError', async () => {
  const data = plantedLowRank(40, 30, 2, 3000, 5);
  for (const [name, lr] of [['adam', 1e6], ['adagrad', 1e6], ['sgd', 50]] as const) {
    sg.setSeed(1);
    const model = new sg.models.MatrixFactorization({ numUsers: 40, numItems: 30, dim: 4, biases: true });
    try {
      await sg.train.fit(model, batches(data.train, 100, 1), { epochs: 3, optimizer: { name, lr }, ...quiet });
      assert.unreachable(`${name} lr ${lr} should have diverged`);
    } catch (e) {
      assert.instance(e, sg.train.TrainingDivergedError, `${name}: ${(e as Error).message}`);
      assert.match((e as Error).message, /at epoch 0, batch \d+/);
      assert.match((e as Error).message, /lower the learning rate \(now/);
    }
  }
});

test('Adam with lr 1e6 (issue: Validation-rmse 1.7e13, exit 0) stops in the first epoch, before its step', async () => {
  const data = plantedLowRank(40, 30, 2, 3000, 6);
  sg.setSeed(2);
  const model = new sg.models.MatrixFactorization({ numUsers: 40, numItems: 30, dim: 4 });
  const msg = await sg.train.fit(model, batches(data.train, 100, 1), { epochs: 2, optimizer: { name: 'adam', lr: 1e6 }, ...quiet })
    .then(() => '', (e: Error) => e.message);
  assert.match(msg, /fit: the loss exploded: .* at epoch 0, batch \d+ \(that step was not applied\); lower the learning rate \(now 1000000\)/);
});

test('ordinary training never trips it; divergence: false turns it off', async () => {
  const data = plantedLowRank(60, 40, 3, 6000, 7);
  for (const name of ['adam', 'sgd', 'adagrad'] as const) {
    sg.setSeed(3);
    const model = new sg.models.MatrixFactorization({ numUsers: 60, numItems: 40, dim: 6, biases: true });
    const h = await sg.train.fit(model, batches(data.train, 200, 2), { epochs: 8, optimizer: { name, lr: name === 'sgd' ? 0.05 : 0.05 }, ...quiet });
    assert.is(h.epochs.length, 8, name);
  }
  sg.setSeed(1);
  const model = new sg.models.MatrixFactorization({ numUsers: 60, numItems: 40, dim: 4 });
  // with the guard off, Adam at 1e6 runs to the end with a huge but finite loss (what the issue saw)
  const h = await sg.train.fit(model, batches(data.train, 200, 2), { epochs: 1, optimizer: { name: 'adam', lr: 1e6 }, divergence: false, ...quiet })
    .catch((e: Error) => e);
  if (!(h instanceof Error)) assert.ok(h.epochs[0].values.loss > 1e6);
  else assert.match(h.message, /loss became/);
});

test.run();
