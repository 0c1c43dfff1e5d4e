/**
 * The backends side by side (issues 8 and 18): the same op or training step on cpu, webgl
 * and webgpu, interleaved; speedup = cpu / other. webgl and webgpu run when they can be set
 * (headless-gl under Xvfb; Dawn or navigator.gpu) and are left out, with the reason, when not.
 *
 * On this machine both GPU backends run on the CPU — Mesa's llvmpipe and SwiftShader — so
 * their times say how the kernels are structured, not how fast a GPU is. What does carry
 * over to a real GPU is the **GPU work one step issues**, reported as metrics after the
 * timed rounds: draw calls (and the LINE primitives of webgl's row-sparse writes) or compute
 * dispatches, and the bytes uploaded and read back — for the MF (with and without biases) and Mult-VAE model steps,
 * counted over one extra step with no synchronisation (the timed runs end with a
 * one-element read to wait for the GPU).
 *
 * Was `cpu-vs-webgl` (the results under bench/results/full still carry that name).
 */
import * as sg from '../../index.js';
import type { BenchCase, Benchmark, BenchContext, RunInstance, Side, SizeMode } from '../types.js';
import { BenchSkip } from '../types.js';
import { deepMFStep, embeddingStep, randomIds, randomUserRows } from './workloads.js';

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
  out.push({ id: `mf-model-step:batch=${batch}`, label: `MatrixFactorization step (dim 25, biases, lazy Adam), batch ${batch}`, params: { op: 'mf-model-step', users, items, batch, dim: 25, biases: 1 }, items: batch });
  // the issue's target, the bare lazy-Adam MF step: gatherDot, the MSE, the two tables' updates
  out.push({ id: `mf-model-step:batch=${batch},biases=0`, label: `MatrixFactorization step (dim 25, no biases, lazy Adam), batch ${batch}`, params: { op: 'mf-model-step', users, items, batch, dim: 25, biases: 0 }, items: batch });
  // quick sizes for the dense models are smaller: SwiftShader (webgpu here) takes seconds a step
  const dm = size === 'quick' ? { users: 20000, items: 20000, batch: 5000 } : { users, items, batch };
  out.push({ id: `deepmf-step:batch=${dm.batch}`, label: `DeepMF step (64-64-1), batch ${dm.batch}`, params: { op: 'deepmf-step', ...dm, dim: 25 }, items: dm.batch });
  // Mult-VAE: Liang et al.'s 600-200 on the seed's batch of 500 users; quick: a smaller catalog
  const vaeItems = size === 'tiny' ? 300 : size === 'quick' ? 1000 : 20108;
  const vaeBatch = size === 'tiny' ? 16 : size === 'quick' ? 50 : 500;
  out.push({
    id: `vae-step:items=${vaeItems},batch=${vaeBatch}`, label: `Mult-VAE step (600-200, CSR input), ${vaeItems} items, batch ${vaeBatch}`,
    params: { op: 'vae-step', items: vaeItems, batch: vaeBatch, hidden: size === 'tiny' ? 32 : 600, latent: size === 'tiny' ? 8 : 200 }, items: vaeBatch,
  });
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

/** A workload whose `step` is one training step with no synchronisation (for counting its GPU work). */
interface CountedRun extends RunInstance {
  step(): void;
}

/**
 * A model's own training step — trainingStep (forward and loss), backward, the optimizer — as
 * fit() runs it, minus fit's reading of the loss value (its divergence check, one 4-byte read): the
 * step whose GPU work the target counts.
 */
function modelStep(model: sg.nn.Module & { trainingStep(b: never): { loss: sg.Tensor; afterUpdate?: () => void } },
  batches: unknown[], ctx: BenchContext): CountedRun {
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.001 });
  let k = 0;
  const step = () => sg.tidy(() => {
    const b = batches[k++ % batches.length];
    const out = model.trainingStep(b as never);
    out.loss.backward(undefined, { checkFinite: false });
    opt.step();
    opt.zeroGrad();
    out.afterUpdate?.();
  });
  step(); // lazily made optimizer state, compiled kernels
  return {
    step,
    run: () => { step(); ctx.sync(model.parameters()[0]); },
    teardown: () => { opt.dispose(); model.dispose(); },
  };
}

function mfModelStep(p: Record<string, unknown>, ctx: BenchContext): CountedRun {
  const [users, items, batch, dim] = [p.users, p.items, p.batch, p.dim] as number[];
  const model = new sg.models.MatrixFactorization({ numUsers: users, numItems: items, dim, biases: p.biases !== 0 });
  const rng = sg.randomStream('bench-mf-model', 1);
  const batches = Array.from({ length: 4 }, () => ({
    inputs: { user: randomIds(batch, users, rng), item: randomIds(batch, items, rng) },
    label: Float32Array.from({ length: batch }, () => 1 + 4 * rng.next()), size: batch,
  }));
  return modelStep(model, batches, ctx);
}

