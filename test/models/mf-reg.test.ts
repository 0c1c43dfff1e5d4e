/** MF's Funk-SVD regulariser: the loss it adds, its row-sparse gradient, and what it buys on noisy data. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { batches, plantedLowRank } from '../helpers/data.js';

test('reg adds λ·mean(‖p_u‖² + ‖q_i‖² + b_u² + b_i²) to the MSE, and its gradient touches only the batch\'s rows', () => {
  const model = new sg.models.MatrixFactorization({ numUsers: 6, numItems: 5, dim: 3, biases: true, reg: 0.3, initStd: 0.5, seed: 2 });
  model.userBias!.backend.overwrite(model.userBias!.dataId, Float32Array.of(0.1, -0.2, 0.3, 0.4, -0.5, 0.6));
  model.itemBias!.backend.overwrite(model.itemBias!.dataId, Float32Array.of(0.2, 0.1, -0.1, 0.3, 0.05));
  const users = Int32Array.of(0, 2, 2);
  const items = Int32Array.of(1, 1, 3);
  const label = Float32Array.of(1, 2, 0.5);
  const batch = { inputs: { user: users, item: items }, label };
  const P = model.user.weight.dataSync();
  const Q = model.item.weight.dataSync();
  const bu = model.userBias!.dataSync();
  const bi = model.itemBias!.dataSync();
  const { pred, loss } = model.trainingStep(batch);
  const p = pred.dataSync();
  let mse = 0;
  let pen = 0;
  for (let k = 0; k < 3; k++) {
    mse += (p[k] - label[k]) ** 2 / 3;
    let s = bu[users[k]] ** 2 + bi[items[k]] ** 2;
    for (let t = 0; t < 3; t++) s += P[users[k] * 3 + t] ** 2 + Q[items[k] * 3 + t] ** 2;
    pen += s / 3;
  }
  assert.ok(Math.abs(loss.item() - (mse + 0.3 * pen)) < 1e-5, `loss ${loss.item()} vs ${mse + 0.3 * pen}`);
  loss.backward();
  const g = model.user.weight.grad as sg.RowSparse;
  assert.ok(g instanceof sg.RowSparse, 'the factor gradient stays row-sparse');
  assert.equal(Array.from(g.indices), [0, 2]);
  assert.equal(Array.from((model.item.weight.grad as sg.RowSparse).indices), [1, 3]);
  assert.throws(() => new sg.models.MatrixFactorization({ numUsers: 2, numItems: 2, reg: -1 }), /reg must be a number ≥ 0/);
});

test('on noisy low-rank data, a regularised MF generalises better than an unregularised one', async () => {
  // few ratings per user, much noise, more factors than the truth: the unregularised model overfits
  const data = plantedLowRank(200, 150, 3, 6000, 7, 0.8);
  const run = async (reg: number) => {
    sg.setSeed(3);
    const model = new sg.models.MatrixFactorization({ numUsers: 200, numItems: 150, dim: 16, biases: true, initStd: 0.1, reg });
    const h = await sg.train.fit(model, batches(data.train, 200, 1), { epochs: 25, optimizer: { name: 'adam', lr: 0.01 }, evalData: batches(data.valid, 2000), verbose: false });
    return Math.min(...h.epochs.map((e) => e.values['val-rmse']));
  };
  const plain = await run(0);
  const reg = await run(0.1);
  assert.ok(reg < plain * 0.95, `best validation RMSE with reg ${reg} vs without ${plain}`);
});

test('MatrixFactorization.forRatings: biases on, the global bias starting at the data\'s mean, defaults overridable', () => {
  const m = sg.models.MatrixFactorization.forRatings({ numUsers: 3, numItems: 2, ratings: Float32Array.of(1, 2, 3, 6) }, { dim: 4 });
  assert.is(m.config.biases, true);
  assert.is(m.config.dim, 4);
  assert.is(m.config.reg, sg.models.MF_RATING_DEFAULTS.reg);
  assert.ok(Math.abs(m.globalBias!.item() - 3) < 1e-6);
});

test.run();
