/**
 * FP32 vs FP16 vs mixed precision (issue 7). The seed's Mult-VAE case study gained 1.8×
 * from mixed precision on GPUs, where half-precision math units and halved memory traffic
 * both help. On this CPU every float16 value is decoded to float32 before arithmetic and
 * encoded after, so compute-bound steps get slower; what float16 buys here is bytes: an
 * embedding table in float16 is half the memory (`tableBytes`).
 *
 *   table: gather 25,000 rows + lazy SGD update of a float32 vs a float16 embedding table
 *   mf:    an MF training step in float32 vs with AMP (float16 compute, float32 masters)
 *   vae:   a Mult-VAE training step (20,000 items, 1% dense rows, batch 500) float32 vs AMP
 */
import * as sg from '../../index.js';
import type { BenchCase, Benchmark, BenchContext, RunInstance, SizeMode } from '../types.js';

function tableStep(dtype: 'float32' | 'float16', c: BenchCase, ctx: BenchContext): RunInstance {
  const rows = c.params.rows as number;
  const dim = c.params.dim as number;
  const batch = c.params.batch as number;
  const emb = new sg.nn.Embedding({ num: rows, dim, dtype, seed: 1 });
  const opt = new sg.optim.SGD(emb.parameters(), { lr: 0.01 });
  const r = sg.randomStream('bench-fp16', 2);
  const ids = Array.from({ length: 4 }, () => Int32Array.from({ length: batch }, () => r.int(rows)));
  let k = 0;
  return {
    run() {
      sg.tidy(() => {
        const y = emb.forward(ids[k++ % ids.length]);
        sg.sum(y).backward(undefined, { checkFinite: false });
        opt.step();
        opt.zeroGrad();
        ctx.sync(y);
      });
    },
    metrics: () => ({ tableBytes: emb.weight.bytes }),
    teardown() { emb.dispose(); opt.dispose(); },
  };
}

/** One training step in float32, or with mixed precision when `mp` is given. */
function trainStep(model: sg.models.Recommender, opt: sg.optim.Optimizer, mp: sg.optim.MixedPrecision | null,
  b: sg.train.Batch, ctx: BenchContext): void {
  sg.tidy(() => {
    const { pred, loss } = mp ? sg.nn.autocast('float16', () => model.trainingStep(b)) : model.trainingStep(b);
    if (mp) mp.backwardAndStep(loss);
    else {
      loss.backward(undefined, { checkFinite: false });
      opt.step();
      opt.zeroGrad();
    }
    ctx.sync(pred);
  });
}

function mfStep(amp: boolean, c: BenchCase, ctx: BenchContext): RunInstance {
  const { users, items, batch } = c.params as { users: number; items: number; batch: number };
  const model = new sg.models.MatrixFactorization({ numUsers: users, numItems: items, dim: 25 });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.001 });
  const mp = amp ? new sg.optim.MixedPrecision(model, opt) : null;
  const r = sg.randomStream('bench-fp16-mf', 3);
  const data = Array.from({ length: 4 }, () => ({
    inputs: { user: Int32Array.from({ length: batch }, () => r.int(users)), item: Int32Array.from({ length: batch }, () => r.int(items)) },
    label: Float32Array.from({ length: batch }, () => 0.5 + r.int(10) / 2),
  }));
  let k = 0;
  return {
    run() {
      const b = data[k++ % data.length];
      trainStep(model, opt, mp, b, ctx);
    },
    teardown() { model.dispose(); opt.dispose(); },
  };
}

