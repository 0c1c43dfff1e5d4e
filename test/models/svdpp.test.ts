/**
 * SVD++ (models/svdpp.ts): its loss and its row-sparse Y gradient against a hand
 * computation, what the implicit term buys when a user's taste shows in *which* items they
 * rated, checkpoints that carry the histories, and users it cannot place.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';
import { randomStream } from '../../core/random.js';
import { batches, type Triples } from '../helpers/data.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-svdpp-'));
const csrOf = (rows: number[][], cols: number) => {
  const r: number[] = [];
  const c: number[] = [];
  rows.forEach((items, u) => items.forEach((i) => { r.push(u); c.push(i); }));
  return sg.fromCOO(r, c, r.map(() => 1), [rows.length, cols]);
};

/** A small model with set biases and a known history: users 0…3 over 5 items (user 3 has none). */
function small(implicitReg = 0.2): { model: sg.models.SVDpp; hist: number[][] } {
  const hist = [[0, 2], [1, 2, 4], [3], []];
  const model = new sg.models.SVDpp({ numUsers: 4, numItems: 5, dim: 3, reg: 0.1, implicitReg, initStd: 0.5, globalMean: 3, seed: 4 }, { history: csrOf(hist, 5) });
  model.userBias!.backend.overwrite(model.userBias!.dataId, Float32Array.of(0.1, -0.2, 0.3, 0.4));
  model.itemBias!.backend.overwrite(model.itemBias!.dataId, Float32Array.of(0.2, 0.1, -0.1, 0.3, 0.05));
  return { model, hist };
}

/** r̂ = μ + b_u + b_i + q_i·(p_u + |N(u)|^-½ Σ y_j), on the host in float64. */
function byHand(model: sg.models.SVDpp, hist: number[][], u: number, i: number): { pred: number; z: number[] } {
  const d = model.config.dim;
  const P = model.user.weight.dataSync();
  const Q = model.item.weight.dataSync();
  const Y = model.implicit.weight.dataSync();
  const z = Array.from({ length: d }, (_, t) => hist[u].reduce((s, j) => s + Y[j * d + t], 0) / (hist[u].length ? Math.sqrt(hist[u].length) : 1));
  let pred = model.globalBias!.item() + model.userBias!.dataSync()[u] + model.itemBias!.dataSync()[i];
  for (let t = 0; t < d; t++) pred += Q[i * d + t] * (P[u * d + t] + z[t]);
  return { pred, z };
}

test('SVD++ predicts μ + b_u + b_i + q_i·(p_u + |N(u)|^-½ Σ y_j); the loss adds implicitReg·Σ_{j∈N(u)} ‖y_j‖² per rating; Y\'s gradient is RowSparse over the histories and equals the hand-derived one', () => {
  const { model, hist } = small();
  const users = Int32Array.of(0, 1, 1, 3);
  const items = Int32Array.of(1, 0, 3, 2);
  const label = Float32Array.of(4, 2, 5, 3);
  const B = users.length;
  const d = 3;
  const Y = model.implicit.weight.dataSync();
  const P = model.user.weight.dataSync();
  const Q = model.item.weight.dataSync();
  const bu = model.userBias!.dataSync();
  const bi = model.itemBias!.dataSync();
  const { pred, loss } = model.trainingStep({ inputs: { user: users, item: items }, label });
  const p = pred.dataSync();
  let expected = 0;
  const err: number[] = [];
  for (let e = 0; e < B; e++) {
    const h = byHand(model, hist, users[e], items[e]);
    assert.ok(Math.abs(p[e] - h.pred) < 1e-5, `pair ${e}: ${p[e]} vs ${h.pred}`);
    err.push(p[e] - label[e]);
    let mf = bu[users[e]] ** 2 + bi[items[e]] ** 2;
    for (let t = 0; t < d; t++) mf += P[users[e] * d + t] ** 2 + Q[items[e] * d + t] ** 2;
    let yy = 0;
    for (const j of hist[users[e]]) for (let t = 0; t < d; t++) yy += Y[j * d + t] ** 2;
    expected += ((p[e] - label[e]) ** 2 + 0.1 * mf + 0.2 * yy) / B;
  }
  assert.ok(Math.abs(loss.item() - expected) < 1e-5, `loss ${loss.item()} vs ${expected}`);
  loss.backward();
  const g = model.implicit.weight.grad as sg.RowSparse;
  assert.ok(g instanceof sg.RowSparse, 'Y\'s gradient stays row-sparse');
  // users 0, 1, 3 are in the batch: items of N(0) ∪ N(1) (user 3 has none; item 3 is user 2's only)
  assert.equal(Array.from(g.indices), [0, 1, 2, 4]);
  const got = g.values.dataSync();
  g.indices.forEach((j, r) => {
    for (let t = 0; t < d; t++) {
      let want = 0;
      for (let e = 0; e < B; e++) {
        const h = hist[users[e]];
        if (!h.includes(j)) continue;
        want += (2 / B) * err[e] * Q[items[e] * d + t] / Math.sqrt(h.length) + (2 / B) * 0.2 * Y[j * d + t];
      }
      assert.ok(Math.abs(got[r * d + t] - want) < 1e-5, `dL/dy[${j}][${t}]: ${got[r * d + t]} vs ${want}`);
    }
  });
  assert.equal(Array.from((model.user.weight.grad as sg.RowSparse).indices), [0, 1, 3]);
});

