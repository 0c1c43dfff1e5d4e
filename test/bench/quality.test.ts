/** The quality benchmark on a generated ml-100k-style directory: runs, reports one table, and skips cleanly without --data. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchMain } from '../../bench/cli.js';
import { validateResults, type BenchResults } from '../../bench/schema.js';
import { writeMl100kFixture } from '../helpers/ml100k-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-quality-'));
const data = join(dir, 'ml');
// 300 users so the ranking protocol can hold out 150 + 150 of them
writeMl100kFixture(data, { users: 420, items: 90, density: 0.35 });

async function bench(args: string[]) {
  let stdout = '';
  let stderr = '';
  const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
  const code = await benchMain([...args, '--out', out], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
  return { code, stdout, stderr, results: JSON.parse(readFileSync(join(out, 'bench-results.json'), 'utf8')) as BenchResults };
}

test('bench --only quality --data <dir>: one table of RMSE and ranking metrics, the official fold used', async () => {
  const r = await bench(['--tiny', '--only', 'quality', '--backend', 'cpu', '--data', data]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(validateResults(r.results), []);
  assert.match(r.stdout, /\| model \| RMSE \| MAE \| NDCG@100 \| Recall@20 \| Recall@50 \| notes \|/);
  const row = (name: RegExp) => r.stdout.split('\n').find((l) => name.test(l)) ?? '';
  const mf = row(/^\| mf \(defaults/).split('|').map((c) => c.trim());
  assert.ok(Number(mf[2]) > 0.3 && Number(mf[2]) < 1, `mf RMSE cell ${mf[2]}`);
  assert.match(row(/^\| mf/), /fold u1; kept epochs \d+/);
  const ndcg = (name: RegExp) => Number(row(name).split('|')[4]);
  assert.ok(ndcg(/^\| EASE/) > ndcg(/^\| popularity/), 'EASE above popularity');
});

test('without --data the quality benchmark is skipped, saying what it needs', async () => {
  const r = await bench(['--tiny', '--only', 'quality', '--backend', 'cpu']);
  assert.is(r.code, 0, r.stderr);
  const run = r.results.runs.find((x) => x.benchmark === 'quality')!;
  assert.is(run.status, 'skipped');
  assert.match(run.message!, /needs --data: a MovieLens directory/);
});

test.run();
