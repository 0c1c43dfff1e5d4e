/**
 * The training steps the benchmarks time, built from the public API only (what a library
 * user would write), so a benchmark measures the library and not a hand-tuned special case.
 * Each builder returns a RunInstance: run() is one full step (forward, backward, optimizer
 * update) inside `tidy`, so memory stays flat however many rounds the runner takes.
 */
import * as sg from '../../index.js';
import type { BenchContext, RunInstance } from '../types.js';
import { prepareInput } from '../../models/autoencoder.js';

/** Uniform ids: the worst case for sparse gradients (real popularity is skewed, so batches repeat ids more). */
export function randomIds(n: number, max: number, rng: sg.RandomStream): Int32Array {
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = rng.int(max);
  return ids;
}

/** A few distinct batches, cycled, so every step does not hit the same (cached) rows. */
const POOL = 4;

/**
 * Ids 0 … n−1 of both tables, in batches of at most `chunk`, for steps run at setup: they
 * touch every row of every table and of the optimizer state once. Fresh zero-filled arrays
 * are mapped lazily by the OS, so without this a lazy update page-faults on rows it meets
 * for the first time — for dozens of steps at 1M rows — and the benchmark would time the
 * first epoch's page faults instead of the steady state a training run spends its time in.
 * (A dense update touches every row in its warm-up run anyway.) Chunks stay below the
 * 16,384-row texture limit of WebGL.
 */
function* allRows(users: number, items: number, chunk = 16384): Generator<{ u: Int32Array; i: Int32Array }> {
  const n = Math.max(users, items);
  for (let start = 0; start < n; start += chunk) {
    const len = Math.min(chunk, n - start);
    const u = new Int32Array(len);
    const i = new Int32Array(len);
    for (let k = 0; k < len; k++) { u[k] = (start + k) % users; i[k] = (start + k) % items; }
    yield { u, i };
  }
}

export type OptimizerKind = 'adam' | 'sgd-wd';

/** The seed's settings: Adam lr 0.001 (MXNet tutorial); SGD with weight decay (music post). */
export function makeOptimizer(kind: OptimizerKind, params: sg.Tensor[]): sg.optim.Optimizer {
  if (kind === 'adam') return new sg.optim.Adam(params, { lr: 0.001 });
  return new sg.optim.SGD(params, { lr: 0.01, weightDecay: 1e-4 });
}

export interface EmbeddingStepConfig {
  users: number;
  items: number;
  dim: number;
  batch: number;
  /** RowSparse gradients + lazy update, or dense gradients + dense update */
  sparse: boolean;
  optimizer: OptimizerKind;
  seed?: number;
}

/**
 * The embedding model: user and item tables, gather both, score = Σ(u ⊙ v) over the
 * embedding axis, MSE against ratings, backward, optimizer step. Dense: the gradient is a
 * [rows, dim] tensor and every row is updated (what TF.js does); sparse: RowSparse and the
 * lazy update touches the batch's rows only.
 */
export function embeddingStep(cfg: EmbeddingStepConfig, ctx: BenchContext): RunInstance {
  const seed = cfg.seed ?? 1;
  // uniform init: as good as normal for timing and ~3× faster to draw at 1M rows
  const init = { kind: 'uniform' as const, scale: 0.05 };
  const user = new sg.nn.Embedding({ num: cfg.users, dim: cfg.dim, sparseGrad: cfg.sparse, init, seed });
  const item = new sg.nn.Embedding({ num: cfg.items, dim: cfg.dim, sparseGrad: cfg.sparse, init, seed: seed + 1 });
  const opt = makeOptimizer(cfg.optimizer, [...user.parameters(), ...item.parameters()]);
  const rng = sg.randomStream('bench-ids', seed);
  const batches = Array.from({ length: POOL }, () => ({
    u: sg.keep(sg.tensor(randomIds(cfg.batch, cfg.users, rng), [cfg.batch], 'int32')),
    i: sg.keep(sg.tensor(randomIds(cfg.batch, cfg.items, rng), [cfg.batch], 'int32')),
    y: sg.keep(sg.rand([cfg.batch], { seed: rng.int(1e9), min: 1, max: 5 })),
  }));
  const step = (u: sg.Tensor | Int32Array, i: sg.Tensor | Int32Array, y: sg.Tensor) => sg.tidy(() => {
    const pred = sg.sum(sg.mul(user.forward(u), item.forward(i)), 1);
    sg.mse(pred, y).backward();
    opt.step();
    opt.zeroGrad();
  });
  if (cfg.sparse) for (const all of allRows(cfg.users, cfg.items)) sg.tidy(() => step(all.u, all.i, sg.zeros([all.u.length])));
  let k = 0;
  return {
    run() {
      const b = batches[k++ % POOL];
      step(b.u, b.i, b.y);
      ctx.sync(item.weight);
    },
    teardown() {
      opt.zeroGrad();
      opt.dispose();
      user.dispose();
      item.dispose();
      for (const b of batches) for (const t of [b.u, b.i, b.y]) t.dispose();
    },
  };
}

