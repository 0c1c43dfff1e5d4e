/**
 * Training throughput of the seed tutorial's models at ML-20M shape (issue 6): 138,493
 * users, 26,744 items, batch 25,000, Adam lr 0.001, item ids drawn from a power law like
 * MovieLens popularity. One run = one full training step (forward, loss, backward, lazy
 * Adam update, predictions read back for the metric), as `fit` does it.
 *
 *   MF:     composed ops (gather, gather, mul, sum) vs the fused gatherDot path
 *   DeepMF: dense embedding gradients vs row-sparse (64-relu-64-relu-1 MLP on top)
 *
 * The seed's MXNet on a GPU: MF ≈ 190,000 samples/s, DeepMF ≈ 126,000. Targets here, on a
 * 2-core CPU: MF ≥ 1,000,000, DeepMF ≥ 130,000.
 */
import * as sg from '../../index.js';
import type { BenchCase, Benchmark, BenchContext, RunInstance, SizeMode } from '../types.js';

const ML20M = { users: 138493, items: 26744 };

function shape(size: SizeMode, backend?: string) {
  if (size === 'tiny') return { users: 500, items: 300, batch: 256 };
  // the software WebGL renderer is slow: CI's quick run uses a smaller batch there
  if (size === 'quick') return { ...ML20M, batch: backend === 'webgl' ? 2500 : 25000 };
  return { ...ML20M, batch: 25000 };
}

/** A few batches with MovieLens-like skew: item popularity ~ a power law. */
function batches(users: number, items: number, batch: number, seed: number) {
  const r = sg.randomStream('bench-throughput', seed);
  return Array.from({ length: 4 }, () => ({
    inputs: {
      user: Int32Array.from({ length: batch }, () => r.int(users)),
      item: Int32Array.from({ length: batch }, () => Math.min(items - 1, Math.floor(items * Math.pow(r.next(), 3)))),
    },
    label: Float32Array.from({ length: batch }, () => 0.5 + r.int(10) / 2),
    size: batch,
  }));
}

/** MF without the fused path: what the same model costs when composed from primitives. */
class ComposedMF extends sg.models.MatrixFactorization {
  override predictPairs(users: Int32Array, items: Int32Array): sg.Tensor {
    return sg.sum(sg.mul(this.user.forward(users), this.item.forward(items)), 1);
  }
}

function trainingStep(model: sg.models.Recommender, c: BenchCase, ctx: BenchContext): RunInstance {
  const p = c.params;
  const data = batches(p.users as number, p.items as number, p.batch as number, 1);
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.001 });
  let k = 0;
  return {
    run() {
      const b = data[k++ % data.length];
      sg.tidy(() => {
        const { pred, loss } = model.trainingStep(b);
        loss.backward(undefined, { checkFinite: false });
        opt.step();
        opt.zeroGrad();
        ctx.sync(pred);
        model.predictionValues(pred);
      });
    },
    teardown() {
      model.dispose();
      opt.dispose();
    },
  };
}

function cases(size: SizeMode, backend?: string): BenchCase[] {
  const s = shape(size, backend);
  return [{
    id: `users=${s.users},items=${s.items},batch=${s.batch}`,
    label: `${s.users.toLocaleString('en-US')} users × ${s.items.toLocaleString('en-US')} items, batch ${s.batch.toLocaleString('en-US')}`,
    params: s, items: s.batch, itemUnit: 'samples',
    repeats: size === 'tiny' ? undefined : { warmup: 2, minRounds: 6, maxRounds: 20, budgetMs: 15000 },
  }];
}

export const throughput: Benchmark = {
  name: 'throughput',
  description: 'MF and DeepMF training steps at ML-20M shape (batch 25,000, Adam): samples/s.',
  cases,
  comparisons: [
    {
      id: 'mf',
      title: 'MF step: composed ops vs fused gatherDot (sparse grads, lazy Adam)',
      sides: [
        { label: 'composed', setup: (c, ctx) => trainingStep(new ComposedMF({ numUsers: c.params.users as number, numItems: c.params.items as number, dim: 25 }), c, ctx) },
        { label: 'fused', setup: (c, ctx) => trainingStep(new sg.models.MatrixFactorization({ numUsers: c.params.users as number, numItems: c.params.items as number, dim: 25 }), c, ctx) },
      ],
      reference: () => ({ targetThroughput: 1_000_000, seedThroughput: 190_000, side: 'fused', source: 'MXNet MF tutorial on a GPU' }),
    },
    {
      id: 'deepmf',
      title: 'DeepMF 64-64-1 step: dense vs row-sparse embedding gradients',
      sides: [
        { label: 'dense grad', setup: (c, ctx) => trainingStep(new sg.models.DeepMF({ numUsers: c.params.users as number, numItems: c.params.items as number, sparseGrad: false }), c, ctx) },
        { label: 'sparse grad', setup: (c, ctx) => trainingStep(new sg.models.DeepMF({ numUsers: c.params.users as number, numItems: c.params.items as number }), c, ctx) },
      ],
      reference: () => ({ targetThroughput: 130_000, seedThroughput: 126_000, side: 'sparse grad', source: 'MXNet deep MF tutorial on a GPU' }),
    },
  ],
};
