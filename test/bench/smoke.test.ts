// Every registered benchmark, end to end through the CLI at tiny sizes: nothing crashes,
// the outputs are written and valid. (Timings are not checked: CI fails on crashes only.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchMain } from '../../bench/cli.js';
import { registry } from '../../bench/registry.js';
import { validateResults, type BenchResults } from '../../bench/schema.js';
import * as sg from '../../index.js';

test('bench --tiny runs every benchmark and writes JSON, Markdown and SVG', async () => {
  const out = mkdtempSync(join(tmpdir(), 'sg-bench-smoke-'));
  let stdout = '';
  let stderr = '';
  const before = sg.memory().numTensors;
  const code = await benchMain(['--tiny', '--out', out], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
  assert.is(code, 0, stderr);
  const res = JSON.parse(readFileSync(join(out, 'bench-results.json'), 'utf8')) as BenchResults;
  assert.equal(validateResults(res), []);
  for (const b of registry) assert.ok(res.runs.some((r) => r.benchmark === b.name), `${b.name} missing from the results`);
  for (const run of res.runs) {
    assert.ok(run.status !== 'error', `${run.benchmark}/${run.backend}: ${run.message}\n${run.results.map((r) => r.message ?? '').join('\n')}`);
    for (const r of run.results) {
      // the peers (PyTorch, TF.js) skip themselves at --tiny; nothing else may skip
      const peerSide = (run.benchmark === 'peers' && r.comparison !== 'threads') || (run.benchmark === 'composed-step' && r.comparison === 'pytorch');
      if (peerSide && r.status === 'skipped') continue;
      assert.is(r.status, 'ok', `${run.benchmark} ${r.case}: ${r.message}`);
      for (const s of r.sides) assert.is(s.leakedTensorsPerRun, 0, `${run.benchmark} ${r.case} ${s.label} leaks tensors`);
    }
  }
  assert.is(sg.memory().numTensors, before, 'teardown left tensors alive');
  assert.ok(existsSync(join(out, 'BENCHMARKS.md')));
  assert.match(stdout, /# sparsegrad benchmarks \(tiny\)/);
  assert.match(stdout, /\| case \| dense \(median\) \| sparse \(median\) \| speedup \| dense samples\/s \| sparse samples\/s \|/);
  const svg = readFileSync(join(out, 'charts', 'sparse-grad-cpu-speedup.svg'), 'utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>$/);
  // the dashboard shows every chart written and links the tables
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  for (const f of readdirSync(join(out, 'charts'))) assert.ok(html.includes(`src="charts/${f}"`), `index.html shows ${f}`);
  assert.match(html, /href="BENCHMARKS\.md"/);
});



test('the backends workloads run on the CPU side alone (so they are exercised without a GL context or a GPU)', async () => {
  const { backends: comparison } = await import('../../bench/benchmarks/backends.js');
  const { runCase } = await import('../../bench/harness.js');
  const cmp = comparison.comparisons[0];
  const cpuOnly = { ...cmp, sides: cmp.sides.filter((s) => s.backend === 'cpu') };
  const before = sg.memory().numTensors;
  for (const c of comparison.cases('tiny')) {
    const r = await runCase(cpuOnly, c, 'cpu', { size: 'tiny' });
    assert.is(r.status, 'ok', `${c.id}: ${r.message}`);
    assert.is(r.sides[0].leakedTensorsPerRun, 0, `${c.id} leaks`);
  }
  assert.is(sg.memory().numTensors, before);
});
test.run();
