/**
 * Fold-in: a user's vector solved from their row with the items fixed. Folding in a user the
 * model was trained on gives back (nearly) its trained scores; held-out users get scores
 * that rank far above popularity.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { NegativeSamplingIterator } from '../../datasets/iterators/negative.js';
import { buildCSR } from '../../datasets/matrix.js';
import { batches, plantedLowRank } from '../helpers/data.js';
import { planted, matrixOf } from './planted.js';

/** Pearson correlation of two score vectors. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i] / n; mb += b[i] / n; }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) ** 2; sbb += (b[i] - mb) ** 2; }
  return sab / Math.sqrt(saa * sbb);
}

/** Over some training users: the worst correlation and the largest difference of trained and folded-in scores. */
function agreement(model: sg.models.MatrixFactorization, rows: sg.CSR, users: number[]): { worst: number; maxDiff: number } {
  const fold = sg.models.foldIn(model);
  let worst = 1;
  let maxDiff = 0;
  for (const u of users) {
    const trained = model.scoreItems(u);
    const folded = fold.scoresOf(fold.userVector(rows, u));
    worst = Math.min(worst, correlation(trained, folded));
    for (let i = 0; i < trained.length; i++) maxDiff = Math.max(maxDiff, Math.abs(trained[i] - folded[i]));
  }
  return { worst, maxDiff };
}

test('MF fold-in of a training user reproduces its predicted ratings (the same Funk-SVD objective, items fixed)', async () => {
  const data = plantedLowRank(150, 100, 3, 15000, 2, 0.3);
  sg.setSeed(4);
  const model = new sg.models.MatrixFactorization({ numUsers: 150, numItems: 100, dim: 8, biases: true, reg: 0.02, initStd: 0.1 });
  await sg.train.fit(model, batches(data.train, 300, 1), { epochs: 40, optimizer: { name: 'adam', lr: 0.01 }, verbose: false, progress: false });
  const rows = buildCSR(data.train.users, data.train.items, data.train.ratings, [150, 100], 'last');
  const { worst, maxDiff } = agreement(model, rows, [0, 7, 42, 99]);
  assert.ok(worst > 0.98, `correlation of trained and folded-in scores ${worst}`);
  assert.ok(maxDiff < 0.35, `largest rating difference ${maxDiff}`);
});

test('SVD++ fold-in of a training user reproduces its predicted ratings: the row\'s items give the implicit term, p_u is solved as for MF', async () => {
  const data = plantedLowRank(150, 100, 3, 1500, 2, 0.3);
  sg.setSeed(6);
  const model = sg.models.SVDpp.forRatings({ numUsers: 150, numItems: 100, ...data.train }, { dim: 8, reg: 0.02, implicitReg: 0.02, initStd: 0.1 });
  await sg.train.fit(model, batches(data.train, 300, 1), { epochs: 40, optimizer: { name: 'adam', lr: 0.01 }, verbose: false, progress: false });
  const rows = buildCSR(data.train.users, data.train.items, data.train.ratings, [150, 100], 'last');
  const { worst, maxDiff } = agreement(model, rows, [0, 7, 42, 99]);
  // 10 ratings a user, so the regulariser shapes p_u and the implicit term matters: folded in
  // as plain MF (z left out) the same users came back at correlation 0.917, largest difference 1.04
  assert.ok(worst > 0.94, `correlation of trained and folded-in scores ${worst}`);
  assert.ok(maxDiff < 0.8, `largest rating difference ${maxDiff}`);
});

test('ImplicitMF fold-in: a training user\'s scores come back; held-out users rank far above popularity', async () => {
  const data = planted({ users: 500, items: 200, seed: 3 });
  const split = sg.datasets.heldOutUsers(data, { heldOutUsers: 60, seed: 2, allItems: true });
  // the train users' clicks as (user, item) rows over the split's row indices
  const tr = split.train;
  const clicks = sg.datasets.clicksOfRows(tr);
  sg.setSeed(5);
  const model = new sg.models.ImplicitMF({ numUsers: tr.rows, numItems: tr.cols, dim: 16 });
  const it = new NegativeSamplingIterator(clicks, { sampleRatio: 5, batchSize: 512, seed: 1 });
  await sg.train.fit(model, it, { epochs: 15, optimizer: { name: 'adam', lr: 0.01 }, metrics: [], verbose: false, progress: false });
  const fold = sg.models.foldIn(model, { sampleRatio: 5 });
  for (const u of [1, 20, 300]) {
    const c = correlation(model.scoreItems(u), fold.scoresOf(fold.userVector(tr, u)));
    assert.ok(c > 0.9, `user ${u}: correlation ${c}`);
  }
  const ev = (m: sg.train.RankingScorer) => sg.train.evaluateRanking(m, split.test, { k: [20] }).metrics['recall@20'];
  const pop = ev(sg.train.PopularityScorer.fromMatrix(tr));
  const folded = ev(fold);
  assert.ok(folded > pop + 0.1, `held-out users by fold-in: recall@20 ${folded} vs popularity ${pop}`);
  // recommendFor: someone new, from three items; their items are not recommended back
  const row = matrixOf({ users: Int32Array.of(0, 0, 0), items: Int32Array.of(3, 9, 15), numUsers: 1, numItems: tr.cols });
  const top = fold.recommendFor(row, 5);
  assert.is(top.indices.length, 5);
  for (const i of [3, 9, 15]) assert.not.ok(Array.from(top.indices).includes(i));
});

test('fold-in refuses what it cannot solve', () => {
  const m = new sg.models.EmbeddingModel({ numUsers: 3, numItems: 4, scoring: 'cosine' });
  assert.throws(() => sg.models.foldIn(m), /scoring 'cosine'.*not supported/);
  const mf = new sg.models.MatrixFactorization({ numUsers: 3, numItems: 4, dim: 2 });
  const rows = matrixOf({ users: Int32Array.of(0), items: Int32Array.of(1), numUsers: 1, numItems: 5 });
  assert.throws(() => sg.models.foldIn(mf).userVector(rows, 0), /5 item columns, the model 4/);
});

test.run();
