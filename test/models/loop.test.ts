/**
 * The loop fit and fitRows share (models/train/loop.ts): each is exactly "for every batch:
 * trainingStep, backward, optimizer step, afterUpdate" — the same losses and weights, bit for bit, as
 * that loop written out by hand — plus reporting; keepBest restores the best epoch.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { batches, plantedLowRank } from '../helpers/data.js';
import { planted } from './planted.js';
import type { Batch, Trainable } from '../../models/train/types.js';

const quiet = { verbose: false, progress: false } as const;

/** The training loop with nothing else: mean batch loss per epoch. */
function byHand(model: Trainable, epochBatches: () => Iterable<Batch>, opt: sg.optim.Optimizer, epochs: number): number[] {
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    model.train();
    let sum = 0;
    let n = 0;
    for (const batch of epochBatches()) {
      sum += sg.tidy(() => {
        const { loss, afterUpdate } = model.trainingStep(batch);
        loss.backward();
        opt.step();
        opt.zeroGrad();
        afterUpdate?.();
        return loss.item();
      });
      n++;
    }
    losses.push(sum / n);
  }
  return losses;
}

const weights = (m: Trainable) => [...m.stateDict()].map(([k, t]) => [k, Array.from(t.dataSync())]);

test('fit is the plain loop: same losses and weights as forward/loss/backward/step by hand', async () => {
  const data = plantedLowRank(30, 20, 2, 600, 3);
  const make = () => { sg.setSeed(4); return new sg.models.DeepMF({ numUsers: 30, numItems: 20, hidden: [8], batchNorm: true }); };
  const a = make();
  const h = await sg.train.fit(a, batches(data.train, 100, 1), { epochs: 3, optimizer: { name: 'adam', lr: 0.01 }, ...quiet });
  const b = make();
  const opt = new sg.optim.Adam(b.parameters(), { lr: 0.01 });
  const it = batches(data.train, 100, 1);
  assert.equal(h.epochs.map((e) => e.values.loss), byHand(b, () => it, opt, 3));
  assert.equal(weights(a), weights(b));
  assert.is(h.bestEpoch, 2, 'without keepBest the model holds the last epoch');
});

test('fitRows is the same loop over CSR row batches', async () => {
  const m = planted({ users: 90, items: 40, seed: 3 }).matrix;
  const rows = [0, 30, 60].map((a) => ({ inputs: { rows: m.sliceRows(a, a + 30) }, size: 30 }));
  const make = () => { sg.setSeed(5); return new sg.models.MultVAE({ numItems: 40, hidden: [8], latent: 4, totalAnnealSteps: 4 }); };
  const a = make();
  const h = await sg.train.fitRows(a, rows, { epochs: 2, ...quiet });
  const b = make();
  const losses = byHand(b, () => rows, new sg.optim.Adam(b.parameters(), { lr: 1e-3 }), 2);
  assert.equal(h.epochs.map((e) => e.values.loss), losses);
  assert.equal(weights(a), weights(b));
});

test('fit keepBest: the weights of the best validation epoch come back, and the log says so', async () => {
  const data = plantedLowRank(30, 20, 2, 600, 3);
  sg.setSeed(6);
  // 16 factors for 30×20 ratings: it overfits, and validation gets worse after a few epochs
  const model = new sg.models.MatrixFactorization({ numUsers: 30, numItems: 20, dim: 16, initStd: 0.3 });
  const saved: unknown[] = [];
  const lines: string[] = [];
  const h = await sg.train.fit(model, batches(data.train, 50, 1), {
    epochs: 8, optimizer: { name: 'adam', lr: 0.1 }, evalData: batches(data.valid, 100), keepBest: 'rmse', log: (l) => lines.push(l), progress: false,
    callbacks: [{ onEpochEnd: () => { saved.push(weights(model)); } }],
  });
  const val = h.epochs.map((e) => e.values['val-rmse']);
  const best = val.indexOf(Math.min(...val));
  assert.ok(best < val.length - 1, `validation should get worse late in this run: ${val}`);
  assert.is(h.bestEpoch, best);
  assert.equal(weights(model), saved[best]);
  assert.ok(lines.some((l) => l === `fit: restored the weights of epoch ${best} (rmse=${val[best].toFixed(6)})`), lines.join('\n'));
  const failure = await sg.train.fit(model, batches(data.train, 50), { keepBest: 'rmse', ...quiet }).then(() => '', (e: Error) => e.message);
  assert.match(failure, /fit: keepBest 'rmse' needs evalData/);
});

test.run();
