/**
 * BPR (Rendle et al. 2009): the pairwise sampler's triples (never a positive as the
 * negative, the same triples per seed), ImplicitMF and EmbeddingModel trained with
 * `loss: 'bpr'` learning planted topics far beyond popularity, fold-in of BPR users, the
 * recipe, bad configs, and the loss kept through a checkpoint.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';
import { perUserHoldout } from '../../datasets/splits.js';
import { PairwiseSamplingIterator } from '../../datasets/iterators/negative.js';
import { planted, matrixOf } from './planted.js';

const { evaluateRanking, PopularityScorer } = sg.train;
const ev = { k: [20], metrics: ['ndcg', 'auc'] as sg.train.RankingMetricName[] };
const quiet = { verbose: false, progress: false };

const data = planted({ users: 500, items: 300, seed: 1 });
const { train, test: held } = perUserHoldout(data, { fraction: 0.2, seed: 1 });
const split = { input: matrixOf(train), target: matrixOf(held) };
const pop = evaluateRanking(PopularityScorer.fromMatrix(split.input), split, ev).metrics;

/** Every triple of one epoch, as [user, positive, negative] rows. */
function epochTriples(it: PairwiseSamplingIterator): number[][] {
  const out: number[][] = [];
  for (const b of it) {
    for (let k = 0; k < b.inputs.user.length; k++) out.push([b.inputs.user[k], b.inputs.item[k], b.inputs.negative[k]]);
  }
  return out;
}

test('PairwiseSamplingIterator: each positive in `negatives` triples, never a positive as the negative', () => {
  const it = new PairwiseSamplingIterator(train, { negatives: 3, batchSize: 200, seed: 4 });
  const pos = matrixOf(train);
  const has = (u: number, i: number) => Array.from(pos.indices.subarray(pos.indptr[u], pos.indptr[u + 1])).includes(i);
  const triples = epochTriples(it);
  assert.is(triples.length, 3 * train.users.length);
  let sizes = 0;
  for (const b of new PairwiseSamplingIterator(train, { negatives: 3, batchSize: 200, seed: 4 })) {
    assert.is(b.size, b.inputs.user.length);
    assert.equal(Array.from(b.label!), new Array(b.size).fill(1));
    sizes += b.size;
  }
  assert.is(sizes, triples.length);
  for (const [u, i, j] of triples) {
    assert.ok(has(u, i), `(${u}, ${i}) is a positive`);
    assert.not.ok(has(u, j), `user ${u}'s negative ${j} is one of their positives`);
  }
  // a user with all but one item: rejection fails often, the exact draw finds the one left
  const dense = { numUsers: 1, numItems: 50, users: new Int32Array(49), items: Int32Array.from({ length: 49 }, (_, k) => (k < 17 ? k : k + 1)), ratings: new Float32Array(49) };
  for (const [, , j] of epochTriples(new PairwiseSamplingIterator(dense, { negatives: 2, batchSize: 16, seed: 1 }))) assert.is(j, 17);
  // `exclude` counts too: no triple's negative is an excluded (e.g. held-out) item of its user
  const all = matrixOf(data);
  const hasAny = (u: number, j: number) => Array.from(all.indices.subarray(all.indptr[u], all.indptr[u + 1])).includes(j);
  for (const [u, , j] of epochTriples(new PairwiseSamplingIterator(train, { batchSize: 500, seed: 2, exclude: data }))) assert.not.ok(hasAny(u, j));
  assert.throws(() => new PairwiseSamplingIterator(train, { negatives: 0 }), /PairwiseSamplingIterator: negatives must be a positive integer, got 0/);
});