test('SVD++ refuses what it cannot use: no histories, a history of the wrong shape, a negative implicitReg', () => {
  assert.throws(() => new sg.models.SVDpp({ numUsers: 2, numItems: 3 }), /give the training histories/);
  assert.throws(() => new sg.models.SVDpp({ numUsers: 2, numItems: 3 }, { history: csrOf([[0], [1], [2]], 3) }), /history is 3×3, expected numUsers × numItems = 2×3/);
  assert.throws(() => new sg.models.SVDpp({ numUsers: 1, numItems: 3, implicitReg: -1 }, { history: csrOf([[0]], 3) }), /implicitReg must be a number ≥ 0/);
  // implicitReg follows reg unless given
  assert.is(new sg.models.SVDpp({ numUsers: 1, numItems: 3, reg: 0.3 }, { history: csrOf([[0]], 3) }).config.implicitReg, 0.3);
});

/**
 * Taste that shows in choices: items fall into 3 topics, each user likes one (rating ≈ 4
 * inside it, ≈ 2 outside) and picks 3 of their 4 training items inside it. Each user's
 * held-out rating is of an item drawn uniformly — the question is what the user thinks of an
 * arbitrary item. With 4 noisy ratings per user, p_u is poorly determined; Σ y_j over the
 * user's items, each y_j learned from all of that item's raters, places the user anyway.
 */
function tasteFromChoices(seed: number): { train: Triples; valid: Triples; numUsers: number; numItems: number } {
  const U = 900;
  const I = 60;
  const T = 3;
  const rng = randomStream('svdpp-test', seed);
  const userTopic = Int32Array.from({ length: U }, () => rng.int(T));
  const rate = (u: number, i: number) => (i % T === userTopic[u] ? 4 : 2) + 0.5 * rng.normal();
  const tu: number[] = [];
  const ti: number[] = [];
  const tr: number[] = [];
  const vu: number[] = [];
  const vi: number[] = [];
  const vr: number[] = [];
  for (let u = 0; u < U; u++) {
    const picked = new Set<number>();
    while (picked.size < 4) {
      const inTopic = picked.size < 3;
      const i = inTopic ? userTopic[u] + T * rng.int(I / T) : rng.int(I);
      if (inTopic || i % T !== userTopic[u]) picked.add(i);
    }
    for (const i of picked) { tu.push(u); ti.push(i); tr.push(rate(u, i)); }
    let h = rng.int(I);
    while (picked.has(h)) h = rng.int(I);
    vu.push(u); vi.push(h); vr.push(rate(u, h));
  }
  const t = (u: number[], i: number[], r: number[]): Triples => ({ users: Int32Array.from(u), items: Int32Array.from(i), ratings: Float32Array.from(r) });
  return { train: t(tu, ti, tr), valid: t(vu, vi, vr), numUsers: U, numItems: I };
}

async function bestValid(model: sg.models.Recommender, data: ReturnType<typeof tasteFromChoices>): Promise<number> {
  const h = await sg.train.fit(model, batches(data.train, 200, 1), { epochs: 30, optimizer: { name: 'adam', lr: 0.01 }, evalData: batches(data.valid, 5000), verbose: false });
  return Math.min(...h.epochs.map((e) => e.values['val-rmse']));
}

test('where a user\'s taste shows in which items they rated, SVD++ beats biased MF on held-out RMSE (and loses the edge with scrambled histories)', async () => {
  const data = tasteFromChoices(5);
  const ds = { numUsers: data.numUsers, numItems: data.numItems, ...data.train };
  const settings = { dim: 8, reg: 0.02, initStd: 0.1 };
  sg.setSeed(3);
  const mf = await bestValid(sg.models.MatrixFactorization.forRatings(ds, settings), data);
  sg.setSeed(3);
  const svdpp = await bestValid(sg.models.SVDpp.forRatings(ds, settings), data);
  // the same model with each user's history swapped for another user's: the structure is gone
  const rng = randomStream('svdpp-scramble', 1);
  const perm = rng.shuffle(Int32Array.from({ length: data.numUsers }, (_, u) => u));
  sg.setSeed(3);
  const scrambled = await bestValid(sg.models.SVDpp.forRatings({ ...ds, users: Int32Array.from(ds.users, (u) => perm[u]) }, settings), data);
  assert.ok(svdpp < mf * 0.9, `SVD++ ${svdpp} vs MF ${mf}: the implicit term should cut the error by > 10%`);
  assert.ok(scrambled > svdpp * 1.05, `scrambled histories ${scrambled} vs true ${svdpp}`);
});

