/**
 * The training-step contract (models/train/types.ts): `trainingStep(batch)` gives the loss
 * and the predictions of a batch in one call, and no model keeps state between its forward
 * pass and its loss. Checked for every model by interleaving: two steps taken before either
 * loss is differentiated give the same predictions, losses and gradients as the same two
 * steps taken one after the other. A step changes the model only through its `afterUpdate`
 * (the VAE's β count, DSSM's seen items), which the loop runs only after an applied update.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { planted } from './planted.js';
import type { Batch, StepOutput } from '../../models/train/types.js';

const data = planted({ users: 40, items: 30, seed: 2 });
const U = data.numUsers;
const I = data.numItems;

/** Two pair batches (positives and a few negatives) and two row batches. */
function pairBatch(from: number, n: number): Batch {
  const user = data.users.slice(from, from + n);
  const item = data.items.slice(from, from + n);
  const label = new Float32Array(n).fill(1);
  for (let k = 0; k < n; k += 3) { item[k] = (item[k] + 7) % I; label[k] = 0; } // every third pair a (probable) negative
  return { inputs: { user, item }, label, size: n };
}
/** Two triple batches for the BPR models: (user, positive, another item as the negative). */
function tripleBatch(from: number, n: number): Batch {
  const user = data.users.slice(from, from + n);
  const item = data.items.slice(from, from + n);
  return { inputs: { user, item, negative: item.map((i) => (i + 7) % I) }, label: new Float32Array(n).fill(1), size: n };
}
const rowBatch = (a: number, b: number): Batch => ({ inputs: { rows: data.matrix.sliceRows(a, b) }, size: b - a });

const feats = sg.fromDense(Array.from({ length: I * 5 }, (_, k) => (k % 5 === Math.floor(k / 5) % 5 ? 1 : 0)), [I, 5]);
const models: [string, () => sg.models.Recommender, Batch, Batch][] = [
  ['MatrixFactorization', () => new sg.models.MatrixFactorization({ numUsers: U, numItems: I, dim: 4, biases: true, seed: 1 }), pairBatch(0, 24), pairBatch(24, 24)],
  ['DeepMF', () => new sg.models.DeepMF({ numUsers: U, numItems: I, hidden: [6], seed: 1 }), pairBatch(0, 24), pairBatch(24, 24)],
  ['DeepMF classification', () => new sg.models.DeepMF({ numUsers: U, numItems: I, hidden: [6], output: 'classification', classes: 2 }), pairBatch(0, 24), pairBatch(24, 24)],
  ['ImplicitMF', () => new sg.models.ImplicitMF({ numUsers: U, numItems: I, dim: 4, seed: 1 }), pairBatch(0, 24), pairBatch(24, 24)],
  ['ImplicitMF bpr', () => new sg.models.ImplicitMF({ numUsers: U, numItems: I, dim: 4, loss: 'bpr', seed: 1 }), tripleBatch(0, 24), tripleBatch(24, 24)],
  ['EmbeddingModel bpr', () => new sg.models.EmbeddingModel({ numUsers: U, numItems: I, dim: 4, loss: 'bpr', itemBias: true, seed: 1 }), tripleBatch(0, 24), tripleBatch(24, 24)],
  ['EmbeddingModel dot', () => new sg.models.EmbeddingModel({ numUsers: U, numItems: I, dim: 4, seed: 1 }), pairBatch(0, 24), pairBatch(24, 24)],
  ['EmbeddingModel cosine loss', () => new sg.models.EmbeddingModel({ numUsers: U, numItems: I, dim: 4, scoring: 'cosine', loss: 'cosine', seed: 1 }), pairBatch(0, 24), pairBatch(24, 24)],
  ['DSSM', () => new sg.models.DSSM({ numUsers: U, numItems: I, vocabSize: 5, hidden: [6], dim: 4, seed: 1 }, { itemFeatures: feats, userHistory: data.matrix }), pairBatch(0, 24), pairBatch(24, 24)],
  ['MultiLabel', () => new sg.models.MultiLabel({ numItems: I, hidden: [6], seed: 1 }), rowBatch(0, 10), rowBatch(10, 20)],
  ['MultiLabel sampled', () => new sg.models.MultiLabel({ numItems: I, hidden: [6], sampledOutputs: 4, seed: 1 }), rowBatch(0, 10), rowBatch(10, 20)],
  ['AutoEncoder', () => new sg.models.AutoEncoder({ numItems: I, hidden: [6, 3], seed: 1 }), rowBatch(0, 10), rowBatch(10, 20)],
  ['MultVAE', () => new sg.models.MultVAE({ numItems: I, hidden: [6], latent: 3, totalAnnealSteps: 2, seed: 1 }), rowBatch(0, 10), rowBatch(10, 20)],
];