test('PairwiseSamplingIterator: deterministic per seed, different across seeds; state/restore resumes mid-epoch', () => {
  const a = epochTriples(new PairwiseSamplingIterator(train, { batchSize: 300, seed: 7 }));
  const b = epochTriples(new PairwiseSamplingIterator(train, { batchSize: 300, seed: 7 }));
  const c = epochTriples(new PairwiseSamplingIterator(train, { batchSize: 300, seed: 8 }));
  assert.equal(a, b);
  assert.not.equal(a, c);
  const it = new PairwiseSamplingIterator(train, { batchSize: 300, seed: 7 });
  it.next();
  const saved = JSON.parse(JSON.stringify(it.state()));
  const next = it.next()!;
  const again = new PairwiseSamplingIterator(train, { batchSize: 300, seed: 7 });
  again.restore(saved);
  assert.equal(Array.from(again.next()!.inputs.negative), Array.from(next.inputs.negative));
  assert.throws(() => again.restore({ kind: 'NegativeSamplingIterator' }), /not a PairwiseSamplingIterator state/);
});

test('ImplicitMF with loss bpr: learns planted topics far beyond popularity; gradients stay row-sparse', async () => {
  sg.setSeed(1);
  const model = new sg.models.ImplicitMF({ numUsers: data.numUsers, numItems: data.numItems, dim: 16, loss: 'bpr' });
  const it = new PairwiseSamplingIterator(train, { negatives: 2, batchSize: 256, seed: 1 });
  // training predictions are P(i⁺ above j⁻): their mse against the triples' 1s falls
  const h = await sg.train.fit(model, it, { epochs: 8, optimizer: { name: 'adam', lr: 0.01 }, metrics: ['mse'], ...quiet });
  assert.ok(h.epochs.at(-1)!.values['train-mse'] < 0.5 * h.epochs[0].values['train-mse'], 'pairwise error fell');
  const m = evaluateRanking(model, split, ev).metrics;
  assert.ok(m['ndcg@20'] > 2 * pop['ndcg@20'], `ndcg@20 ${m['ndcg@20'].toFixed(3)} vs popularity ${pop['ndcg@20'].toFixed(3)}`);
  assert.ok(m.auc > pop.auc + 0.05, `auc ${m.auc.toFixed(3)} vs popularity ${pop.auc.toFixed(3)}`);
  // one step's gradients: RowSparse on the batch's rows only; b_u and b (they cancel) get none
  const batch = { inputs: { user: Int32Array.of(3, 3, 9), item: Int32Array.of(1, 4, 2), negative: Int32Array.of(7, 8, 1) }, label: Float32Array.of(1, 1, 1) };
  for (const p of model.parameters()) p.grad = null;
  sg.tidy(() => model.trainingStep(batch).loss.backward());
  assert.ok(model.item.weight.grad instanceof sg.RowSparse);
  assert.equal(Array.from((model.item.weight.grad as sg.RowSparse).indices), [1, 2, 4, 7, 8]);
  assert.equal(Array.from((model.user.weight.grad as sg.RowSparse).indices), [3, 9]);
  assert.equal(Array.from((model.itemBias!.grad as sg.RowSparse).indices), [1, 2, 4, 7, 8]);
  assert.is(model.userBias!.grad, null);
  assert.is(model.globalBias!.grad, null);
});

test('ImplicitMF bpr: the loss is the pairwise loss of its item scores (b_u cancels)', () => {
  sg.setSeed(3);
  const model = new sg.models.ImplicitMF({ numUsers: 4, numItems: 6, dim: 3, loss: 'bpr' });
  sg.tidy(() => {
    model.itemBias!.assign([0.5, -0.2, 0.1, 0, 0.3, -0.4]);
    model.userBias!.assign([10, -10, 3, 1]);
  });
  const users = Int32Array.of(0, 1, 2);
  const pos = Int32Array.of(1, 2, 3);
  const neg = Int32Array.of(4, 5, 0);
  const loss = sg.tidy(() => model.trainingStep({ inputs: { user: users, item: pos, negative: neg } }).loss.item());
  let expected = 0;
  for (let k = 0; k < 3; k++) {
    const s = model.scoreItems(users[k]);
    expected += Math.log1p(Math.exp(-(s[pos[k]] - s[neg[k]]))) / 3;
  }
  assert.ok(Math.abs(loss - expected) < 1e-5, `${loss} vs ${expected}`);
});

