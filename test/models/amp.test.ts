/** Dynamic loss scaling and mixed-precision training. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { batches, plantedLowRank } from '../helpers/data.js';
import { planted } from './planted.js';
import { heldOutUsers } from '../../datasets/heldout.js';

test('LossScaler skips a step with an injected inf gradient, halves the scale, then recovers', () => {
  const w = sg.variable(sg.ones([3]));
  const opt = new sg.optim.SGD([w], { lr: 0.1 });
  const scaler = new sg.optim.LossScaler({ initScale: 1024, growthInterval: 3 });
  // an inf gradient: the step must be skipped and w left alone
  w.grad = sg.keep(sg.tensor([1, Infinity, 1]));
  assert.is(scaler.step(opt), false);
  assert.equal(Array.from(w.dataSync()), [1, 1, 1]);
  assert.is(scaler.scale, 512);
  assert.is(scaler.skipped, 1);
  assert.is(w.grad, null);
  // finite, scaled gradients: unscaled before the step
  for (let i = 0; i < 3; i++) {
    w.grad = sg.keep(sg.tensor([512, 512, 512]));
    assert.is(scaler.step(opt), true);
  }
  assert.ok(Math.abs(w.dataSync()[0] - (1 - 0.3)) < 1e-6);
  assert.is(scaler.scale, 1024); // three clean steps: doubled back
  assert.match(scaler.report(), /loss scale 1024, skipped 1 of 4 steps/);
  // NaN counts as overflow too
  w.grad = sg.keep(sg.tensor([NaN, 0, 0]));
  assert.is(scaler.step(opt), false);
});

test('AMP: forward in float16, float32 master weights, gradients reach the masters', () => {
  const model = new sg.models.MatrixFactorization({ numUsers: 10, numItems: 10, dim: 4, seed: 1 });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.01 });
  const amp = new sg.optim.MixedPrecision(model, opt);
  const batch = { inputs: { user: Int32Array.from([1, 2]), item: Int32Array.from([3, 4]) }, label: Float32Array.from([1, 2]) };
  let sawHalf = false;
  const pred = sg.nn.autocast('float16', () => {
    const u = model.user.forward(batch.inputs.user);
    sawHalf = u.dtype === 'float16';
    return model.forwardBatch(batch);
  });
  assert.ok(sawHalf);
  assert.is(pred.dtype, 'float16');
  assert.is(model.user.weight.dtype, 'float32');
  const before = model.user.weight.dataSync().slice();
  // with a loss of ~2.5 the initial scale 2^15 overflows float16 (65504) in the gradient:
  // the scaler must skip and halve until a step goes through
  let stepped = false;
  for (let i = 0; i < 6 && !stepped; i++) {
    const { loss, pred } = sg.nn.autocast('float16', () => model.trainingStep(batch));
    assert.is(loss.dtype, 'float32');
    assert.is(pred.dtype, 'float32', 'the loss reads float32 predictions');
    stepped = amp.backwardAndStep(loss);
  }
  assert.ok(stepped);
  assert.ok(amp.scaler.skipped >= 1 && amp.scaler.scale < 2 ** 15);
  const after = model.user.weight.dataSync();
  assert.not.equal(Array.from(after.slice(4, 12)), Array.from(before.slice(4, 12))); // users 1, 2 moved
  assert.equal(Array.from(after.slice(0, 4)), Array.from(before.slice(0, 4))); // user 0 did not
});

test('AMP training of MF reaches the float32 validation RMSE within 1%', async () => {
  const data = plantedLowRank(200, 150, 4, 24000, 7, 0.1);
  const run = async (amp: boolean) => {
    sg.setSeed(11);
    const model = new sg.models.MatrixFactorization({ numUsers: 200, numItems: 150, dim: 8, initStd: 0.1 });
    const h = await sg.train.fit(model, batches(data.train, 500, 1), {
      epochs: 12, optimizer: { name: 'adam', lr: 0.02 }, evalData: batches(data.valid, 2000), verbose: false, amp,
    });
    return h.epochs[h.epochs.length - 1].values['val-rmse'];
  };
  const fp32 = await run(false);
  const mixed = await run(true);
  assert.ok(fp32 < data.std * 0.5, `float32 model learned (rmse ${fp32}, data std ${data.std})`);
  assert.ok(Math.abs(mixed - fp32) / fp32 < 0.01, `AMP rmse ${mixed} vs float32 ${fp32}`);
});

test('AMP training of Mult-VAE reaches the float32 validation NDCG@100 within 1%', async () => {
  const data = planted({ users: 500, items: 300, seed: 1 });
  const split = heldOutUsers(data, { heldOutUsers: 60, seed: 1 });
  const ev = { k: [100], metrics: ['ndcg'] as sg.train.RankingMetricName[] };
  const run = async (amp: boolean) => {
    sg.setSeed(3);
    const model = new sg.models.MultVAE({ numItems: split.numItems, hidden: [64], latent: 16, totalAnnealSteps: 100 });
    const h = await sg.train.fitRows(model, split.train, {
      epochs: 8, batchSize: 50, optimizer: { name: 'adam', lr: 3e-3 }, evalSplit: split.valid, evalOptions: ev, verbose: false, progress: false, amp,
    });
    return h.epochs.at(-1)!.values['val-ndcg@100'];
  };
  const fp32 = await run(false);
  const mixed = await run(true);
  const pop = sg.train.evaluateRanking(sg.train.PopularityScorer.fromMatrix(split.train), split.valid, ev).metrics['ndcg@100'];
  assert.ok(fp32 > 1.3 * pop, `float32 VAE learned (ndcg@100 ${fp32} vs popularity ${pop})`);
  assert.ok(Math.abs(mixed - fp32) / fp32 < 0.01, `AMP ndcg@100 ${mixed} vs float32 ${fp32}`);
  if (process.env.SG_VERBOSE) console.log({ fp32, mixed, pop });
});

test.run();
