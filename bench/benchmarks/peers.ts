/**
 * sparsegrad side by side with its peers (issue 16): the same workloads, on the same batches,
 * in PyTorch (CPU, in a child process: ../peers/pytorch-steps.ts) and in TF.js on its
 * WebAssembly backend (in this process: ../peers/tfjs.ts), each step interleaved with ours
 * (A B A B …), so the ratios hold on a shared machine. A peer that is not installed is
 * skipped with the reason; nothing here fails for a missing peer.
 *
 *   mf           MF at ML-20M shape (138,493 × 26,744, dim 25), batch 25,000, Adam
 *                (sparsegrad: fused gatherDot + lazy Adam; PyTorch: sparse Embedding + SparseAdam)
 *   mf-composed  the same tables composed from gather, mul, sum; batch 1,000 (PyTorch on 1 thread)
 *   deepmf       DeepMF 50-64-64-1 (concat of two 25-dim embeddings, relu MLP), batch 25,000
 *   mult-vae     Mult-VAE 20,000-600-200, batch 500, 1%-dense CSR input, −ELBO, Adam
 *                (PyTorch: sparse_csr input through torch.sparse.mm; TF.js has no sparse input)
 *   matmul       2048² float32 (all threads, and one thread on both sides)
 *
 * Ratios are speedups of sparsegrad: median(peer) / median(sparsegrad), > 1 when sparsegrad
 * is faster. A third comparison times sparsegrad on one thread against all threads.
 *
 *   sparsegrad bench --only peers                 # the issue's table (full sizes)
 *   sparsegrad bench --only peers --quick         # smaller VAE batch and matmul
 */
import * as sg from '../../index.js';
import { setThreads } from '../../backends/cpu/threads.js';
import { pytorch } from '../peers/pytorch.js';
import { gatherRows, tfjs, type Tf } from '../peers/tfjs.js';
import { BenchSkip, type BenchCase, type Benchmark, type BenchContext, type Comparison, type RunInstance, type SizeMode } from '../types.js';
import { randomUserRows } from './workloads.js';

const ML20M = { users: 138493, items: 26744, dim: 25 };

type Workload = 'mf' | 'mf-composed' | 'deepmf' | 'mult-vae' | 'matmul';

function cases(size: SizeMode): BenchCase[] {
  // torchThreads: PyTorch's threads for this case (the issue's table ran the small batch on one)
  const rec = (w: 'mf' | 'mf-composed' | 'deepmf', batch: number, torchThreads: number | null): BenchCase => ({
    id: `${w},batch=${batch}${torchThreads ? `,torch-threads=${torchThreads}` : ''}`,
    label: `${w === 'mf' ? 'MF' : w === 'deepmf' ? 'DeepMF 50-64-64-1' : 'MF composed'}, ML-20M shape, batch ${batch.toLocaleString('en-US')}${torchThreads ? ` (PyTorch on ${torchThreads} thread)` : ''}`,
    params: { workload: w, ...ML20M, batch, hidden: '64,64', ...(torchThreads ? { torchThreads } : {}) },
    items: batch, itemUnit: 'samples',
    repeats: { warmup: 2, minRounds: 5, maxRounds: 30 },
  });
  const vae = (batch: number): BenchCase => ({
    id: `mult-vae,items=20000,batch=${batch}`,
    label: `Mult-VAE 20,000-600-200, batch ${batch}, 1% CSR input`,
    params: { workload: 'mult-vae', items: 20000, batch, hidden: 600, latent: 200, density: 0.01 },
    items: batch, itemUnit: 'users',
    repeats: { warmup: 1, minRounds: 3, maxRounds: 10 },
  });
  // threads: both sides on that many threads (else all of them)
  const mm = (n: number, threads: number | null): BenchCase => ({
    id: `matmul,n=${n}${threads ? `,threads=${threads}` : ''}`,
    label: `matmul ${n}², float32${threads ? `, ${threads} thread` : ''}`,
    params: { workload: 'matmul', n, ...(threads ? { threads } : {}) },
    items: 2 * n ** 3, itemUnit: 'FLOP',
    repeats: { warmup: 1, minRounds: 5, maxRounds: 20 },
  });
  // tiny (the test suite's smoke run): the peers skip themselves there (starting Python and
  // TF.js costs seconds; test/bench/peers.test.ts runs them where they are installed)
  if (size === 'tiny') return [mm(64, null)];
  if (size === 'quick') return [rec('mf', 25000, null), rec('mf-composed', 1000, 1), rec('deepmf', 25000, null), vae(100), mm(1024, null)];
  return [rec('mf', 25000, null), rec('mf-composed', 1000, 1), rec('deepmf', 25000, null), vae(500), mm(2048, null), mm(2048, 1)];
}