test('EmbeddingModel with loss bpr (dot, with item bias; cosine): beats popularity by a margin', async () => {
  for (const cfg of [{ scoring: 'dot', itemBias: true }, { scoring: 'cosine' }] as const) {
    sg.setSeed(2);
    const model = new sg.models.EmbeddingModel({ numUsers: data.numUsers, numItems: data.numItems, dim: 16, loss: 'bpr', ...cfg });
    const it = new PairwiseSamplingIterator(train, { negatives: 2, batchSize: 256, seed: 2 });
    await sg.train.fit(model, it, { epochs: 8, optimizer: { name: 'adam', lr: 0.01 }, metrics: [], ...quiet });
    const m = evaluateRanking(model, split, ev).metrics;
    assert.ok(m['ndcg@20'] > 2 * pop['ndcg@20'], `${cfg.scoring}: ndcg@20 ${m['ndcg@20'].toFixed(3)} vs popularity ${pop['ndcg@20'].toFixed(3)}`);
  }
});

test('bad configs and batches: clear errors', () => {
  assert.throws(() => new sg.models.ImplicitMF({ numUsers: 2, numItems: 3, loss: 'foo' as never }), /ImplicitMF: unknown loss 'foo' \(valid: logistic, bpr\)/);
  assert.throws(() => new sg.models.EmbeddingModel({ numUsers: 2, numItems: 3, loss: 'foo' as never }), /EmbeddingModel: unknown loss 'foo' \(valid: logistic, cosine, bpr\)/);
  const m = new sg.models.ImplicitMF({ numUsers: 2, numItems: 3, loss: 'bpr' });
  const pairs = { inputs: { user: Int32Array.of(0), item: Int32Array.of(1) }, label: Float32Array.of(1) };
  assert.throws(() => sg.tidy(() => m.trainingStep(pairs)), /ImplicitMF: the BPR loss needs triples.*'negative'.*PairwiseSamplingIterator.*has: user, item/);
  const short = { inputs: { user: Int32Array.of(0, 1), item: Int32Array.of(1, 2), negative: Int32Array.of(0) } };
  assert.throws(() => sg.tidy(() => m.trainingStep(short)), /ImplicitMF: a triple batch needs as many users as items and negatives, got 2, 2 and 1/);
});

test('checkpoint round trip keeps the loss (ImplicitMF, EmbeddingModel)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-bpr-'));
  const imf = new sg.models.ImplicitMF({ numUsers: 4, numItems: 5, dim: 3, loss: 'bpr', seed: 1 });
  sg.save(imf, join(dir, 'imf.sgc'));
  const a = sg.load(join(dir, 'imf.sgc'));
  assert.ok(a instanceof sg.models.ImplicitMF);
  assert.is((a as sg.models.ImplicitMF).config.loss, 'bpr');
  assert.equal(Array.from(a.scoreItems(2)), Array.from(imf.scoreItems(2)));
  const em = new sg.models.EmbeddingModel({ numUsers: 4, numItems: 5, dim: 3, loss: 'bpr', itemBias: true, seed: 1 });
  sg.save(em, join(dir, 'em.sgc'));
  const b = sg.load(join(dir, 'em.sgc')) as sg.models.EmbeddingModel;
  assert.is(b.config.loss, 'bpr');
  assert.ok(b.bias !== null);
  assert.equal(Array.from(b.scoreItems(1)), Array.from(em.scoreItems(1)));
  // and the default stays logistic
  sg.save(new sg.models.ImplicitMF({ numUsers: 4, numItems: 5, dim: 3 }), join(dir, 'log.sgc'));
  assert.is((sg.load(join(dir, 'log.sgc')) as sg.models.ImplicitMF).config.loss, 'logistic');
});