/** `batch` user rows over `items` columns, each with round(items·density) distinct items. */
export function randomUserRows(batch: number, items: number, density: number, rng: sg.RandomStream): sg.CSR {
  const per = Math.max(1, Math.round(items * density));
  const rows = new Int32Array(batch * per);
  const cols = new Int32Array(batch * per);
  const seen = new Uint8Array(items);
  let k = 0;
  for (let r = 0; r < batch; r++) {
    let n = 0;
    while (n < per) {
      const c = rng.int(items);
      if (seen[c]) continue;
      seen[c] = 1;
      rows[k] = r;
      cols[k++] = c;
      n++;
    }
    for (let p = k - per; p < k; p++) seen[cols[p]] = 0;
  }
  return sg.fromCOO(rows, cols, null, [batch, items]);
}

/** A CSR batch plus the flat positions of its entries in the [rows, items] output (for the likelihood's gather). */
function userRowBatch(x: sg.CSR, items: number): { x: sg.CSR; flat: sg.Tensor; values: sg.Tensor } {
  const flat = new Int32Array(x.nnz);
  for (let r = 0; r < x.rows; r++) for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) flat[p] = r * items + x.indices[p];
  return { x, flat: sg.keep(sg.tensor(flat, [flat.length], 'int32')), values: sg.keep(sg.tensor(x.values, [x.nnz, 1])) };
}

export interface UserRowStepConfig {
  items: number;
  batch: number;
  hidden: number;
  density: number;
  /** CSR batch straight into spmm, or the batch densified to [batch, items] each step */
  input: 'csr' | 'dense';
  /** add the decoder back to all items with a multinomial likelihood (the autoencoder step) */
  decoder: boolean;
  seed?: number;
}

/**
 * A user-row model step (the Mult-VAE / DSSTNE family without the extras): x (user rows) →
 * Linear(items → hidden) → tanh → [Linear(hidden → items) → log-softmax → −Σ x·log p].
 * Without the decoder the loss is mean(h²): only the input layer is measured, the part a
 * sparse input changes. The likelihood reads log p only at the batch's entries (a gather),
 * identically on both sides, so the two sides differ only in how the input arrives:
 * dense — the CSR batch is densified (as a dense data pipeline must) and multiplied densely,
 * its weight gradient dense; csr — spmm, RowSparse weight gradient, lazy update of the rows
 * of the items present.
 */
export function userRowStep(cfg: UserRowStepConfig, ctx: BenchContext): RunInstance {
  const seed = cfg.seed ?? 1;
  const csr = cfg.input === 'csr';
  const enc = new sg.nn.Linear(cfg.items, cfg.hidden, { sparseGrad: csr, seed, init: { kind: 'uniform', scale: 0.01 } });
  const dec = cfg.decoder ? new sg.nn.Linear(cfg.hidden, cfg.items, { seed: seed + 1, init: { kind: 'uniform', scale: 0.01 } }) : null;
  const params = [...enc.parameters(), ...(dec ? dec.parameters() : [])];
  const opt = new sg.optim.Adam(params, { lr: 0.001 });
  const rng = sg.randomStream('bench-rows', seed);
  const batches = Array.from({ length: 2 }, () => userRowBatch(randomUserRows(cfg.batch, cfg.items, cfg.density, rng), cfg.items));
  const step = (b: typeof batches[number]) => sg.tidy(() => {
    const input = csr ? b.x : sg.tensor(b.x.toDense(), [b.x.rows, cfg.items]);
    const h = sg.tanh(enc.forward(input));
    let loss: sg.Tensor;
    if (dec) {
      const logp = sg.logSoftmax(dec.forward(h));
      const picked = sg.gather(sg.reshape(logp, [b.x.rows * cfg.items, 1]), b.flat);
      loss = sg.div(sg.neg(sg.sum(sg.mul(picked, b.values))), b.x.rows);
    } else {
      loss = sg.mean(sg.square(h));
    }
    loss.backward();
    opt.step();
    opt.zeroGrad();
  });
  // one step on a batch holding every column once touches all rows of the weight and its
  // optimizer state (see allRows above)
  const cover = userRowBatch(sg.fromCOO(
    Int32Array.from({ length: cfg.items }, (_, c) => c % cfg.batch), Int32Array.from({ length: cfg.items }, (_, c) => c), null, [cfg.batch, cfg.items]), cfg.items);
  step(cover);
  cover.flat.dispose();
  cover.values.dispose();
  let k = 0;
  return {
    run() {
      step(batches[k++ % batches.length]);
      ctx.sync(enc.weight);
    },
    // what one batch of input takes: [batch, items] float32 densified, or the CSR arrays
    metrics: () => ({ inputBytes: csr ? batches[0].x.bytes : cfg.batch * cfg.items * 4 }),
    teardown() {
      opt.zeroGrad();
      opt.dispose();
      enc.dispose();
      dec?.dispose();
      for (const b of batches) { b.flat.dispose(); b.values.dispose(); }
    },
  };
}

