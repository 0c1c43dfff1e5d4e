/**
 * The peers benchmark's PyTorch and TF.js sides on tiny workloads, where those peers are
 * installed (this machine's dev setup; CI may have neither): every workload sets up, steps
 * and tears down, the PyTorch side reports its own step times. Where a peer is missing, its
 * setup must skip (BenchSkip) with a message naming what is missing — never crash.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { peers } from '../../bench/benchmarks/peers.js';
import { composedStep } from '../../bench/benchmarks/composed-step.js';
import { runCase } from '../../bench/harness.js';
import type { BenchCase } from '../../bench/types.js';

const tiny: BenchCase[] = [
  { id: 'mf', params: { workload: 'mf', users: 60, items: 40, dim: 4, batch: 64, hidden: '8,8' }, items: 64 },
  { id: 'deepmf', params: { workload: 'deepmf', users: 60, items: 40, dim: 4, batch: 64, hidden: '8,8' }, items: 64 },
  { id: 'mult-vae', params: { workload: 'mult-vae', items: 300, batch: 8, hidden: 16, latent: 4, density: 0.05 }, items: 8 },
  { id: 'matmul', params: { workload: 'matmul', n: 32 }, items: 2 * 32 ** 3 },
];
const policy = { warmup: 0, minRounds: 2, maxRounds: 2, budgetMs: 0 };

for (const peer of ['pytorch', 'tfjs'] as const) {
  test(`peers: the ${peer} side runs every workload, or skips saying what is missing`, async () => {
    const cmp = peers.comparisons.find((c) => c.id === peer)!;
    const before = sg.memory().numTensors;
    for (const c of tiny) {
      const r = await runCase(cmp, c, 'cpu', { size: 'quick', policy });
      if (r.status === 'skipped') {
        const why = r.message ?? '';
        if (peer === 'tfjs' && c.id === 'mult-vae') assert.match(why, /no sparse/);
        else assert.match(why, peer === 'pytorch' ? /PyTorch not available/ : /TF\.js .*not installed/);
        continue;
      }
      assert.is(r.status, 'ok', `${peer} ${c.id}: ${r.message}`);
      for (const s of r.sides) assert.ok(s.n === 2 && s.medianMs > 0, `${peer} ${c.id} ${s.label}: ${s.n} timed runs, ${s.medianMs} ms`);
      assert.ok(r.ratios[0].ratio !== null && r.ratios[0].ratio > 0);
    }
    assert.is(sg.memory().numTensors, before, 'sparsegrad sides leave no tensors');
  });
}

test('composed-step: the PyTorch side (plain ops, sparse embeddings, SparseAdam) runs, or skips saying what is missing', async () => {
  const cmp = composedStep.comparisons.find((c) => c.id === 'pytorch')!;
  const c: BenchCase = { id: 'tiny', params: { users: 300, items: 200, dim: 8, batch: 64, target: false }, items: 64 };
  const before = sg.memory().numTensors;
  const r = await runCase(cmp, c, 'cpu', { size: 'quick', policy });
  if (r.status === 'skipped') assert.match(r.message ?? '', /PyTorch not available/);
  else {
    assert.is(r.status, 'ok', r.message ?? '');
    for (const s of r.sides) assert.ok(s.n === 2 && s.medianMs > 0, `${s.label}: ${s.n} timed runs, ${s.medianMs} ms`);
  }
  assert.is(sg.memory().numTensors, before, 'the sparsegrad side leaves no tensors');
});

test.run();