test('a checkpoint carries the histories: the loaded SVD++ predicts and scores exactly as the trained one', async () => {
  const data = tasteFromChoices(6);
  const ds = { numUsers: data.numUsers, numItems: data.numItems, ...data.train };
  sg.setSeed(1);
  const model = sg.models.SVDpp.forRatings(ds, { dim: 4, initStd: 0.1 });
  await sg.train.fit(model, batches(data.train, 500, 1), { epochs: 2, optimizer: { name: 'adam', lr: 0.01 }, verbose: false });
  model.meta = { ratingScale: { min: 1, max: 5, step: 0.5 }, trainMean: 3 };
  const path = join(dir, 'svdpp.sgm');
  sg.save(model, path);
  const loaded = sg.load(path);
  assert.ok(loaded instanceof sg.models.SVDpp);
  assert.is(sg.models.registeredName(loaded), 'SVDpp');
  const l = loaded as sg.models.SVDpp;
  assert.equal(l.config, model.config);
  for (const u of [0, 17, 899]) {
    assert.equal(Array.from(l.historyOf(u)), Array.from(model.historyOf(u)));
    const a = model.scoreItems(u);
    const b = l.scoreItems(u);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `user ${u} item ${i}: ${a[i]} vs ${b[i]}`);
  }
  const p = sg.models.predictRatings(model, data.valid.users, data.valid.items);
  const q = sg.models.predictRatings(l, data.valid.users, data.valid.items);
  for (let e = 0; e < p.length; e++) assert.ok(p[e] === q[e], `pair ${e}: ${p[e]} vs ${q[e]}`);
  // scoreItems is the pair prediction (unclipped) for every item
  const s = model.scoreItems(17);
  const pairs = sg.noGrad(() => model.predictPairs(new Int32Array(data.numItems).fill(17), Int32Array.from({ length: data.numItems }, (_, i) => i)).dataSync());
  for (let i = 0; i < s.length; i++) assert.ok(Math.abs(s[i] - pairs[i]) < 1e-5, `item ${i}: ${s[i]} vs ${pairs[i]}`);
});

test('users SVD++ cannot place: an empty history is plain biased MF, an unknown user (-1) gets μ + b_i clipped to the scale, an index outside the model is an error', () => {
  const { model, hist } = small();
  model.meta = { ratingScale: { min: 1, max: 5, step: 1 }, trainMean: 3 };
  // user 3 has no history: exactly μ + b_u + b_i + q_i·p_u
  const s = model.scoreItems(3);
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(s[i] - byHand(model, hist, 3, i).pred) < 1e-5);
  const mu = model.globalBias!.item();
  const bi = model.itemBias!.dataSync();
  model.itemBias!.backend.overwrite(model.itemBias!.dataId, Float32Array.of(0.2, 0.1, -2.5, 2.3, 0.05));
  const r = sg.models.predictRatings(model, Int32Array.of(-1, -1, -1), Int32Array.of(0, 2, 3));
  assert.ok(Math.abs(r[0] - (mu + bi[0])) < 1e-6, `unknown user: ${r[0]} vs ${mu + bi[0]}`);
  assert.is(r[1], 1, 'μ + b_i = 0.5 is clipped to 1');
  assert.is(r[2], 5, 'μ + b_i = 5.3 is clipped to 5');
  assert.throws(() => model.scoreItems(4), /user index 4 is not in the model/);
  assert.throws(() => model.recommend(-1), /user index -1 is not in the model/);
  assert.throws(() => model.historyOf(7), /user index 7 is not in the model/);
});

test('trainRatings(data, "svdpp") takes N(u) from the training part only, never from the validation ratings', async () => {
  const data = tasteFromChoices(7);
  const ds = {
    name: 'choices', numUsers: data.numUsers, numItems: data.numItems, ...data.train,
    userIds: sg.datasets.IdMap.range(data.numUsers), itemIds: sg.datasets.IdMap.range(data.numItems), itemTitles: [], itemGenres: sg.csr([0], [], [], [0, 0]), genreNames: [],
    ratingScale: { min: 0, max: 6, step: 0.01 },
  } as unknown as sg.datasets.RatingsDataset;
  const r = await sg.models.trainRatings(ds, 'svdpp', { epochs: 1, dim: 4, verbose: false, progress: false });
  const model = r.model as sg.models.SVDpp;
  assert.ok(model instanceof sg.models.SVDpp);
  const trainPairs = new Set(Array.from(r.train.users, (u, e) => `${u}:${r.train.items[e]}`));
  let validOnly = 0;
  for (let e = 0; e < r.valid.users.length; e++) if (!trainPairs.has(`${r.valid.users[e]}:${r.valid.items[e]}`)) validOnly++;
  assert.ok(validOnly > 100, 'the validation part has pairs of its own');
  let inHistory = 0;
  for (let u = 0; u < model.numUsers; u++) {
    for (const i of model.historyOf(u)) {
      assert.ok(trainPairs.has(`${u}:${i}`), `user ${u}'s history has item ${i}, which is not a training pair`);
      inHistory++;
    }
  }
  assert.is(inHistory, trainPairs.size);
});

test.run();
