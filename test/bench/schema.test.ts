import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertResults, SCHEMA_VERSION, validateResults } from '../../bench/schema.js';
import { environment } from '../../bench/env.js';
import { sampleResults } from './fixtures.js';

test('a run produces a valid results file, also after a JSON round trip', async () => {
  const res = await sampleResults();
  assert.equal(validateResults(res), []);
  const parsed = JSON.parse(JSON.stringify(res));
  assert.equal(validateResults(parsed), []);
  assert.is(parsed.schemaVersion, SCHEMA_VERSION);
  const side = parsed.runs[0].results[0].sides[0];
  for (const k of ['medianMs', 'minMs', 'maxMs', 'spread', 'throughput']) assert.type(side[k], 'number', k);
  assert.ok(Array.isArray(side.samplesMs));
});

test('the environment is recorded', () => {
  const e = environment('cmd', null);
  assert.type(e.node, 'string');
  assert.ok(e.cores >= 1);
  assert.ok(e.totalMemoryBytes > 0);
  assert.ok(e.gitCommit === null || /^[0-9a-f]{40}$/.test(e.gitCommit));
  assert.ok(!Number.isNaN(Date.parse(e.date)));
});

test('missing or mistyped fields are reported by path', async () => {
  const res = JSON.parse(JSON.stringify(await sampleResults()));
  delete res.runs[0].results[0].sides[1].medianMs;
  res.runs[0].results[0].ratios[0].ratio = 'fast';
  res.environment.cores = '2';
  const errors = validateResults(res);
  assert.ok(errors.some((e) => e === 'results.runs[0].results[0].sides[1].medianMs: missing'), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('results.runs[0].results[0].ratios[0].ratio: unexpected value')), errors.join('\n'));
  assert.ok(errors.some((e) => e.startsWith('results.environment.cores')), errors.join('\n'));
  assert.throws(() => assertResults(res, 'old.json'), /old\.json is not a valid bench-results\.json/);
});

test('another schema version or tool is rejected', async () => {
  const res = JSON.parse(JSON.stringify(await sampleResults()));
  res.schemaVersion = 99;
  assert.ok(validateResults(res).some((e) => e.startsWith('results.schemaVersion')));
  assert.ok(validateResults({ hello: 1 }).length > 0);
  assert.ok(validateResults(null).length > 0);
});

test.run();