// ---- the data every side trains on (made once per case) -----------------------------------

interface RatingBatch { user: Int32Array; item: Int32Array; label: Float32Array }
const dataCache = new Map<string, RatingBatch[] | sg.CSR[]>();

/** Four batches, users uniform, items power-law like MovieLens popularity, half-star ratings. */
function ratingBatches(c: BenchCase): RatingBatch[] {
  const key = `ratings:${c.params.users}:${c.params.items}:${c.params.batch}`;
  if (!dataCache.has(key)) {
    const { users, items, batch } = c.params as { users: number; items: number; batch: number };
    const r = sg.randomStream('bench-peers', 1);
    dataCache.set(key, Array.from({ length: 4 }, () => ({
      user: Int32Array.from({ length: batch }, () => r.int(users)),
      item: Int32Array.from({ length: batch }, () => Math.min(items - 1, Math.floor(items * Math.pow(r.next(), 3)))),
      label: Float32Array.from({ length: batch }, () => 0.5 + r.int(10) / 2),
    })));
  }
  return dataCache.get(key) as RatingBatch[];
}

function userRows(c: BenchCase): sg.CSR[] {
  const key = `rows:${c.params.items}:${c.params.batch}`;
  if (!dataCache.has(key)) {
    const r = sg.randomStream('bench-peers', 2);
    dataCache.set(key, [0, 1].map(() => randomUserRows(c.params.batch as number, c.params.items as number, c.params.density as number, r)));
  }
  return dataCache.get(key) as sg.CSR[];
}

const workload = (c: BenchCase) => c.params.workload as Workload;
const hidden = (c: BenchCase) => String(c.params.hidden).split(',').map(Number);

// ---- sparsegrad ------------------------------------------------------------------------------

/** MF composed from primitives (gather, gather, mul, sum): what the fused gatherDot replaces. */
class ComposedMF extends sg.models.MatrixFactorization {
  override predictPairs(users: Int32Array, items: Int32Array): sg.Tensor {
    return sg.sum(sg.mul(this.user.forward(users), this.item.forward(items)), 1);
  }
}

/** Runs `f` with the case's thread count (all threads when it names none). */
function withThreads<T>(c: BenchCase, f: () => T): T {
  const before = setThreads((c.params.threads as number | undefined) ?? Infinity);
  try {
    return f();
  } finally {
    setThreads(before);
  }
}