interface Seen { pred: number[]; loss: number; grads: number[][] }

function record(model: sg.models.Recommender, out: StepOutput): Seen {
  out.loss.backward();
  const seen = { pred: Array.from(out.pred.dataSync()), loss: out.loss.item(), grads: model.parameters().map((p) => gradValues(p)) };
  for (const p of model.parameters()) p.grad = null;
  return seen;
}

function gradValues(p: sg.Tensor): number[] {
  const g = p.grad;
  if (!g) return [];
  return Array.from((g instanceof sg.RowSparse ? g.toDense() : g).dataSync());
}

const state = (m: sg.models.Recommender) => [...m.stateDict()].map(([k, t]) => [k, Array.from(t.dataSync())]);

for (const [name, make, b1, b2] of models) {
  test(`${name}: interleaved steps give what sequential steps give (no state between forward and loss)`, () => {
    // sequential: step, backward, step, backward
    sg.setSeed(3);
    const a = make();
    const seq = sg.tidy(() => [record(a, a.trainingStep(b1)), record(a, a.trainingStep(b2))]);
    // interleaved: both steps first, then both backward passes
    sg.setSeed(3);
    const b = make();
    const inter = sg.tidy(() => {
      const o1 = b.trainingStep(b1);
      const o2 = b.trainingStep(b2);
      return [record(b, o1), record(b, o2)];
    });
    assert.equal(inter, seq);
    assert.ok(seq[0].grads.some((g) => g.some((v) => v !== 0)), 'the loss has gradients');
  });

  test(`${name}: a step without afterUpdate, and forwardBatch, change nothing in the model`, () => {
    sg.setSeed(4);
    const m = make();
    const before = state(m);
    sg.tidy(() => m.trainingStep(b1).loss.item());
    m.eval();
    sg.noGrad(() => sg.tidy(() => m.forwardBatch(b2).dataSync()));
    assert.equal(state(m), before);
  });
}

test('DSSM: the prediction is the differentiable cosine the loss reads; positives become seen after the update', () => {
  const m = models.find(([n]) => n === 'DSSM')![1]() as sg.models.DSSM;
  const batch = pairBatch(0, 24);
  const labels = batch.label as Float32Array;
  const out = m.trainingStep(batch);
  assert.equal(out.pred.shape, [24]);
  assert.ok(out.pred.requiresGrad, 'the cosine is on the tape');
  const direct = sg.cosineMarginLoss(out.pred, sg.tensor(labels, [24]), { margin: m.config.margin }).item();
  assert.ok(Math.abs(out.loss.item() - direct) < 1e-7);
  const seenOf = () => Array.from(m.stateDict().get('itemSeen')!.dataSync());
  assert.ok(seenOf().every((v) => v === 0));
  out.afterUpdate!();
  const seen = seenOf();
  const items = batch.inputs.item as Int32Array;
  for (let k = 0; k < 24; k++) if (labels[k] > 0) assert.is(seen[items[k]], 1, `positive item ${items[k]} is seen`);
  assert.is(seen.filter((v) => v === 1).length, new Set(items.filter((_, k) => labels[k] > 0)).size, 'only positives');
});

test('MultVAE: β advances per applied update — a step mixed precision skipped does not count', async () => {
  sg.setSeed(5);
  const model = new sg.models.MultVAE({ numItems: I, hidden: [6], latent: 3, totalAnnealSteps: 100 });
  // a loss scale far too large for float16: the first steps overflow and are skipped
  const h = await sg.train.fitRows(model, data.matrix, { epochs: 3, batchSize: 5, amp: { initScale: 2 ** 24, growthInterval: 10 ** 6 }, verbose: false, progress: false });
  const { steps, skipped } = h.amp!.scaler;
  assert.ok(skipped >= 1 && skipped < steps, `some steps skipped (${skipped} of ${steps}), some applied`);
  assert.is(model.annealStep, steps - skipped);
});

test.run();
