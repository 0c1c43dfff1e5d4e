/**
 * The CLI against nonsense and hostile input (issue 14 items 4, 8, 9): every option value
 * checked before any data is loaded, exit code 2 with a message naming the option; bad data
 * files named in the error; `--skip-bad-lines`; titles, ids and errors printed terminal-safe.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as sg from '../../index.js';

const cli = resolve('dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'sg-cli-hostile-'));

function run(...args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, SPARSEGRAD_THREADS: '1' } });
  return { code: r.status, out: r.stdout, err: r.stderr, ms: performance.now() - t0 };
}

/** No byte a terminal would act on: C0 controls other than newline, DEL, C1 controls, bidi overrides. */
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('option values are checked before any data is loaded (exit 2, the option named)', () => {
  const out = join(dir, 'm.sgm');
  const cases: [string[], RegExp][] = [
    [['--epochs', '0'], /train: --epochs must be at least 1 \(got '0'\)/],
    [['--epochs', '-1'], /train: --epochs must be at least 1/],
    [['--epochs', '1.5'], /train: --epochs needs a whole number \(got '1\.5'\)/],
    [['--epochs', '1e1'], /train: --epochs needs a whole number/],
    [['--batch-size', 'lots'], /train: --batch-size needs a whole number/],
    [['--lr', '0x10'], /train: --lr needs a decimal number \(got '0x10'\)/],
    [['--lr', '0'], /train: --lr must be greater than 0/],
    [['--lr', 'Infinity'], /train: --lr needs a decimal number/],
    [['--valid-fraction', '1'], /train: --valid-fraction must be a fraction between 0 and 1, exclusive \(got '1'\)/],
    [['--valid-fraction', '0'], /--valid-fraction must be a fraction between 0 and 1/],
    [['--dim', '0'], /--dim must be at least 1/],
    [['--seed', '-3'], /--seed must be at least 0/],
    [['--out', join(dir, 'no', 'such', 'dir', 'm.sgm')], /train: --out: the directory .*no\/such\/dir does not exist/],
    [['--out', dir], /train: --out: .* is a directory; give a file path inside it/],
  ];
  for (const [args, reason] of cases) {
    const r = run('train', '--scale', 'tiny', '--out', out, ...args);
    assert.is(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, reason, args.join(' '));
    assert.not.match(r.out, /Data:/, 'no data was loaded');
  }
  for (const [cmd, args, reason] of [
    ['recommend', ['-k', '0', '--user', '1'], /recommend: --k must be at least 1/],
    ['similar', ['-k', '2.5', '--item', '1'], /similar: --k needs a whole number/],
  ] as [string, string[], RegExp][]) {
    const r = run(cmd, ...args);
    assert.is(r.code, 2);
    assert.match(r.err, reason);
  }
});

test('data files: a bad line is named, --skip-bad-lines skips it, empty data and directories are clear errors', () => {
  const data = join(dir, 'ml');
  mkdirSync(data);
  const lines = ['userId,movieId,rating,timestamp'];
  for (let u = 1; u <= 30; u++) for (let i = 1; i <= 20; i++) if ((u * i) % 3 !== 0) lines.push(`${u},${i},${1 + ((u + i) % 9) * 0.5},${1000 + u}`);
  lines.splice(7, 0, '5,7,banana,1');
  writeFileSync(join(data, 'ratings.csv'), lines.join('\n') + '\n');
  let r = run('train', '--data', data, '--epochs', '1', '--out', join(dir, 'd.sgm'));
  assert.is(r.code, 1);
  assert.match(r.err, /ratings\.csv:8: rating \(field 3\) is not a number: "banana"/);
  r = run('train', '--data', data, '--epochs', '1', '--skip-bad-lines', '--out', join(dir, 'd.sgm'));
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /skipped 1 bad line\(s\); first: .*ratings\.csv:8/);
  // movies.csv a directory: the error names it (issue: "EISDIR: illegal operation on a directory, read")
  mkdirSync(join(data, 'movies.csv'));
  r = run('train', '--data', data, '--epochs', '1', '--skip-bad-lines', '--out', join(dir, 'd.sgm'));
  assert.is(r.code, 1);
  assert.match(r.err, /movies\.csv is a directory, not a file/);
  // header only: an error, not a model of nothing
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  writeFileSync(join(empty, 'ratings.csv'), 'userId,movieId,rating,timestamp\n');
  r = run('train', '--data', empty, '--out', join(dir, 'e.sgm'));
  assert.is(r.code, 1);
  assert.match(r.err, /no ratings in .*ratings\.csv \(1 line\(s\) read: 1 header/);
  // a checkpoint path that is a directory
  r = run('recommend', '--model', dir, '--user', '1');
  assert.is(r.code, 1);
  assert.match(r.err, /load: .* is a directory, not a file/);
});

test('titles, ids and errors reach the terminal escaped (ESC[2J, OSC titles, BEL, bidi overrides)', async () => {
  await sg.setBackend('cpu');
  const hostile = ['Clear\x1b[2J\x1b[H', 'Title\x1b]0;pwned\x07', 'Bell\x07\x07', 'Rev\u202eesrever', 'C1\u009b31m', 'Fine (1999)'];
  const model = new sg.models.MatrixFactorization({ numUsers: 3, numItems: hostile.length, dim: 2, initStd: 1 });
  model.meta = { userIds: [1, 2, 3], itemIds: [10, 11, 12, 13, 14, 15], itemTitles: hostile };
  const path = join(dir, 'hostile.sgm');
  sg.save(model, path);
  let r = run('recommend', '--model', path, '--user', '1', '-k', String(hostile.length));
  assert.is(r.code, 0, r.err);
  assert.not.match(r.out, UNSAFE);
  assert.match(r.out, /Clear\\x1B\[2J\\x1B\[H/);
  assert.match(r.out, /Title\\x1B\]0;pwned\\x07/);
  assert.match(r.out, /Rev\\u202Eesrever/);
  assert.match(r.out, /Fine \(1999\)/);
  r = run('similar', '--model', path, '--item', '10', '-k', '3');
  assert.is(r.code, 0, r.err);
  assert.not.match(r.out, UNSAFE);
  // a hostile id on the command line comes back escaped in the error
  r = run('recommend', '--model', path, '--user', '\x1b[2J\x07');
  assert.is(r.code, 1);
  assert.not.match(r.err, UNSAFE);
  assert.match(r.err, /user id \\x1B\[2J\\x07 is not in the model/);
});

test('train --lr 1e6 with Adam over a good checkpoint: stops diverged, exit 1, the good file untouched', () => {
  const out = join(dir, 'good.sgm');
  let r = run('train', '--scale', 'tiny', '--epochs', '1', '--batch-size', '500', '--out', out);
  assert.is(r.code, 0, r.err);
  const before = readFileSync(out);
  r = run('train', '--scale', 'tiny', '--epochs', '2', '--batch-size', '500', '--lr', '1000000', '--out', out);
  assert.is(r.code, 1, r.out);
  assert.match(r.err, /the loss exploded: .* at epoch 0, batch \d+ \(that step was not applied\); lower the learning rate \(now 1000000\)/);
  assert.match(r.err, /no epoch completed/);
  assert.ok(readFileSync(out).equals(before), 'the good checkpoint is byte for byte what it was');
});

test.run();