function ours(c: BenchCase, ctx: BenchContext, threads?: number): RunInstance {
  const cs: BenchCase = threads === undefined ? c : { ...c, params: { ...c.params, threads } };
  const p = c.params;
  const w = workload(c);
  if (w === 'matmul') {
    const n = p.n as number;
    const a = sg.randn([n, n], { seed: 1 }), b = sg.randn([n, n], { seed: 2 });
    return {
      run: () => withThreads(cs, () => sg.tidy(() => { ctx.sync(sg.matmul(a, b)); })),
      teardown() { a.dispose(); b.dispose(); },
    };
  }
  if (w === 'mult-vae') {
    const model = new sg.models.MultVAE({ numItems: p.items as number, hidden: [p.hidden as number], latent: p.latent as number, seed: 1 });
    const opt = new sg.optim.Adam(model.parameters(), { lr: 0.001 });
    const batches = userRows(c).map((rows) => ({ inputs: { rows } }));
    let k = 0;
    return {
      run: () => withThreads(cs, () => sg.tidy(() => {
        const b = batches[k++ % batches.length];
        const { pred, loss } = model.trainingStep(b);
        loss.backward();
        opt.step();
        opt.zeroGrad();
        ctx.sync(pred);
      })),
      teardown() { opt.dispose(); model.dispose(); },
    };
  }
  const cfg = { numUsers: p.users as number, numItems: p.items as number };
  const model: sg.models.Recommender = w === 'deepmf' ? new sg.models.DeepMF({ ...cfg, hidden: hidden(c) })
    : w === 'mf-composed' ? new ComposedMF({ ...cfg, dim: p.dim as number }) : new sg.models.MatrixFactorization({ ...cfg, dim: p.dim as number });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.001 });
  const batches = ratingBatches(c).map((b) => ({ inputs: { user: b.user, item: b.item }, label: b.label, size: b.label.length }));
  let k = 0;
  return {
    run: () => withThreads(cs, () => sg.tidy(() => {
      const b = batches[k++ % batches.length];
      const { pred, loss } = model.trainingStep(b);
      loss.backward(undefined, { checkFinite: false });
      opt.step();
      opt.zeroGrad();
      ctx.sync(pred);
      model.predictionValues(pred);
    })),
    teardown() { model.dispose(); opt.dispose(); },
  };
}

// ---- PyTorch ---------------------------------------------------------------------------------

/** At --tiny (the smoke test) no peer process is started. */
function notAtTiny(ctx: BenchContext): void {
  if (ctx.size === 'tiny') throw new BenchSkip('peers are not started at --tiny (the test suite runs them in test/bench/peers.test.ts)');
}

async function torchSide(c: BenchCase, ctx: BenchContext): Promise<RunInstance> {
  notAtTiny(ctx);
  let peer;
  try {
    peer = await pytorch();
  } catch (err) {
    throw new BenchSkip(`PyTorch not available: ${(err as Error).message}`);
  }
  const w = workload(c);
  const threads = c.params.threads ?? c.params.torchThreads ?? null;
  const p = { ...c.params, threads, hidden: w === 'mult-vae' ? c.params.hidden : hidden(c) };
  const data = w === 'mult-vae'
    ? { batches: userRows(c).map((x) => ({ indptr: Array.from(x.indptr), indices: Array.from(x.indices), values: Array.from(x.values) })) }
    : w === 'matmul' ? {} : { batches: ratingBatches(c).map((b) => ({ user: Array.from(b.user), item: Array.from(b.item), label: Array.from(b.label) })) };
  const torchWorkload = w === 'mf-composed' ? 'mf' : w;
  await peer.request({ cmd: 'setup', workload: torchWorkload, params: p, data });
  return {
    run: async () => Number((await peer.request({ cmd: 'step' })).ms),
    teardown: async () => { await peer.request({ cmd: 'teardown' }); },
  };
}

// ---- TF.js -----------------------------------------------------------------------------------