export interface MLPStepConfig {
  users: number;
  items: number;
  dim: number;
  batch: number;
  hidden: number[];
  seed?: number;
}

/** DeepMF-like step: user and item embeddings → concat → Linear+relu per hidden size → Linear 1, MSE, lazy Adam. */
export function deepMFStep(cfg: MLPStepConfig, ctx: BenchContext): RunInstance {
  const seed = cfg.seed ?? 1;
  const init = { kind: 'uniform' as const, scale: 0.05 };
  const user = new sg.nn.Embedding({ num: cfg.users, dim: cfg.dim, init, seed });
  const item = new sg.nn.Embedding({ num: cfg.items, dim: cfg.dim, init, seed: seed + 1 });
  const layers: sg.nn.Module[] = [];
  let width = 2 * cfg.dim;
  cfg.hidden.forEach((h, i) => {
    layers.push(new sg.nn.Linear(width, h, { seed: seed + 2 + i }), new sg.nn.ReLU());
    width = h;
  });
  layers.push(new sg.nn.Linear(width, 1, { seed: seed + 99 }));
  const mlp = new sg.nn.Sequential(...layers);
  const opt = new sg.optim.Adam([...user.parameters(), ...item.parameters(), ...mlp.parameters()], { lr: 0.001 });
  const rng = sg.randomStream('bench-ids', seed);
  const batches = Array.from({ length: POOL }, () => ({
    u: sg.keep(sg.tensor(randomIds(cfg.batch, cfg.users, rng), [cfg.batch], 'int32')),
    i: sg.keep(sg.tensor(randomIds(cfg.batch, cfg.items, rng), [cfg.batch], 'int32')),
    y: sg.keep(sg.rand([cfg.batch, 1], { seed: rng.int(1e9), min: 1, max: 5 })),
  }));
  const step = (u: sg.Tensor | Int32Array, i: sg.Tensor | Int32Array, y: sg.Tensor) => sg.tidy(() => {
    const x = sg.concat([user.forward(u), item.forward(i)], 1);
    sg.mse(mlp.forward(x), y).backward();
    opt.step();
    opt.zeroGrad();
  });
  for (const all of allRows(cfg.users, cfg.items)) sg.tidy(() => step(all.u, all.i, sg.zeros([all.u.length, 1])));
  let k = 0;
  return {
    run() {
      const b = batches[k++ % POOL];
      step(b.u, b.i, b.y);
      ctx.sync(item.weight);
    },
    teardown() {
      opt.zeroGrad();
      opt.dispose();
      user.dispose();
      item.dispose();
      mlp.dispose();
      for (const b of batches) for (const t of [b.u, b.i, b.y]) t.dispose();
    },
  };
}

/**
 * The real Mult-VAE (models/vae.ts) fed densified rows: the prepared (normalised, dropped-out)
 * CSR batch becomes a [batch, items] tensor before the first layer, as a dense data pipeline
 * would hand it over, and that layer's weight gradient is dense. Everything else is MultVAE's.
 */
class DenseInputMultVAE extends sg.models.MultVAE {
  override encode(input: sg.CSR): { mu: sg.Tensor; logvar: sg.Tensor } {
    const c = this.config;
    const x = prepareInput(input, c.normalize, c.inputOrder, this.dropout);
    let out = this.encoder[0].forward(sg.tensor(x.toDense(), x.shape));
    for (let i = 1; i < this.encoder.length; i++) out = this.encoder[i].forward(sg.tanh(out));
    const B = out.shape[0];
    return { mu: sg.slice(out, [0, 0], [B, c.latent]), logvar: sg.slice(out, [0, c.latent], [B, c.latent]) };
  }
}

export interface MultVAEStepConfig {
  items: number;
  batch: number;
  hidden: number;
  latent: number;
  density: number;
  input: 'csr' | 'dense';
  seed?: number;
}

/** One Mult-VAE training step (forward, −ELBO, backward, Adam) through the model's own API. */
export function multVAEStep(cfg: MultVAEStepConfig, ctx: BenchContext): RunInstance {
  const seed = cfg.seed ?? 1;
  const vaeConfig = { numItems: cfg.items, hidden: [cfg.hidden], latent: cfg.latent, seed, sparseGrad: cfg.input === 'csr' };
  const model = cfg.input === 'csr' ? new sg.models.MultVAE(vaeConfig) : new DenseInputMultVAE(vaeConfig);
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.001 });
  const rng = sg.randomStream('bench-vae', seed);
  const batches = Array.from({ length: 2 }, () => ({ inputs: { rows: randomUserRows(cfg.batch, cfg.items, cfg.density, rng) } }));
  let k = 0;
  return {
    run() {
      sg.tidy(() => {
        const b = batches[k++ % batches.length];
        const { pred, loss } = model.trainingStep(b);
        loss.backward();
        opt.step();
        opt.zeroGrad();
        ctx.sync(pred);
      });
    },
    teardown() {
      opt.dispose();
      model.dispose();
    },
  };
}

