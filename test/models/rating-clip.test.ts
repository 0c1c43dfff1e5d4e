/**
 * Predicted ratings are clipped to the data's rating scale (meta.ratingScale, saved by
 * train): in predictRatings / evaluateRatings and in what recommend and predict print. The
 * model is built so that its raw predictions fall outside 1–5 on both sides.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as sg from '../../index.js';

const scale = { min: 1, max: 5, step: 1 };

/** MF with zero factors: prediction = μ + b_u + b_i, with item 0 far above 5 and item 2 far below 1. */
function outOfScaleModel(): sg.models.MatrixFactorization {
  const m = new sg.models.MatrixFactorization({ numUsers: 2, numItems: 4, dim: 2, biases: true, globalMean: 3, initStd: 0 });
  m.itemBias!.backend.overwrite(m.itemBias!.dataId, Float32Array.of(3.2, 0.5, -2.7, 1.9));
  m.userBias!.backend.overwrite(m.userBias!.dataId, Float32Array.of(0, 0.4));
  m.meta = { ...m.meta, ratingScale: scale, trainMean: 3, userIds: [10, 11], itemIds: [100, 101, 102, 103] };
  return m;
}

test('predictRatings clips to meta.ratingScale (scale: null gives the raw values); evaluateRatings scores the clipped ones', () => {
  const m = outOfScaleModel();
  const users = Int32Array.of(0, 0, 0, 1, 1, -1);
  const items = Int32Array.of(0, 1, 2, 3, 0, 2);
  const raw = sg.models.predictRatings(m, users, items, { scale: null });
  // the unclipped values really leave the scale, so the test can fail
  assert.ok(raw[0] > 6 && raw[2] < 1 && raw[3] > 5, `raw ${Array.from(raw)}`);
  const clipped = sg.models.predictRatings(m, users, items);
  const expected = Array.from(raw, (v) => Math.min(5, Math.max(1, v)));
  for (let e = 0; e < raw.length; e++) assert.ok(Math.abs(clipped[e] - expected[e]) < 1e-6, `row ${e}: ${clipped[e]} vs ${expected[e]}`);
  assert.is(clipped[0], 5);
  assert.is(clipped[2], 1);
  // the unknown user (-1) is predicted from the mean and the item bias, clipped too (3 − 2.7 = 0.3 → 1)
  assert.is(clipped[5], 1);

  const ratings = Float32Array.of(5, 4, 1, 5, 4, 2);
  const test: sg.datasets.AlignedRatings = { users, items, ratings, unknownUsers: 1, unknownItems: 0 };
  const e = sg.models.evaluateRatings(m, test);
  const rmseOf = (p: ArrayLike<number>) => Math.sqrt(Array.from(ratings).reduce((s, r, k) => s + (p[k] - r) ** 2, 0) / ratings.length);
  assert.ok(Math.abs(e.rmse - rmseOf(expected)) < 1e-5, `rmse ${e.rmse} vs ${rmseOf(expected)}`);
  assert.ok(e.rmse < sg.models.evaluateRatings(m, test, { scale: null }).rmse, 'clipping lowered the error');
  assert.is(sg.models.clipRating(7, null), 7);
});

test('recommend and predict print scores on the rating scale (ranked by the raw score)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-clip-'));
  const file = join(dir, 'm.sgm');
  sg.save(outOfScaleModel(), file);
  const run = (...args: string[]) => spawnSync(process.execPath, [resolve('dist/cli.js'), ...args], { encoding: 'utf8', env: { ...process.env, SPARSEGRAD_THREADS: '1' } });
  const r = run('recommend', '--model', file, '--user', '11', '-k', '4', '--format', 'json');
  assert.is(r.status, 0, r.stderr);
  const rec = JSON.parse(r.stdout);
  assert.equal(rec.items.map((x: { item: number }) => x.item), [100, 103, 101, 102], 'ranked by the raw score');
  const scores = rec.items.map((x: { score: number }) => x.score);
  [5, 5, 3.9, 1].forEach((v, r) => assert.ok(Math.abs(scores[r] - v) < 1e-5, `rank ${r + 1}: score ${scores[r]}, expected ${v}`));
  const out = join(dir, 'recs.tsv');
  const p = run('predict', '--model', file, '-k', '2', '--out', out);
  assert.is(p.status, 0, p.stderr);
  const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  assert.is(lines.length, 4);
  for (const [, , , score] of lines) assert.ok(Number(score) <= 5 && Number(score) >= 1, `score ${score}`);
  assert.ok(lines.some(([, , item, score]) => item === '100' && score === '5.0000'), 'the 6.2 prediction is printed as 5');
});

test.run();
