/**
 * CPU vs WebGL (issue 8): the same work on each backend, interleaved. Runs only when the
 * webgl backend can be set (headless-gl under Xvfb here, a software Mesa renderer on this
 * machine — so the GPU numbers say more about the kernels' structure than about a GPU).
 * Speedup = cpu / webgl.
 */
import * as sg from '../../index.js';
import type { BenchCase, Benchmark, BenchContext, RunInstance, Side, SizeMode } from '../types.js';
import { deepMFStep, embeddingStep, randomIds } from './workloads.js';

const ML20M = { users: 138493, items: 131262 };

function cases(size: SizeMode): BenchCase[] {
  const out: BenchCase[] = [];
  const matmuls = size === 'tiny' ? [32] : size === 'quick' ? [256, 512] : [256, 512, 1024, 2048];
  for (const n of matmuls) {
    out.push({
      id: `matmul:n=${n}`, label: `matmul ${n}×${n}`, params: { op: 'matmul', n }, items: 2 * n ** 3, itemUnit: 'FLOP',
      // a CPU 2048³ product takes tens of seconds: three rounds are plenty
      repeats: n >= 1024 ? { warmup: 1, minRounds: 3, maxRounds: 5 } : undefined,
    });
  }
  const rows = size === 'tiny' ? 1000 : ML20M.items;
  const ids = size === 'tiny' ? 64 : 25000;
  const dim = size === 'tiny' ? 8 : 64;
  out.push({ id: `gather:rows=${rows},ids=${ids},dim=${dim}`, label: `gather ${ids} of ${rows} rows × ${dim}`, params: { op: 'gather', rows, ids, dim }, items: ids, itemUnit: 'rows' });
  out.push({ id: `gather-backward:rows=${rows},ids=${ids},dim=${dim}`, label: `gather + scatter-add backward, ${ids} ids`, params: { op: 'gather-backward', rows, ids, dim }, items: ids, itemUnit: 'rows' });
  const users = size === 'tiny' ? 500 : ML20M.users;
  const items = size === 'tiny' ? 400 : ML20M.items;
  const batch = size === 'tiny' ? 64 : 25000;
  out.push({ id: `mf-step:batch=${batch}`, label: `MF step (dim 25, lazy Adam), batch ${batch}`, params: { op: 'mf-step', users, items, batch, dim: 25 }, items: batch });
  out.push({ id: `deepmf-step:batch=${batch}`, label: `DeepMF step (64-64-1), batch ${batch}`, params: { op: 'deepmf-step', users, items, batch, dim: 25 }, items: batch });
  return out;
}

/** matmul, or gather with/without its backward: the single-op workloads. */
function opWorkload(c: BenchCase, ctx: BenchContext): RunInstance {
  const p = c.params;
  if (p.op === 'matmul') {
    const n = p.n as number;
    const a = sg.keep(sg.randn([n, n], { seed: 1 }));
    const b = sg.keep(sg.randn([n, n], { seed: 2 }));
    return {
      run: () => sg.tidy(() => ctx.sync(sg.matmul(a, b))),
      teardown: () => { a.dispose(); b.dispose(); },
    };
  }
  const table = sg.variable(sg.rand([p.rows as number, p.dim as number], { seed: 3, min: -0.05, max: 0.05 }));
  const ids = sg.keep(sg.tensor(randomIds(p.ids as number, p.rows as number, sg.randomStream('bench-ids', 4)), [p.ids as number], 'int32'));
  const withBackward = p.op === 'gather-backward';
  return {
    run: () => {
      sg.tidy(() => {
        if (!withBackward) return ctx.sync(sg.noGrad(() => sg.gather(table, ids)));
        sg.sum(sg.gather(table, ids)).backward();
        const g = table.grad as sg.RowSparse;
        ctx.sync(g.values);
        g.dispose();
        table.grad = null;
      });
    },
    teardown: () => { table.dispose(); ids.dispose(); },
  };
}

function workload(c: BenchCase, ctx: BenchContext): RunInstance {
  const p = c.params;
  if (p.op === 'mf-step') {
    return embeddingStep({ users: p.users as number, items: p.items as number, dim: p.dim as number, batch: p.batch as number, sparse: true, optimizer: 'adam' }, ctx);
  }
  if (p.op === 'deepmf-step') {
    return deepMFStep({ users: p.users as number, items: p.items as number, dim: p.dim as number, batch: p.batch as number, hidden: [64, 64] }, ctx);
  }
  return opWorkload(c, ctx);
}

const side = (backend: 'cpu' | 'webgl'): Side => ({ label: backend, backend, setup: workload });

export const cpuVsWebgl: Benchmark = {
  name: 'cpu-vs-webgl',
  description: 'The same op or training step on the CPU and WebGL backends, interleaved. Speedup = cpu / webgl.',
  backendMode: 'pinned',
  requires: ['cpu', 'webgl'],
  cases,
  comparisons: [{
    id: 'cpu-vs-webgl',
    title: 'CPU vs WebGL',
    sides: [side('cpu'), side('webgl')],
    reference: (c) => {
      const full = c.params.batch === 25000;
      // the steps here are composed from primitives (the same on both backends); the MF and
      // DeepMF throughput targets are measured on the model classes by `throughput`
      if (full && c.params.op === 'mf-step') return { seedThroughput: 190000, side: 'cpu', source: 'MXNet MF tutorial (GPU)' };
      if (full && c.params.op === 'deepmf-step') return { seedThroughput: 126000, side: 'cpu', source: 'MXNet DeepMF tutorial (GPU)' };
      return undefined;
    },
  }],
  charts: [
    { id: 'matmul', title: 'matmul throughput vs size', comparison: 'cpu-vs-webgl', x: 'n', y: 'throughput', where: { op: 'matmul' } },
  ],
};
