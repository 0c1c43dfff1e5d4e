/** `sparsegrad train --resume` (issue 14 item 6): a shuffled run stopped and resumed equals the straight run. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as sg from '../../index.js';

const cli = resolve('dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'sg-cli-resume-'));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, [cli, 'train', '--scale', 'tiny', '--batch-size', '500', '--seed', '3', ...args], { encoding: 'utf8', env: { ...process.env, SPARSEGRAD_THREADS: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('train 1 epoch, then --resume to 3: the same weights as 3 epochs straight', () => {
  const straight = join(dir, 'straight.sgm');
  const resumed = join(dir, 'resumed.sgm');
  let r = run('--epochs', '3', '--biases', '--out', straight);
  assert.is(r.code, 0, r.err);
  r = run('--epochs', '1', '--biases', '--out', resumed);
  assert.is(r.code, 0, r.err);
  r = run('--epochs', '3', '--biases', '--out', resumed, '--resume');
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /fit: resuming at epoch 1/);
  assert.not.match(r.out, /Epoch\[0\]/);
  assert.match(r.out, /Epoch\[2\] (Saved|Validation)/);
  // the last epoch (<out>.resume) and the best one (--out) are the straight run's, bit for bit
  for (const [x, y] of [[`${straight}.resume`, `${resumed}.resume`], [straight, resumed]]) {
    const a = sg.load(x);
    const b = sg.load(y);
    for (const [name, t] of a.stateDict()) assert.equal(Array.from(b.stateDict().get(name)!.dataSync()), Array.from(t.dataSync()), `${y}: ${name}`);
  }
  // nothing left to do, other options, no checkpoint: clear errors
  r = run('--epochs', '3', '--biases', '--out', resumed, '--resume');
  assert.is(r.code, 1);
  assert.match(r.err, /cannot resume: the checkpoint has finished 3 epoch\(s\) already/);
  r = run('--epochs', '5', '--dim', '7', '--out', resumed, '--resume');
  assert.is(r.code, 2);
  assert.match(r.err, /train --resume: .*resumed\.sgm\.resume holds a MatrixFactorization with config .* \(give the options of the saved run\)/);
  r = run('--epochs', '5', '--biases', '--seed', '4', '--out', resumed, '--resume');
  assert.ok(r.code !== 0);
  assert.match(r.err, /trained with seed "3" but this run's seed is "4"|holds a MatrixFactorization with config/);
  r = run('--epochs', '5', '--out', join(dir, 'none.sgm'), '--resume');
  assert.is(r.code, 1);
  assert.match(r.err, /train --resume: cannot resume from .*none\.sgm\.resume: load: .*none\.sgm\.resume does not exist/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
