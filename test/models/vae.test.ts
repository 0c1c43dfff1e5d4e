/**
 * MultVAE and AutoEncoder: they learn planted structure under the held-out-users protocol,
 * β follows the annealing schedule, the input never becomes a dense [batch, items] tensor,
 * noise is seeded, evaluation is deterministic, checkpoints carry the anneal step.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';
import { engine } from '../../core/engine.js';
import { CSR } from '../../core/csr.js';
import { heldOutUsers } from '../../datasets/heldout.js';
import { planted } from './planted.js';

// not destructured into the class names: a bundler would then rename the classes (e.g. to
// _MultVAE), and checkpoints identify the model class by its constructor's name
const VAE = sg.models.MultVAE;
const DAE = sg.models.AutoEncoder;
const { fitRows, evaluateRanking, PopularityScorer } = sg.train;
const quiet = { verbose: false, progress: false } as const;
const ev = { k: [20], metrics: ['recall', 'ndcg'] as sg.train.RankingMetricName[] };

const data = planted({ users: 500, items: 300, seed: 1 });
const split = heldOutUsers(data, { heldOutUsers: 60, seed: 1 });
const N = split.numItems;
const popNdcg = evaluateRanking(PopularityScorer.fromMatrix(split.train), split.valid, ev).metrics['ndcg@20'];

test('MultVAE learns planted topics: validation NDCG@20 far above popularity', async () => {
  sg.setSeed(1);
  const model = new VAE({ numItems: N, hidden: [64], latent: 16, totalAnnealSteps: 100 });
  const h = await fitRows(model, split.train, {
    epochs: 10, batchSize: 50, optimizer: { name: 'adam', lr: 3e-3 }, evalSplit: split.valid, evalOptions: ev, keepBest: 'ndcg@20', ...quiet,
  });
  const best = Math.max(...h.epochs.map((e) => e.values['val-ndcg@20']));
  const after = evaluateRanking(model, split.valid, ev).metrics['ndcg@20'];
  assert.ok(Math.abs(after - best) < 1e-9, `keepBest restores the best epoch: ${after} vs ${best}`);
  assert.ok(best > 2 * popNdcg, `VAE ndcg@20 ${best.toFixed(3)} vs popularity ${popNdcg.toFixed(3)}`);
  assert.ok(h.epochs[0].values.loss > h.epochs.at(-1)!.values.loss, 'the loss goes down');
});

test('AutoEncoder (Mult-DAE) learns planted topics', async () => {
  sg.setSeed(2);
  const model = new DAE({ numItems: N, hidden: [64, 16] });
  const h = await fitRows(model, split.train, { epochs: 8, batchSize: 50, optimizer: { name: 'adam', lr: 3e-3 }, evalSplit: split.valid, evalOptions: ev, ...quiet });
  const ndcg = h.epochs.at(-1)!.values['val-ndcg@20'];
  assert.ok(ndcg > 2 * popNdcg, `DAE ndcg@20 ${ndcg.toFixed(3)} vs popularity ${popNdcg.toFixed(3)}`);
});

test('KL annealing: β = min(cap, updates / total), first step 0, counted per training step only', () => {
  assert.is(VAE.betaAt(0), 0);
  assert.is(VAE.betaAt(20_000), 0.1); // 20k of the 200k default steps: a tenth of the way to 1, below the 0.2 cap
  assert.is(VAE.betaAt(40_000), 0.2);
  assert.is(VAE.betaAt(10 ** 7), 0.2);
  assert.is(VAE.betaAt(5, 1, 10), 0.5);
  assert.is(VAE.betaAt(123, 0.3, 0), 0.3, 'total 0: β fixed at the cap');
  const model = new VAE({ numItems: 20, hidden: [8], latent: 4, totalAnnealSteps: 4, annealCap: 0.5 });
  const x = sg.fromDense(Array.from({ length: 3 * 20 }, (_, i) => (i % 7 === 0 ? 1 : 0)), [3, 20]);
  const betas: number[] = [];
  for (let s = 0; s < 4; s++) {
    betas.push(model.beta);
    sg.tidy(() => model.trainingStep({ inputs: { rows: x } }).afterUpdate!()); // as after an applied update
  }
  assert.equal(betas, [0, 0.25, 0.5, 0.5]);
  sg.tidy(() => model.trainingStep({ inputs: { rows: x } }).loss);
  assert.is(model.annealStep, 4, 'a step whose update was not applied does not advance the schedule');
  // the loss is −ELBO = NLL + β·KL: with β = 0 it is the multinomial likelihood alone
  const fresh = new VAE({ numItems: 20, hidden: [8], latent: 4, totalAnnealSteps: 4 });
  fresh.eval();
  const loss = sg.tidy(() => fresh.trainingStep({ inputs: { rows: x } }).loss.item());
  const nll = sg.tidy(() => sg.multinomialLogLikelihood(fresh.logits(x), x).item());
  assert.ok(Math.abs(loss - nll) < 1e-5);
});

/** Records the sizes of every buffer written to the backend, and any CSR densified. */
function spyOnWrites<T>(fn: () => T): { result: T; largest: number; densified: number } {
  const be = engine.backend;
  const write = be.write;
  const toDense = CSR.prototype.toDense;
  let largest = 0;
  let densified = 0;
  be.write = function (values, dtype) {
    largest = Math.max(largest, values.length);
    return write.call(this, values, dtype);
  };
  CSR.prototype.toDense = function () {
    densified++;
    return toDense.call(this);
  };
  try {
    return { result: fn(), largest, densified };
  } finally {
    be.write = write;
    CSR.prototype.toDense = toDense;
  }
}

