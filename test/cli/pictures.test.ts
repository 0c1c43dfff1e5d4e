/** `sparsegrad map` and `sparsegrad plot` end to end: spawned, their files written, their scores printed. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const cli = resolve('dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'sg-pictures-'));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, SPARSEGRAD_THREADS: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('train --log-file → plot; map: a t-SNE map of a trained model, coloured by genre, with its neighbourhood-preservation score', () => {
  const t = run('train', '--scale', 'tiny', '--epochs', '2', '--biases', '--out', 'm.sgm', '--log-file', 'train.jsonl');
  assert.is(t.code, 0, t.err);
  // the metrics log: one line per logged batch (4 per epoch) and per epoch, and plot reads it
  const log = readFileSync(join(dir, 'train.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.is(log.filter((r) => r.type === 'epoch').length, 2);
  assert.ok(log.filter((r) => r.type === 'batch').length >= 6);
  assert.ok(Number.isFinite(log.find((r) => r.type === 'epoch').values['val-rmse']));
  const p = run('plot', 'train.jsonl', '--out', 'train.svg');
  assert.is(p.code, 0, p.err);
  assert.match(readFileSync(join(dir, 'train.svg'), 'utf8'), /validation/);
  const r = run('map', '--model', 'm.sgm', '--items', '300', '--iterations', '300', '--out', 'map.svg');
  assert.is(r.code, 0, r.err);
  const m = /t-SNE ([\d.]+), PCA ([\d.]+), random ([\d.]+)/.exec(r.out);
  assert.ok(m, r.out);
  assert.ok(Number(m![1]) > 5 * Number(m![3]), `the map keeps neighbourhoods far better than random: ${m![0]}`);
  assert.match(r.out, /Same first genre among the 10 nearest: in the embedding [\d.]+, on the map [\d.]+, by chance [\d.]+/);
  const svg = readFileSync(join(dir, 'map.svg'), 'utf8');
  assert.match(svg, /^<svg xmlns/);
  assert.match(svg, /first genre/);
  assert.ok((svg.match(/<circle /g) ?? []).length >= 300);
});

test('plot: training curves from a metrics log; a bad line names the file and line', () => {
  const log = [
    { type: 'batch', epoch: 0, batch: 5, batches: 10, values: { rmse: 1.5 } },
    { type: 'epoch', epoch: 0, values: { loss: 2, 'train-rmse': 1.4, 'val-rmse': 1.2 } },
    { type: 'epoch', epoch: 1, values: { loss: 1, 'train-rmse': 1.0, 'val-rmse': 1.1 } },
  ].map((r) => JSON.stringify(r)).join('\n');
  writeFileSync(join(dir, 'metrics.jsonl'), `${log}\n`);
  const r = run('plot', 'metrics.jsonl');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Wrote metrics\.svg: loss, rmse over 2 epoch/);
  assert.ok(existsSync(join(dir, 'metrics.svg')));
  writeFileSync(join(dir, 'bad.jsonl'), `${log}\n{"type": "epoch", oops}\n`);
  const bad = run('plot', 'bad.jsonl');
  assert.is(bad.code, 1);
  assert.match(bad.err, /bad\.jsonl:4: not JSON/);
  const none = run('plot');
  assert.is(none.code, 2);
  assert.match(none.err, /plot: needs <log>/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
