import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combineRuns, compareResults, formatComparison } from '../../bench/compare.js';
import { benchMain } from '../../bench/cli.js';
import type { BenchResults } from '../../bench/schema.js';
import { sampleResults } from './fixtures.js';

const clone = (r: BenchResults): BenchResults => JSON.parse(JSON.stringify(r));

test('a planted 25% slowdown is flagged; a 5% one and speedups are not', async () => {
  const old = await sampleResults();
  const now = clone(old);
  const [first, second] = now.runs[0].results;
  first.sides[1].medianMs *= 1.25; // planted regression: B 25% slower
  second.sides[0].medianMs *= 1.05; // noise
  second.sides[1].medianMs *= 0.5; // improvement
  const cmp = compareResults(old, now);
  assert.equal(cmp.regressions.map((c) => c.key), ['demo/cpu · ab · n=10 · B']);
  assert.ok(Math.abs(cmp.regressions[0].slowdown - 1.25) < 1e-9);
  const text = formatComparison(cmp, 'old.json', 'new.json');
  assert.match(text, /demo\/cpu · ab · n=10 · B \| 10\.0 ms \| 12\.5 ms \| \+25\.0% \| ⚠ REGRESSION/);
  assert.match(text, /1 regression/);
});

test('a shrunken speedup is a regression; unmatched measurements are listed', async () => {
  const old = await sampleResults();
  const now = clone(old);
  now.runs[0].results[0].ratios[0].ratio = 1.5; // was 2
  now.runs[0].results.pop();
  const cmp = compareResults(old, now);
  assert.ok(cmp.regressions.some((c) => c.kind === 'speedup' && c.key.endsWith('speedup B')));
  assert.ok(cmp.missing.some((k) => k.includes('n=100')));
  assert.equal(compareResults(old, clone(old)).regressions, []);
});

test('bench --compare old --against new flags the regression and exits 3 with --fail-on-regression', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-compare-'));
  const old = await sampleResults();
  const now = clone(old);
  now.runs[0].results[0].sides[0].medianMs *= 2;
  writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
  writeFileSync(join(dir, 'new.json'), JSON.stringify(now));
  let out = '';
  const io = { stdout: (s: string) => { out += s; }, stderr: (s: string) => { out += s; } };
  const args = ['--compare', join(dir, 'old.json'), '--against', join(dir, 'new.json')];
  assert.is(await benchMain(args, io), 0);
  assert.match(out, /REGRESSION/);
  assert.is(await benchMain([...args, '--fail-on-regression'], io), 3);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ schemaVersion: 1 }));
  out = '';
  assert.is(await benchMain(['--compare', join(dir, 'bad.json'), '--against', join(dir, 'new.json')], io), 2);
  assert.match(out, /bad\.json is not a valid bench-results\.json/);
});

test('several runs of a build: each time at its fastest run, each speedup at the median run; --compare a,b --against c,d', async () => {
  const base = await sampleResults();
  const runs = [1.3, 1, 1.1].map((f, k) => {
    const r = clone(base);
    r.runs[0].results[0].sides[0].medianMs *= f;
    r.runs[0].results[0].ratios[0].ratio = [3, 1, 2][k];
    return r;
  });
  const merged = combineRuns(runs);
  assert.is(merged.runs[0].results[0].sides[0].medianMs, base.runs[0].results[0].sides[0].medianMs);
  assert.is(merged.runs[0].results[0].ratios[0].ratio, 2);
  assert.is(runs[0].runs[0].results[0].sides[0].medianMs, base.runs[0].results[0].sides[0].medianMs * 1.3, 'inputs untouched');
  // one slow run of the new build is not a regression; slow in every run is
  const dir = mkdtempSync(join(tmpdir(), 'sg-bench-runs-'));
  const write = (name: string, r: BenchResults) => { writeFileSync(join(dir, name), JSON.stringify(r)); return join(dir, name); };
  const olds = [write('o1.json', base), write('o2.json', base)].join(',');
  const noisy = clone(base);
  noisy.runs[0].results[0].sides[0].medianMs *= 1.5;
  const slower = clone(base);
  slower.runs[0].results[0].sides[0].medianMs *= 1.2;
  let out = '';
  const io = { stdout: (t: string) => { out += t; }, stderr: (t: string) => { out += t; } };
  assert.is(await benchMain(['--compare', olds, '--against', [write('n1.json', noisy), write('n2.json', base)].join(','), '--fail-on-regression'], io), 0);
  assert.is(await benchMain(['--compare', olds, '--against', [write('n3.json', slower), write('n4.json', slower)].join(','), '--fail-on-regression'], io), 3);
  assert.throws(() => combineRuns([]), /no runs/);
});

test.run();
