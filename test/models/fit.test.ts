/** fit's loss option, predict, the streaming metrics and the progress bar (TTY vs plain lines). */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { ProgressBar } from '../../models/train/progress.js';
import { batches, plantedLowRank } from '../helpers/data.js';

const quiet = { verbose: false } as const;

test('fit: loss defaults to the model\'s; "mse" and a function replace it; an unknown name lists the valid ones', async () => {
  const data = plantedLowRank(30, 20, 2, 600, 3);
  const run = async (loss?: sg.train.FitOptions['loss']) => {
    sg.setSeed(4);
    const model = new sg.models.MatrixFactorization({ numUsers: 30, numItems: 20, dim: 3 });
    const h = await sg.train.fit(model, batches(data.train, 100), { epochs: 2, optimizer: 'adam', loss, ...quiet });
    return h.epochs.map((e) => e.values.loss);
  };
  const byModel = await run();
  assert.equal(await run('mse'), byModel);
  let calls = 0;
  // half the squared error: half the reported loss, and a different trajectory
  const half = await run((pred, batch) => {
    calls++;
    return sg.mul(sg.mse(pred, sg.tensor(batch.label as Float32Array, [pred.size])), 0.5);
  });
  assert.is(calls, 2 * Math.ceil(data.train.ratings.length / 100), 'called once per batch of each epoch');
  assert.ok(Math.abs(half[0] - byModel[0] / 2) < 0.05 * byModel[0], `${half} vs ${byModel}`);
  const model = new sg.models.MatrixFactorization({ numUsers: 30, numItems: 20, dim: 3 });
  try {
    await sg.train.fit(model, batches(data.train, 100), { loss: 'hinge' as 'mse', ...quiet });
    assert.unreachable('unknown loss accepted');
  } catch (e) {
    assert.match((e as Error).message, /unknown loss 'hinge' \(valid: mse/);
  }
});

test('predict: one value per real row, in order, in eval mode (and the mode restored)', async () => {
  const data = plantedLowRank(20, 15, 2, 250, 5);
  sg.setSeed(6);
  const model = new sg.models.MatrixFactorization({ numUsers: 20, numItems: 15, dim: 3, biases: true });
  const p = await sg.train.predict(model, batches(data.valid, 7));
  assert.is(p.length, data.valid.ratings.length);
  const direct = model.predictPairs(data.valid.users, data.valid.items).dataSync();
  for (let i = 0; i < p.length; i++) assert.ok(Math.abs(p[i] - direct[i]) < 1e-6, `row ${i}`);
  assert.ok(model.training, 'back in training mode');
  const dmf = new sg.models.DeepMF({ numUsers: 20, numItems: 15, batchNorm: true });
  dmf.eval();
  const q = await sg.train.predict(dmf, batches(data.valid, 7));
  assert.ok(!dmf.training, 'eval mode kept');
  assert.is(q.length, data.valid.ratings.length);
});

test('metrics: mse, rmse, accuracy; classification reports accuracy and argmax-class RMSE', async () => {
  assert.is(sg.metrics.mse([1, 2, 3], [1, 2, 5]), 4 / 3);
  assert.is(sg.metrics.rmse([1, 2, 3], [1, 2, 5]), Math.sqrt(4 / 3));
  assert.is(sg.metrics.accuracy([1, 2.5, 3], [1, 2, 3]), 2 / 3);
  assert.throws(() => sg.metrics.mse([1], [1, 2]), /1 predictions but 2 labels/);
  const data = plantedLowRank(20, 15, 2, 400, 7);
  const labels = Float32Array.from(data.valid.ratings, (r) => Math.min(5, Math.max(0.5, Math.round(r * 2) / 2)));
  const valid = { ...data.valid, ratings: labels };
  sg.setSeed(8);
  const model = new sg.models.DeepMF({ numUsers: 20, numItems: 15, output: 'classification', classes: 10 });
  const got = await sg.train.evaluate(model, batches(valid, 50), ['accuracy', 'rmse']);
  const p = await sg.train.predict(model, batches(valid, 50));
  for (const v of p) assert.ok(v >= 0.5 && v <= 5 && (v * 2) % 1 === 0, `argmax class → half-star rating, got ${v}`);
  assert.ok(Math.abs(got.accuracy - sg.metrics.accuracy(p, labels)) < 1e-12);
  assert.ok(Math.abs(got.rmse - sg.metrics.rmse(p, labels)) < 1e-6);
  assert.throws(() => sg.metrics.accuracy([], []), /no predictions/);
  try {
    await sg.train.evaluate(model, batches(valid, 50), ['auc@7']);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /unknown metric 'auc@7' \(valid: mse, rmse, mae, accuracy\)/);
  }
});

test('progress bar: redrawn in place on a TTY, silent otherwise; fit logs plain lines either way', async () => {
  const writes: string[] = [];
  const tty = { isTTY: true, write: (s: string) => { writes.push(s); return true; } } as unknown as NodeJS.WriteStream;
  const bar = new ProgressBar(tty);
  bar.start('Epoch[0]', 10, 0);
  for (let b = 1; b <= 5; b++) bar.step(100, () => ({ loss: 0.5 }), 200 * b);
  bar.clear();
  assert.match(writes[0], /^\rEpoch\[0\]\s+1\/10 \[=*>\.+\]  loss 0\.5\x1b\[K$/);
  assert.is(writes[writes.length - 1], '\r\x1b[K');
  const plain: string[] = [];
  const pipe = { isTTY: false, write: (s: string) => { plain.push(s); return true; } } as unknown as NodeJS.WriteStream;
  const quietBar = new ProgressBar(pipe);
  quietBar.start('Epoch[0]', 10, 0);
  quietBar.step(5, () => ({}), 10);
  quietBar.clear();
  quietBar.finish(20);
  assert.equal(plain, []);
  // under the test runner stderr is not a TTY: fit still logs every line, with no \r in them
  const data = plantedLowRank(10, 10, 2, 300, 9);
  const lines: string[] = [];
  await sg.train.fit(new sg.models.MatrixFactorization({ numUsers: 10, numItems: 10, dim: 2 }), batches(data.train, 50), {
    epochs: 1, batchEndEvery: 2, log: (l) => lines.push(l),
  });
  assert.ok(lines.filter((l) => /^Epoch\[0\] Batch \[\d+\] Speed: /.test(l)).length >= 2, lines.join('\n'));
  assert.ok(lines.every((l) => !l.includes('\r')));
});

test.run();
