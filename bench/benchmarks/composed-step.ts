/**
 * The step most users write (issue 19): two `Embedding.forward` lookups, `mul`, `sum` over the
 * embedding axis, `sub`, `square`, `mean`, `backward`, `opt.step()` with Adam — no fused
 * kernel, the README's tour — at MovieLens-20M table sizes (138,493 users × 131,262 item ids).
 * What it measures is the eager path itself: dispatch, tensor and gradient-node creation,
 * scratch allocation, id handling, broadcasting and reductions, the gather, the lazy update.
 *
 *   sparse-vs-dense  dense embedding gradients + dense Adam vs row-sparse + lazy Adam (ours)
 *   pytorch          PyTorch (sparse Embedding + SparseAdam, one thread) vs ours, the same
 *                    batches, step for step interleaved; skipped where PyTorch is not installed
 *
 * Cases: dim 25 at batch 1,000 (the targets: ≥ 15× over dense, ≥ 2.5× over PyTorch,
 * ≤ 2 ms a step) and dim 64 at batch 256. Ours runs on one thread, like PyTorch here: the
 * step is too small to split (the row kernels hand work to the second core only above
 * ROW_MIN_WORK) and one thread keeps the comparison about the code, not the core count.
 *
 *   sparsegrad bench --only composed-step            # full = quick: the ML-20M tables
 */
import * as sg from '../../index.js';
import { setThreads } from '../../backends/cpu/threads.js';
import { pytorch } from '../peers/pytorch.js';
import { BenchSkip, type BenchCase, type Benchmark, type BenchContext, type RunInstance, type SizeMode } from '../types.js';

const ML20M = { users: 138493, items: 131262 };

function cases(size: SizeMode): BenchCase[] {
  const make = (users: number, items: number, dim: number, batch: number, target: boolean): BenchCase => ({
    id: `users=${users},items=${items},dim=${dim},batch=${batch}`,
    label: `${users.toLocaleString('en-US')} × ${items.toLocaleString('en-US')}, dim ${dim}, batch ${batch.toLocaleString('en-US')}`,
    params: { users, items, dim, batch, target },
    items: batch, itemUnit: 'samples',
    repeats: size === 'tiny' ? undefined : { warmup: 5, minRounds: 30, maxRounds: 400, budgetMs: size === 'quick' ? 1500 : 6000 },
  });
  if (size === 'tiny') return [make(3000, 2000, 8, 64, false)];
  return [make(ML20M.users, ML20M.items, 25, 1000, true), make(ML20M.users, ML20M.items, 64, 256, false)];
}

/** Four batches of uniform ids (the worst case for row-sparse gradients) and ratings in [1, 5). */
function batches(c: BenchCase): { user: Int32Array; item: Int32Array; label: Float32Array }[] {
  const { users, items, batch } = c.params as { users: number; items: number; batch: number };
  const r = sg.randomStream('bench-composed-step', 1);
  return Array.from({ length: 4 }, () => ({
    user: Int32Array.from({ length: batch }, () => r.int(users)),
    item: Int32Array.from({ length: batch }, () => r.int(items)),
    label: Float32Array.from({ length: batch }, () => 1 + 4 * r.next()),
  }));
}

/** Runs f on one thread (the case's comparison is single-threaded on both sides). */
function oneThread<T>(f: () => T): T {
  const before = setThreads(1);
  try {
    return f();
  } finally {
    setThreads(before);
  }
}