function vaeStep(amp: boolean, c: BenchCase, ctx: BenchContext): RunInstance {
  const { items, batch, density } = c.params as { items: number; batch: number; density: number };
  const model = new sg.models.MultVAE({ numItems: items, hidden: [c.params.hidden as number], latent: c.params.latent as number, seed: 1 });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.001 });
  const mp = amp ? new sg.optim.MixedPrecision(model, opt) : null;
  const r = sg.randomStream('bench-fp16-vae', 4);
  const perRow = Math.max(1, Math.round(items * density));
  const data = Array.from({ length: 3 }, () => {
    const rowsIdx: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < batch; u++) for (let j = 0; j < perRow; j++) { rowsIdx.push(u); cols.push(r.int(items)); }
    return { inputs: { rows: sg.fromCOO(rowsIdx, cols, null, [batch, items]) } };
  });
  let k = 0;
  return {
    run() {
      const b = data[k++ % data.length];
      trainStep(model, opt, mp, b, ctx);
    },
    teardown() { model.dispose(); opt.dispose(); },
  };
}

function cases(size: SizeMode, backend?: string): BenchCase[] {
  // the software WebGL renderer is slow: CI's quick run uses tiny sizes there
  const t = size === 'tiny' || (size === 'quick' && backend === 'webgl');
  const q = size === 'quick';
  const table = { rows: t ? 2000 : q ? 131262 : 1000000, dim: t ? 8 : 64, batch: t ? 64 : 25000 };
  const mf = { users: t ? 300 : 138493, items: t ? 200 : 26744, batch: t ? 128 : 25000 };
  const vae = { items: t ? 500 : 20000, batch: t ? 16 : q ? 64 : 500, density: 0.01, hidden: t ? 32 : q ? 200 : 600, latent: t ? 8 : q ? 64 : 200 };
  const rep = t ? undefined : { warmup: 1, minRounds: 4, maxRounds: 12, budgetMs: 8000 };
  return [
    { id: `table:rows=${table.rows},dim=${table.dim},batch=${table.batch}`, label: `embedding ${table.rows.toLocaleString('en-US')}×${table.dim}, batch ${table.batch}`, params: { kind: 'table', ...table }, items: table.batch, itemUnit: 'rows', repeats: rep },
    { id: `mf:batch=${mf.batch}`, label: `MF ${mf.users}×${mf.items}, batch ${mf.batch}`, params: { kind: 'mf', ...mf }, items: mf.batch, repeats: rep },
    { id: `vae:items=${vae.items},batch=${vae.batch}`, label: `Mult-VAE ${vae.items} items, ${vae.hidden}-${vae.latent}-${vae.hidden}, batch ${vae.batch}`, params: { kind: 'vae', ...vae }, items: vae.batch, itemUnit: 'users', repeats: rep },
  ];
}

export const fp16: Benchmark = {
  name: 'fp16',
  description: 'FP32 vs FP16 tables vs AMP: embedding gather/update, MF step, Mult-VAE step. Ratio = fp32 time / other time; tableBytes shows the memory ratio.',
  cases,
  comparisons: [
    {
      id: 'table', title: 'Embedding gather + lazy update: float32 vs float16 table',
      appliesTo: (c) => c.params.kind === 'table',
      sides: [
        { label: 'fp32', setup: (c, ctx) => tableStep('float32', c, ctx) },
        { label: 'fp16', setup: (c, ctx) => tableStep('float16', c, ctx) },
      ],
    },
    {
      id: 'mf', title: 'MF training step: float32 vs AMP',
      appliesTo: (c) => c.params.kind === 'mf',
      sides: [
        { label: 'fp32', setup: (c, ctx) => mfStep(false, c, ctx) },
        { label: 'amp', setup: (c, ctx) => mfStep(true, c, ctx) },
      ],
      reference: () => ({ seedRatio: 1.8, source: 'Mult-VAE case study (mixed precision on GPUs)' }),
    },
    {
      id: 'vae', title: 'Mult-VAE training step: float32 vs AMP',
      appliesTo: (c) => c.params.kind === 'vae',
      sides: [
        { label: 'fp32', setup: (c, ctx) => vaeStep(false, c, ctx) },
        { label: 'amp', setup: (c, ctx) => vaeStep(true, c, ctx) },
      ],
      reference: () => ({ seedRatio: 1.8, source: 'Mult-VAE case study (mixed precision on GPUs)' }),
    },
  ],
};