test('fold-in of a BPR model: a training user\'s ranking comes back; held-out users beat popularity', async () => {
  const d = planted({ users: 500, items: 200, seed: 3 });
  const s = sg.datasets.heldOutUsers(d, { heldOutUsers: 60, seed: 2, allItems: true });
  const tr = s.train;
  const clicks = sg.datasets.clicksOfRows(tr);
  sg.setSeed(5);
  const model = new sg.models.ImplicitMF({ numUsers: tr.rows, numItems: tr.cols, dim: 16, loss: 'bpr' });
  await sg.train.fit(model, new PairwiseSamplingIterator(clicks, { negatives: 3, batchSize: 512, seed: 1 }), { epochs: 15, optimizer: { name: 'adam', lr: 0.01 }, metrics: [], ...quiet });
  const fold = sg.models.foldIn(model, { sampleRatio: 3 });
  for (const u of [1, 20, 300]) {
    const c = spearman(model.scoreItems(u), fold.scoresOf(fold.userVector(tr, u)));
    assert.ok(c > 0.85, `user ${u}: rank correlation ${c}`);
  }
  const recall = (m: sg.train.RankingScorer) => evaluateRanking(m, s.test, { k: [20] }).metrics['recall@20'];
  const p = recall(PopularityScorer.fromMatrix(tr));
  const f = recall(fold);
  assert.ok(f > p + 0.1, `held-out users by fold-in: recall@20 ${f} vs popularity ${p}`);
});

test('trainImplicitMF with loss bpr: keeps the best validation epoch, beats popularity on test users; rejects a bad loss', async () => {
  const d = planted({ users: 400, items: 120, seed: 7 });
  const s = sg.datasets.heldOutUsers(d, { heldOutUsers: 50, seed: 3 });
  sg.setSeed(3);
  const r = await sg.models.trainImplicitMF(s.train, s.valid, { loss: 'bpr', epochs: 10, patience: 0, ...quiet });
  assert.is(r.model.config.loss, 'bpr');
  assert.is(r.settings.loss, 'bpr');
  assert.is(r.settings.sampleRatio, sg.models.IMPLICIT_MF_BPR_DEFAULTS.sampleRatio);
  const val = r.history.epochs.map((e) => e.values['val-ndcg@100']);
  assert.is(r.bestNdcg, Math.max(...val));
  const again = evaluateRanking(r.scorer, s.valid, { k: [100] }).metrics['ndcg@100'];
  assert.ok(Math.abs(again - r.bestNdcg) < 1e-6, `validation NDCG@100 now ${again}, kept ${r.bestNdcg}`);
  const recall = (m: sg.train.RankingScorer) => evaluateRanking(m, s.test, { k: [20] }).metrics['recall@20'];
  assert.ok(recall(r.scorer) > recall(PopularityScorer.fromMatrix(s.train)) + 0.05, 'fold-in above popularity');
  try {
    await sg.models.trainImplicitMF(s.train, s.valid, { loss: 'hinge' as never, ...quiet });
    assert.unreachable('bad loss accepted');
  } catch (e) {
    assert.match((e as Error).message, /trainImplicitMF: unknown loss 'hinge' \(valid: logistic, bpr\)/);
  }
});

/** Spearman rank correlation (no ties expected in float scores). */
function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const rank = (x: ArrayLike<number>) => {
    const idx = Array.from({ length: x.length }, (_, i) => i).sort((p, q) => x[p] - x[q]);
    const r = new Float64Array(x.length);
    idx.forEach((i, k) => { r[i] = k; });
    return r;
  };
  const ra = rank(a);
  const rb = rank(b);
  const n = a.length;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (ra[i] - rb[i]) ** 2;
  return 1 - (6 * d2) / (n * (n * n - 1));
}

test.run();