function ours(c: BenchCase, ctx: BenchContext, sparseGrad: boolean): RunInstance {
  const { users, items, dim } = c.params as { users: number; items: number; dim: number };
  const init = { kind: 'uniform' as const, scale: 0.05 };
  const user = new sg.nn.Embedding({ num: users, dim, sparseGrad, init, seed: 1 });
  const item = new sg.nn.Embedding({ num: items, dim, sparseGrad, init, seed: 2 });
  const opt = new sg.optim.Adam([...user.parameters(), ...item.parameters()], { lr: 0.001 });
  const data = batches(c).map((b) => ({
    user: sg.keep(sg.tensor(b.user, [b.user.length], 'int32')),
    item: sg.keep(sg.tensor(b.item, [b.item.length], 'int32')),
    label: sg.keep(sg.tensor(b.label)),
  }));
  const step = (u: sg.Tensor | Int32Array, i: sg.Tensor | Int32Array, y: sg.Tensor) => sg.tidy(() => {
    const pred = sg.sum(sg.mul(user.forward(u), item.forward(i)), 1);
    const loss = sg.mean(sg.square(sg.sub(pred, y)));
    loss.backward();
    opt.step();
    opt.zeroGrad();
  });
  // one pass over every id: each row of the tables and of Adam's moments is touched once, so
  // the timed steps see the steady state and not first-touch page faults (PyTorch does the same)
  const n = Math.max(users, items);
  for (let s = 0; s < n; s += 16384) {
    const len = Math.min(16384, n - s);
    const u = Int32Array.from({ length: len }, (_, k) => (s + k) % users);
    const it = Int32Array.from({ length: len }, (_, k) => (s + k) % items);
    sg.tidy(() => step(u, it, sg.zeros([len])));
  }
  let k = 0;
  return {
    run() {
      const b = data[k++ % data.length];
      oneThread(() => step(b.user, b.item, b.label));
      ctx.sync(item.weight);
    },
    teardown() {
      opt.dispose();
      user.dispose();
      item.dispose();
      for (const b of data) for (const t of [b.user, b.item, b.label]) t.dispose();
    },
  };
}

async function torchSide(c: BenchCase, ctx: BenchContext): Promise<RunInstance> {
  if (ctx.size === 'tiny') throw new BenchSkip('peers are not started at --tiny (the test suite runs them in test/bench/peers.test.ts)');
  let peer;
  try {
    peer = await pytorch();
  } catch (err) {
    throw new BenchSkip(`PyTorch not available: ${(err as Error).message}`);
  }
  const data = { batches: batches(c).map((b) => ({ user: Array.from(b.user), item: Array.from(b.item), label: Array.from(b.label) })) };
  await peer.request({ cmd: 'setup', workload: 'composed', params: { ...c.params, sparse: true, threads: 1 }, data });
  return {
    run: async () => Number((await peer.request({ cmd: 'step' })).ms),
    teardown: async () => { await peer.request({ cmd: 'teardown' }); },
  };
}

export const composedStep: Benchmark = {
  name: 'composed-step',
  description: 'The MF step written with plain ops (gather, mul, sum, sub, square, mean, backward, Adam) at ML-20M table sizes: '
    + 'dense vs row-sparse gradients, and PyTorch (sparse embeddings + SparseAdam) vs sparsegrad, one thread each.',
  // once, on the CPU backend (the PyTorch side runs on the CPU too)
  backendMode: 'pinned',
  requires: ['cpu'],
  cases,
  comparisons: [
    {
      id: 'sparse-vs-dense',
      title: 'Composed step: dense vs row-sparse embedding gradients (Adam; speedup = dense / sparse)',
      sides: [
        { label: 'dense', backend: 'cpu', setup: (c, ctx) => ours(c, ctx, false) },
        { label: 'sparse', backend: 'cpu', setup: (c, ctx) => ours(c, ctx, true) },
      ],
      reference: (c) => (c.params.target ? { targetRatio: 15, source: 'issue 19' } : undefined),
    },
    {
      id: 'pytorch',
      title: 'Composed step: PyTorch (sparse Embedding + SparseAdam, 1 thread) vs sparsegrad (speedup = PyTorch / sparsegrad)',
      sides: [
        { label: 'pytorch', backend: 'cpu', setup: (c, ctx) => torchSide(c, ctx) },
        { label: 'sparsegrad', backend: 'cpu', setup: (c, ctx) => ours(c, ctx, true) },
      ],
      reference: (c) => (c.params.target ? { targetRatio: 2.5, source: 'issue 19' } : undefined),
    },
  ],
};
