/** The MovieLens example runs all six of the seed's experiments and reports validation RMSE per epoch. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runMovieLens } from '../../examples/movielens.js';

test('movielens example on the tiny built-in set: six experiments, RMSE per epoch, accuracy for classification', async () => {
  const lines: string[] = [];
  const results = await runMovieLens({ scale: 'tiny', epochs: 2, batchSize: 2000, lr: 0.005, log: (l) => lines.push(l) });
  assert.equal(results.map((r) => r.experiment), ['mf', 'deepmf', 'deepmf-bn', 'deepmf-class', 'deepmf-asym', 'deepmf-genre']);
  for (const r of results) {
    assert.is(r.valRmse.length, 2, r.experiment);
    for (const v of r.valRmse) assert.ok(Number.isFinite(v) && v > 0 && v < 5, `${r.experiment}: ${r.valRmse}`);
  }
  const cls = results.find((r) => r.experiment === 'deepmf-class')!;
  assert.ok(cls.valAccuracy!.every((a) => a > 0 && a < 1), `accuracy ${cls.valAccuracy}`);
  // the deep models learn something on the built-in set in two epochs (it has a low-rank taste model)
  const deep = results.find((r) => r.experiment === 'deepmf')!;
  assert.ok(deep.valRmse[1] < 1.05, `deepmf ${deep.valRmse}`);
  assert.ok(lines.some((l) => /^Epoch\[1\] Validation-rmse=/.test(l)));
  assert.ok(lines.some((l) => /^Epoch\[1\] Validation-accuracy=/.test(l)));
  assert.ok(lines.some((l) => /^\| deepmf-genre \| [\d.]+ → [\d.]+ \| [\d.]+ \|$/.test(l)), 'summary table row');
});

test.run();
