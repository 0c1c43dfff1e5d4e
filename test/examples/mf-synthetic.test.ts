/** The main example reproduces the seed's two behaviours, deterministically. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runMfSynthetic } from '../../examples/mf-synthetic.js';

const quiet = { log: () => {} };

test('random matrix: no learning; low-rank: SGD barely moves, Adam halves the validation MSE', async () => {
  const [random, sgd, adam] = await runMfSynthetic(quiet);
  // random data: validation MSE never drops meaningfully below the first epoch's (≈ variance 1)
  assert.ok(Math.min(...random.valMse) > 0.95 * random.valMse[0], `random: ${random.valMse}`);
  assert.ok(random.valMse.at(-1)! > 0.9, `random: ${random.valMse}`);
  // plain SGD: under 1% change in 5 epochs
  assert.ok(Math.abs(sgd.valMse.at(-1)! - sgd.valMse[0]) / sgd.valMse[0] < 0.01, `sgd: ${sgd.valMse}`);
  // Adam: below half its first value
  assert.ok(adam.valMse.at(-1)! < 0.5 * adam.valMse[0], `adam: ${adam.valMse}`);
});

test('same seed → bit-identical losses for two runs of the MF example', async () => {
  const a = await runMfSynthetic({ ...quiet, epochs: 2, seed: 3 });
  const b = await runMfSynthetic({ ...quiet, epochs: 2, seed: 3 });
  assert.equal(a.map((r) => r.trainLoss), b.map((r) => r.trainLoss));
  assert.equal(a.map((r) => r.valMse), b.map((r) => r.valMse));
  const c = await runMfSynthetic({ ...quiet, epochs: 2, seed: 4 });
  assert.not.equal(a[2].trainLoss, c[2].trainLoss);
});

test.run();
