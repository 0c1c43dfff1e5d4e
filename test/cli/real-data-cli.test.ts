/**
 * The real-data workflow end to end on a generated ml-100k-style directory (u1.base,
 * u1.test, u.item; ratings from a planted low-rank taste model): train with defaults and
 * --test, the best epoch kept, eval / predict / info --model, --format json, a ranking
 * model (EASE) scored by Recall/NDCG.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { writeMl100kFixture } from '../helpers/ml100k-fixture.js';

const cli = resolve('dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'sg-realdata-'));
const data = join(dir, 'ml-100k');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, SPARSEGRAD_THREADS: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

writeMl100kFixture(data);
const mf = join(dir, 'mf.sgm');

test('train --data u1.base --test u1.test: defaults, the best epoch kept in the file, the test RMSE', () => {
  const r = run('train', '--data', join(data, 'u1.base'), '--test', join(data, 'u1.test'), '--epochs', '30', '--out', mf);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Model: mf \([\d,]+ parameters; lr 0\.002, batch 500, dim 100, reg 0\.07, biases true/);
  const vals = [...r.out.matchAll(/Epoch\[(\d+)\] Validation-rmse=([\d.]+)/g)].map((m) => Number(m[2]));
  const kept = r.out.match(/Kept epoch (\d+) of (\d+) \(Validation-rmse=([\d.]+)\)/);
  assert.ok(kept, r.out);
  const best = Number(kept![1]);
  assert.is(vals.indexOf(Math.min(...vals)), best, 'the kept epoch has the lowest validation RMSE');
  // the file was written at each new best only, and never after a worse epoch
  const saves = [...r.out.matchAll(/Epoch\[(\d+)\] Saved /g)].map((m) => Number(m[1]));
  assert.is(saves.at(-1), best);
  for (const e of saves) assert.ok(vals[e] <= Math.min(...vals.slice(0, e + 1)), `epoch ${e} saved while not the best so far`);
  const testRmse = Number(r.out.match(/Test-rmse=([\d.]+) Test-mae=([\d.]+) on [\d,]+ ratings/)![1]);
  assert.ok(testRmse < 0.85, `test RMSE ${testRmse} on planted data`);
  // eval reads the same file and gets the same number
  const e = run('eval', '--model', mf, '--data', join(data, 'u1.test'), '--format', 'json');
  assert.is(e.code, 0, e.err);
  const j = JSON.parse(e.out);
  assert.is(j.kind, 'rating');
  assert.ok(Math.abs(j.rmse - testRmse) < 1e-5, `eval ${j.rmse} vs train --test ${testRmse}`);
  const info = run('info', '--model', mf, '--output', 'json');
  assert.is(JSON.parse(info.out).meta.epoch, best, 'the checkpoint says which epoch it holds');
});

test('train --model svdpp: the settings printed, the test RMSE, and eval / recommend from the checkpoint (histories included) agree', () => {
  const svdpp = join(dir, 'svdpp.sgm');
  const r = run('train', '--model', 'svdpp', '--data', join(data, 'u1.base'), '--test', join(data, 'u1.test'), '--epochs', '8', '--out', svdpp);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Model: svdpp \([\d,]+ parameters; lr 0\.001, batch 500, dim 25, reg 0\.07, implicit reg 0\.01, biases true/);
  const testRmse = Number(r.out.match(/Test-rmse=([\d.]+) Test-mae=([\d.]+) on [\d,]+ ratings/)![1]);
  const e = run('eval', '--model', svdpp, '--data', join(data, 'u1.test'), '--format', 'json');
  assert.is(e.code, 0, e.err);
  assert.ok(Math.abs(JSON.parse(e.out).rmse - testRmse) < 1e-5, `eval ${JSON.parse(e.out).rmse} vs train --test ${testRmse}`);
  const rec = run('recommend', '--model', svdpp, '--user', '3', '-k', '4', '--format', 'json');
  assert.is(rec.code, 0, rec.err);
  for (const it of JSON.parse(rec.out).items) assert.ok(it.score >= 1 && it.score <= 5, JSON.stringify(it));
});

test('recommend / similar --format json (scores on the rating scale), predict for all users or a list, info --ids', () => {
  let r = run('recommend', '--model', mf, '--user', '3', '-k', '4', '--format', 'json');
  assert.is(r.code, 0, r.err);
  const rec = JSON.parse(r.out);
  assert.is(rec.items.length, 4);
  for (const it of rec.items) assert.ok(it.score >= 1 && it.score <= 5 && /^Movie \d+/.test(it.title), JSON.stringify(it));
  r = run('similar', '--model', mf, '--item', '101', '-k', '3', '--format', 'json');
  assert.is(r.code, 0, r.err);
  assert.is(JSON.parse(r.out).items.length, 3);

  const tsv = join(dir, 'recs.tsv');
  r = run('predict', '--model', mf, '-k', '5', '--out', tsv);
  assert.is(r.code, 0, r.err);
  const lines = readFileSync(tsv, 'utf8').trim().split('\n');
  assert.is(lines[0], 'user\trank\titem\tscore');
  assert.is(lines.length - 1, 120 * 5);
  // nothing a user rated in training comes back
  const rated = new Set(readFileSync(join(data, 'u1.base'), 'utf8').trim().split('\n').map((l) => l.split('\t').slice(0, 2).join(':')));
  for (const l of lines.slice(1)) {
    const [u, rank, item, score] = l.split('\t');
    assert.not.ok(rated.has(`${u}:${item}`), `user ${u} was recommended rated item ${item}`);
    assert.ok(Number(rank) >= 1 && Number(rank) <= 5 && Number(score) <= 5 && Number(score) >= 1);
  }
  const ids = join(dir, 'users.txt');
  writeFileSync(ids, '# two users\n7\n\n12\n');
  const js = join(dir, 'recs.json');
  r = run('predict', '--model', mf, '-k', '2', '--users', ids, '--format', 'json', '--out', js);
  assert.is(r.code, 0, r.err);
  assert.equal(JSON.parse(readFileSync(js, 'utf8')).map((x: { user: number }) => x.user), [7, 12]);
  writeFileSync(ids, '7\n9999\n');
  r = run('predict', '--model', mf, '--users', ids, '--out', js);
  assert.is(r.code, 1);
  assert.match(r.err, /users\.txt:2: user id 9999 is not in the model/);

  r = run('info', '--model', mf);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /MatrixFactorization, [\d,]+ weights, 120 users × \d+ items/);
  assert.match(r.out, /kept epoch \d+/);
  r = run('info', '--model', mf, '--ids', 'items');
  assert.match(r.out.split('\n')[0], /^101\s+Movie 101 \(1950\)$/);
});

test('a ranking model: train --model ease, Recall/NDCG from train --test and eval; options a model does not read are refused', () => {
  const ease = join(dir, 'ease.sgm');
  let r = run('train', '--model', 'ease', '--data', join(data, 'u1.base'), '--test', join(data, 'u1.test'), '--out', ease);
  assert.is(r.code, 0, r.err);
  const ndcg = Number(r.out.match(/Test recall@20=[\d.]+ .*ndcg@100=([\d.]+) on \d+ users/)![1]);
  const e = run('eval', '--model', ease, '--data', join(data, 'u1.test'), '-k', '10,100', '--format', 'json');
  assert.is(e.code, 0, e.err);
  const j = JSON.parse(e.out);
  assert.is(j.kind, 'ranking');
  assert.is(j.threshold, 4);
  assert.ok(Math.abs(j.metrics['ndcg@100'] - ndcg) < 1e-4);
  assert.ok(j.metrics['recall@10'] > 0);
  // a reloaded EASE serves users from the saved rows and never returns what they rated
  const rec = JSON.parse(run('recommend', '--model', ease, '--user', '5', '-k', '10', '--format', 'json').out);
  const rated = new Set(readFileSync(join(data, 'u1.base'), 'utf8').trim().split('\n').filter((l) => l.startsWith('5\t')).map((l) => Number(l.split('\t')[1])));
  for (const it of rec.items) assert.not.ok(rated.has(it.item));
  r = run('train', '--model', 'ease', '--reg', '0.1', '--data', join(data, 'u1.base'), '--out', ease);
  assert.is(r.code, 2);
  assert.match(r.err, /--reg applies to --model mf\/svdpp, not ease/);
  r = run('train', '--model', 'mf', '--implicit-reg', '0.1', '--data', join(data, 'u1.base'), '--out', ease);
  assert.is(r.code, 2);
  assert.match(r.err, /--implicit-reg applies to --model svdpp, not mf/);
  r = run('train', '--model', 'ease', '--ema', '0.9', '--data', join(data, 'u1.base'), '--out', ease);
  assert.is(r.code, 2);
  assert.match(r.err, /--ema applies to --model vae\/dae, not ease/);
  r = run('train', '--model', 'vae', '--ema', '1', '--data', join(data, 'u1.base'), '--out', ease);
  assert.is(r.code, 2);
  assert.match(r.err, /--ema must be in \[0, 1\)/);
});

test.run();