function vaeModelStep(p: Record<string, unknown>, ctx: BenchContext): CountedRun {
  const [items, batch, hidden, latent] = [p.items, p.batch, p.hidden, p.latent] as number[];
  const model = new sg.models.MultVAE({ numItems: items, hidden: [hidden], latent, seed: 1, sparseGrad: true });
  const rng = sg.randomStream('bench-vae-model', 1);
  const batches = Array.from({ length: 2 }, () => ({ inputs: { rows: randomUserRows(batch, items, 0.01, rng) } }));
  return modelStep(model, batches, ctx);
}

function workload(c: BenchCase, ctx: BenchContext): RunInstance {
  const p = c.params;
  if (p.op === 'mf-step') {
    return embeddingStep({ users: p.users as number, items: p.items as number, dim: p.dim as number, batch: p.batch as number, sparse: true, optimizer: 'adam' }, ctx);
  }
  if (p.op === 'mf-model-step') return mfModelStep(p, ctx);
  if (p.op === 'deepmf-step') {
    return deepMFStep({ users: p.users as number, items: p.items as number, dim: p.dim as number, batch: p.batch as number, hidden: [64, 64] }, ctx);
  }
  if (p.op === 'vae-step') return vaeModelStep(p, ctx);
  return opWorkload(c, ctx);
}

/** The backend's GPU work counters (webgl: draws, lines; webgpu: dispatches), or null on the CPU. */
function counters(): Record<string, number> | null {
  const be = sg.engine.backend as unknown as { stats?: () => Record<string, number> };
  if (!be.stats || sg.getBackend() === 'cpu') return null;
  const s = be.stats();
  const pick = ['draws', 'lines', 'dispatches', 'uploads', 'uploadBytes', 'readbacks', 'readbackBytes'];
  return Object.fromEntries(pick.filter((k) => typeof s[k] === 'number').map((k) => [k, s[k]]));
}

/**
 * A side on `backend`: the workload, plus — on a GPU backend, for the model steps — the work
 * of one more step as metrics (the difference of the counters around it).
 */
function side(backend: 'cpu' | 'webgl' | 'webgpu'): Side {
  return {
    label: backend,
    backend,
    setup: (c, ctx) => {
      // SwiftShader runs a 1024³ product in minutes: not worth a CI slot or a full run
      if (backend === 'webgpu' && c.params.op === 'matmul' && (c.params.n as number) >= 1024) {
        const info = (sg.engine.backend as unknown as { info?: () => { software?: boolean } }).info?.();
        if (info?.software) throw new BenchSkip('a software WebGPU adapter (SwiftShader) takes minutes per 1024³ product');
      }
      const inst = workload(c, ctx);
      const step = (inst as Partial<CountedRun>).step;
      if (backend === 'cpu' || !step) return inst;
      return {
        ...inst,
        metrics: () => {
          // the runner asks for metrics with whichever backend ran last active
          const was = sg.getBackend();
          sg.engine.setBackendSync(backend);
          const before = counters();
          step();
          const after = counters();
          sg.engine.setBackendSync(was);
          const work: Record<string, number> = { ...inst.metrics?.() };
          if (before && after) for (const k of Object.keys(after)) work[`${k}/step`] = after[k] - before[k];
          return work;
        },
      };
    },
  };
}

export const backends: Benchmark = {
  name: 'backends',
  description: 'The same op or training step on the cpu, webgl and webgpu backends, interleaved (speedup = cpu / other), ' +
    'and the GPU work one step issues: draws or dispatches, bytes uploaded and read back.',
  backendMode: 'pinned',
  requires: ['cpu'],
  optional: ['webgl', 'webgpu'],
  cases,
  comparisons: [{
    id: 'backends',
    title: 'cpu vs webgl vs webgpu',
    sides: [side('cpu'), side('webgl'), side('webgpu')],
    reference: (c) => {
      const full = c.params.batch === 25000;
      // the steps here are composed from the public API (the same on every backend); the MF
      // and DeepMF throughput targets are measured on the model classes by `throughput`
      if (full && c.params.op === 'mf-step') return { seedThroughput: 190000, side: 'cpu', source: 'MXNet MF tutorial (GPU)' };
      if (full && c.params.op === 'deepmf-step') return { seedThroughput: 126000, side: 'cpu', source: 'MXNet DeepMF tutorial (GPU)' };
      return undefined;
    },
  }],
  charts: [
    { id: 'matmul', title: 'matmul throughput vs size', comparison: 'backends', x: 'n', y: 'throughput', where: { op: 'matmul' } },
  ],
};