test('MultVAE and AutoEncoder never materialise a dense [batch, items] input (training step and scoring)', () => {
  const items = 5000;
  const B = 64;
  // ~1% filled rows, as real user rows are
  const rows: number[] = [];
  const cols: number[] = [];
  const r = sg.randomStream('rows', 5);
  for (let u = 0; u < B; u++) for (let k = 0; k < 50; k++) { rows.push(u); cols.push(r.int(items)); }
  const x = sg.fromCOO(rows, cols, null, [B, items]);
  for (const model of [new VAE({ numItems: items, hidden: [32], latent: 8 }), new DAE({ numItems: items, hidden: [32, 8] })]) {
    const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-3 });
    const { largest, densified } = spyOnWrites(() => sg.tidy(() => {
      const loss = model.trainingStep({ inputs: { rows: x } }).loss;
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return model.scoreBatch(new Int32Array(B), x);
    }));
    assert.is(densified, 0, `${model.constructor.name}: a CSR was densified`);
    assert.ok(largest < B * items / 10, `${model.constructor.name}: a buffer of ${largest} values was uploaded (dense input would be ${B * items})`);
    // the first layer's gradient was row-sparse: only rows of items in the batch changed
    model.dispose();
    opt.dispose();
  }
});

test('MultVAE: the first layer gets a RowSparse gradient over the batch items; sparseGrad false gives dense', () => {
  const x = sg.fromDense([1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0], [2, 6]);
  for (const sparseGrad of [true, false]) {
    const model = new VAE({ numItems: 6, hidden: [4], latent: 2, sparseGrad });
    sg.tidy(() => model.trainingStep({ inputs: { rows: x } }).loss.backward());
    const g = model.encoder[0].weight.grad!;
    if (sparseGrad) {
      assert.ok(g instanceof sg.RowSparse);
      assert.equal(Array.from((g as sg.RowSparse).indices), [0, 2, 3, 4]); // the columns present in x
    } else assert.ok(!(g instanceof sg.RowSparse));
  }
});

test('MultVAE: noise is seeded (same seed, same loss), evaluation uses μ (deterministic)', () => {
  const x = sg.fromDense(Array.from({ length: 4 * 30 }, (_, i) => (i % 5 === 0 ? 1 : 0)), [4, 30]);
  const lossWith = (seed: number) => {
    sg.setSeed(seed);
    const m = new VAE({ numItems: 30, hidden: [8], latent: 4, totalAnnealSteps: 0, seed: 7 });
    return sg.tidy(() => m.trainingStep({ inputs: { rows: x } }).loss.item());
  };
  assert.is(lossWith(3), lossWith(3));
  assert.is.not(lossWith(3), lossWith(4));
  const m = new VAE({ numItems: 30, hidden: [8], latent: 4, seed: 7 });
  assert.equal(Array.from(m.scoreBatch(new Int32Array(4), x)), Array.from(m.scoreBatch(new Int32Array(4), x)));
});

test('MultVAE: checkpoint round trip keeps weights, config and the anneal step; recommend excludes the user\'s items', async () => {
  sg.setSeed(4);
  const model = new VAE({ numItems: N, hidden: [32], latent: 8, totalAnnealSteps: 50 });
  await fitRows(model, split.train, { epochs: 1, batchSize: 100, ...quiet });
  const dir = mkdtempSync(join(tmpdir(), 'sg-vae-'));
  sg.save(model, join(dir, 'vae.sgc'));
  const loaded = sg.load(join(dir, 'vae.sgc')) as InstanceType<typeof VAE>;
  assert.ok(loaded instanceof VAE);
  assert.is(loaded.annealStep, model.annealStep);
  assert.ok(model.annealStep > 0);
  assert.equal(loaded.config, model.config);
  const input = split.valid.input.sliceRows(0, 5);
  assert.equal(Array.from(loaded.scoreBatch(new Int32Array(5), input)), Array.from(model.scoreBatch(new Int32Array(5), input)));
  loaded.setUserRows(split.train);
  const own = new Set(Array.from(split.train.indices.subarray(split.train.indptr[0], split.train.indptr[1])));
  const top = loaded.recommend(0, 10);
  assert.is(top.indices.length, 10);
  for (const i of top.indices) assert.ok(!own.has(i), `recommended item ${i} the user already has`);
  const forNew = loaded.recommendFor([1, 2, 3], 5);
  for (const i of forNew.indices) assert.ok(![1, 2, 3].includes(i));
});

test('MultVAE: clear errors for bad configs and inputs', () => {
  assert.throws(() => new VAE({ numItems: 0 }), /MultVAE: numItems/);
  assert.throws(() => new VAE({ numItems: 5, hidden: [] }), /MultVAE: hidden/);
  const m = new VAE({ numItems: 5, hidden: [4], latent: 2 });
  assert.throws(() => m.forwardBatch({ inputs: { rows: sg.fromDense([1, 0, 1], [1, 3]) } }), /MultVAE: input rows have 3 item columns, the model has 5/);
  assert.throws(() => m.forwardBatch({ inputs: { user: new Int32Array(1) } }), /MultVAE: the batch needs the users' item rows as a CSR input named 'rows'/);
  assert.throws(() => m.scoreItems(0), /MultVAE: user 0 asked by index, but no user rows are attached: call setUserRows/);
  m.setUserRows(sg.fromDense([1, 0, 0, 0, 1], [1, 5]));
  assert.throws(() => m.scoreItems(1), /user index 1 is not in the model \(0 … 0\)/);
});

test.run();
