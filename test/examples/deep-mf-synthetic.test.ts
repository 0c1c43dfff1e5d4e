import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runDeepMfSynthetic } from '../../examples/deep-mf-synthetic.js';

test('DeepMF: no learning on random data, clear learning on the low-rank matrix', async () => {
  const [random, low] = await runDeepMfSynthetic({ log: () => {}, epochs: 6 });
  assert.ok(Math.min(...random.valMse) > 0.95 * random.valMse[0], `random: ${random.valMse}`);
  assert.ok(low.valMse.at(-1)! < 0.85 * low.valMse[0], `low-rank: ${low.valMse}`);
});

test.run();