async function tfjsSide(c: BenchCase, ctx: BenchContext): Promise<RunInstance> {
  notAtTiny(ctx);
  const w = workload(c);
  if (w === 'mult-vae') throw new BenchSkip('TF.js has no sparse (CSR) input: the Mult-VAE step is not comparable');
  let tf: Tf;
  try {
    tf = await tfjs();
  } catch (err) {
    throw new BenchSkip((err as Error).message);
  }
  const p = c.params;
  if (w === 'matmul') {
    const n = p.n as number;
    const a = tf.randomNormal([n, n]), b = tf.randomNormal([n, n]);
    return {
      run() { const y = tf.matMul(a, b); y.dataSync(); y.dispose(); },
      teardown() { a.dispose(); b.dispose(); },
    };
  }
  const dim = p.dim as number;
  const gather = gatherRows(tf);
  const U = tf.variable(tf.randomNormal([p.users, dim], 0, 0.01));
  const I = tf.variable(tf.randomNormal([p.items, dim], 0, 0.01));
  const mlp: Tf[] = [];
  if (w === 'deepmf') {
    let width = 2 * dim;
    for (const h of [...hidden(c), 1]) {
      mlp.push(tf.variable(tf.randomNormal([width, h], 0, Math.sqrt(2 / width))), tf.variable(tf.zeros([h])));
      width = h;
    }
  }
  const opt = tf.train.adam(0.001);
  const batches = ratingBatches(c).map((b) => ({ u: tf.tensor1d(b.user, 'int32'), i: tf.tensor1d(b.item, 'int32'), y: tf.tensor1d(b.label) }));
  let k = 0;
  const predict = (b: { u: Tf; i: Tf }): Tf => {
    if (w !== 'deepmf') return tf.sum(tf.mul(gather(U, b.u), gather(I, b.i)), 1);
    let h = tf.concat([gather(U, b.u), gather(I, b.i)], 1);
    for (let l = 0; l < mlp.length; l += 2) {
      h = tf.add(tf.matMul(h, mlp[l]), mlp[l + 1]);
      if (l + 2 < mlp.length) h = tf.relu(h);
    }
    return tf.reshape(h, [-1]);
  };
  return {
    run() {
      const b = batches[k++ % batches.length];
      tf.tidy(() => {
        const loss = opt.minimize(() => tf.mean(tf.square(tf.sub(predict(b), b.y))), true, [U, I, ...mlp]);
        loss.dataSync();
      });
    },
    teardown() {
      for (const t of [U, I, ...mlp]) t.dispose();
      for (const b of batches) for (const t of [b.u, b.i, b.y]) t.dispose();
      opt.dispose();
    },
  };
}

// ---- the benchmark ---------------------------------------------------------------------------

const TARGETS: Partial<Record<Workload, number>> = { 'mult-vae': 1 / 1.5, deepmf: 1, mf: 1 };

const comparisons: Comparison[] = [
  {
    id: 'pytorch',
    title: 'PyTorch (CPU) vs sparsegrad: speedup = PyTorch time / sparsegrad time',
    sides: [{ label: 'pytorch', setup: (c, ctx) => torchSide(c, ctx) }, { label: 'sparsegrad', setup: (c, ctx) => ours(c, ctx) }],
    reference: (c) => {
      const t = TARGETS[workload(c)];
      const gflops = workload(c) === 'matmul' && !c.params.threads ? { targetThroughput: 30e9, side: 'sparsegrad' } : {};
      return t !== undefined || gflops.targetThroughput ? { ...(t !== undefined ? { targetRatio: t } : {}), ...gflops, source: 'issue 16' } : undefined;
    },
  },
  {
    id: 'tfjs',
    title: 'TF.js (wasm backend) vs sparsegrad: speedup = TF.js time / sparsegrad time',
    sides: [{ label: 'tfjs', setup: (c, ctx) => tfjsSide(c, ctx) }, { label: 'sparsegrad', setup: (c, ctx) => ours(c, ctx) }],
    appliesTo: (c) => !c.params.threads,
  },
  {
    id: 'threads',
    title: 'sparsegrad on one thread vs all threads: speedup = 1-thread time / all-threads time',
    sides: [{ label: '1 thread', setup: (c, ctx) => ours(c, ctx, 1) }, { label: 'all threads', setup: (c, ctx) => ours(c, ctx, Infinity) }],
    appliesTo: (c) => !c.params.threads,
    reference: (c) => (workload(c) === 'matmul' ? { targetRatio: 1.7, source: 'issue 16 (second core)' } : undefined),
  },
];

export const peers: Benchmark = {
  name: 'peers',
  // once, on the CPU backend (the peers run on their CPUs)
  backendMode: 'pinned',
  requires: ['cpu'],
  description: 'sparsegrad vs PyTorch (CPU) and TF.js (wasm) on the same workloads and batches, interleaved step by step; '
    + 'a peer that is not installed is skipped. Also sparsegrad on one thread vs all threads.',
  cases,
  comparisons,
};
