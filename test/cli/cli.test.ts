/** The command line end to end: spawned processes, exit codes and output. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const cli = resolve('dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'sg-cli-'));
const model = join(dir, 'model.sgm');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, SPARSEGRAD_THREADS: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('train on the tiny synthetic set writes a checkpoint and logs like MXNet', () => {
  assert.ok(existsSync(cli), 'dist/cli.js is built (scripts/setup.sh builds it)');
  const r = run('train', '--scale', 'tiny', '--epochs', '2', '--biases', '--batch-size', '500', '--out', model);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /storage: dense .* vs CSR/);
  assert.match(r.out, /Epoch\[0\] Batch \[\d+\] Speed: [\d.]+ samples\/sec rmse=[\d.]+/);
  assert.match(r.out, /Epoch\[1\] Validation-rmse=[\d.]+/);
  assert.ok(existsSync(model));
});

test('recommend shows titles and excludes seen items; similar lists neighbours', () => {
  const r = run('recommend', '--model', model, '--user', '1', '-k', '5');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /Top 5 for user 1 \(\d+ rated items excluded\)/);
  assert.is(r.out.trim().split('\n').filter((l) => /^\s+\d+\. /.test(l)).length, 5);
  const ids = r.out.match(/^\s+\d+\.\s+(\d+)/gm)!;
  assert.is(ids.length, 5);
  // each line: rank, raw id, the title from the checkpoint, score
  // (an MF score is a predicted rating, shown on the data's scale)
  assert.is(r.out.split('\n').filter((l) => /^\s+\d+\.\s+\d+\s+\S.*\(\d{4}\)\s+(score|predicted) -?[\d.]+$/.test(l)).length, 5, r.out);
  const firstItem = r.out.match(/^\s+1\.\s+(\d+)/m)![1];
  const s = run('similar', '--model', model, '--item', firstItem, '-k', '3');
  assert.is(s.code, 0, s.err);
  assert.match(s.out, /Items most similar to/);
  assert.match(s.out, /cosine -?[\d.]+/);
});

test('bad input: unknown command, option, model, user and item; missing file', () => {
  let r = run('fly');
  assert.is(r.code, 2);
  assert.match(r.err, /unknown command 'fly' \(valid: train, recommend, similar, info, plot, map, eval, predict, bench\)/);
  r = run('train', '--bogus', '1');
  assert.is(r.code, 2);
  assert.match(r.err, /unknown option '--bogus'. Valid options: --model/);
  r = run('train', '--model', 'transformer');
  assert.is(r.code, 2);
  assert.match(r.err, /--model must be one of mf, svdpp, deepmf/);
  r = run('recommend', '--model', model, '--user', '999999');
  assert.is(r.code, 1);
  assert.match(r.err, /user id 999999 is not in the model/);
  r = run('similar', '--model', model, '--item', '-5');
  assert.is(r.code, 1);
  assert.match(r.err, /item id -5 is not in the model/);
  r = run('recommend', '--model', join(dir, 'nope.sgm'), '--user', '1');
  assert.is(r.code, 2); // checked as the options are read, before anything loads
  assert.match(r.err, /recommend: --model: .*nope\.sgm does not exist/);
});

test('a NaN/inf loss stops train with the epoch, batch and a learning-rate hint; the last good checkpoint is kept', () => {
  // diverges in the first epoch: nothing written, an earlier file at --out left byte for byte
  const earlier = join(dir, 'earlier.sgm');
  copyFileSync(model, earlier);
  let r = run('train', '--scale', 'tiny', '--epochs', '2', '--optimizer', 'sgd', '--lr', '100000', '--batch-size', '500', '--out', earlier);
  assert.is(r.code, 1, r.err);
  assert.match(r.err, /(loss became (NaN|-?Infinity)|the loss exploded: .*) at epoch 0, batch \d+( \(that step was not applied\))?; lower the learning rate \(now 100000\)/);
  assert.match(r.err, /no epoch completed/);
  assert.ok(readFileSync(earlier).equals(readFileSync(model)), 'the earlier checkpoint is untouched');
  // diverges in a later epoch: the best epoch's checkpoint is there and loads (the seed's
  // plain dot-product MF, which SGD can take past its first epoch before it blows up)
  let later: RegExpMatchArray | null = null;
  const out = join(dir, 'diverged.sgm');
  for (const lr of ['20', '25', '18', '30', '15']) {
    r = run('train', '--scale', 'tiny', '--epochs', '5', '--optimizer', 'sgd', '--lr', lr, '--batch-size', '500', '--no-biases', '--dim', '25', '--reg', '0', '--out', out);
    const m = r.err.match(/at epoch (\d+), batch \d+( \(that step was not applied\))?; lower the learning rate/);
    if (r.code === 1 && m && Number(m[1]) >= 1) { later = m; break; }
  }
  assert.ok(later, 'one of the learning rates diverges after the first epoch');
  const kept = r.err.match(/the best checkpoint \(epoch (\d+), Validation-rmse=[\d.]+\) is kept in/);
  assert.ok(kept && Number(kept[1]) < Number(later![1]), r.err);
  assert.match(r.out, /Epoch\[0\] Saved /);
  const rec = run('recommend', '--model', out, '--user', '1', '-k', '3');
  assert.is(rec.code, 0, rec.err);
});

test('--help for each command: one layout with options and examples; did-you-mean for typos', () => {
  for (const c of ['train', 'recommend', 'similar', 'info', 'plot', 'map', 'bench']) {
    const r = run(c, '--help');
    assert.is(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`^sparsegrad ${c} — \\S`));
    assert.match(r.out, new RegExp(`\\nUsage: sparsegrad ${c}( <\\w+>)? \\[options\\]\\n`));
    assert.match(r.out, /\nOptions:\n/);
    assert.match(r.out, new RegExp(`\\nExamples:\\n  sparsegrad ${c}`), `${c} has examples`);
    assert.match(r.out, /-h, --help\s+show this help/);
  }
  const top = run('--help');
  assert.is(top.code, 0);
  for (const c of ['train', 'recommend', 'similar', 'info', 'plot', 'map', 'bench']) assert.match(top.out, new RegExp(`\\n  ${c}\\s+\\S`));
  let r = run('train', '--epoch', '3');
  assert.is(r.code, 2);
  assert.match(r.err, /unknown option '--epoch' \(did you mean '--epochs'\?\)/);
  assert.match(r.err, /Run 'sparsegrad train --help'/);
  r = run('trian');
  assert.match(r.err, /unknown command 'trian' \(did you mean 'train'\?\)/);
  r = run('train', '--model', 'dep-mf');
  assert.match(r.err, /got 'dep-mf'; did you mean 'deepmf'\?/);
  r = run('bench', '--quik');
  assert.is(r.code, 2);
  assert.match(r.err, /unknown option '--quik' \(did you mean '--quick'\?\)/);
});

test('info: version and backends; without a display, a friendly message and no raw ANGLE errors', () => {
  const r = run('info');
  assert.is(r.code, 0);
  assert.match(r.out, /sparsegrad \d+\.\d+\.\d+/);
  assert.match(r.out, /backends: cpu, webgl/);
  const env = { ...process.env };
  delete env.DISPLAY;
  const bare = spawnSync(process.execPath, [cli, 'info'], { encoding: 'utf8', env });
  assert.is(bare.status, 0);
  assert.match(bare.stdout, /webgl: unavailable — webgl: headless-gl needs an X display and DISPLAY is not set/);
  assert.not.match(bare.stderr + bare.stdout, /ANGLE|Display\.cpp/);
});

test.run();
