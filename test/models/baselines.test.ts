/** The closed-form baselines: EASE against a direct float64 solve, ItemKNN against brute force, both on planted topics. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';
import { randomStream } from '../../core/random.js';
import { buildCSR } from '../../datasets/matrix.js';
import { itemGram } from '../../models/item-similarity.js';
import { invertInPlace } from '../../models/ease.js';
import { planted, matrixOf } from './planted.js';

function randomBinary(users: number, items: number, density: number, seed: number) {
  const r = randomStream('baselines', seed);
  const us: number[] = [];
  const is: number[] = [];
  for (let u = 0; u < users; u++) for (let i = 0; i < items; i++) if (r.next() < density) { us.push(u); is.push(i); }
  return buildCSR(Int32Array.from(us), Int32Array.from(is), null, [users, items], 'max');
}

/** Solves A x = b by Gaussian elimination with partial pivoting (float64, A copied). */
function solve(aIn: number[][], bIn: number[]): number[] {
  const n = bIn.length;
  const a = aIn.map((r) => r.slice());
  const b = bIn.slice();
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    [a[k], a[p]] = [a[p], a[k]];
    [b[k], b[p]] = [b[p], b[k]];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j < n; j++) a[i][j] -= f * a[k][j];
      b[i] -= f * b[k];
    }
  }
  const x = new Array(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let j = i + 1; j < n; j++) s -= a[i][j] * x[j];
    x[i] = s / a[i][i];
  }
  return x;
}

test('EASE equals, column by column, the ridge regression of each item on all the others (direct float64 solve)', () => {
  const X = randomBinary(40, 9, 0.35, 1);
  const lambda = 3;
  const model = sg.models.fitEASE(X, { lambda });
  const B = model.weights.dataSync();
  const n = 9;
  const dense = Array.from({ length: 40 }, (_, u) => {
    const row = new Array(n).fill(0);
    for (let p = X.indptr[u]; p < X.indptr[u + 1]; p++) row[X.indices[p]] = 1;
    return row;
  });
  for (let j = 0; j < n; j++) {
    // min ‖x_j − X_{−j} b‖² + λ‖b‖²: (X_{−j}ᵀX_{−j} + λI) b = X_{−j}ᵀ x_j
    const others = [...Array(n).keys()].filter((i) => i !== j);
    const A = others.map((a) => others.map((c) => dense.reduce((s, row) => s + row[a] * row[c], 0) + (a === c ? lambda : 0)));
    const rhs = others.map((a) => dense.reduce((s, row) => s + row[a] * row[j], 0));
    const b = solve(A, rhs);
    assert.is(B[j * n + j], 0, 'diagonal is zero');
    others.forEach((i, t) => {
      assert.ok(Math.abs(B[i * n + j] - b[t]) < 1e-5 * Math.max(1, Math.abs(b[t])), `B[${i},${j}] = ${B[i * n + j]}, direct solve ${b[t]}`);
    });
  }
});

test('invertInPlace inverts a symmetric positive-definite matrix (A·A⁻¹ = I) and refuses an indefinite one', () => {
  const X = randomBinary(30, 12, 0.4, 2);
  const g = itemGram(X);
  for (let i = 0; i < 12; i++) g[i * 12 + i] += 0.5;
  const a = g.slice();
  invertInPlace(g, 12);
  for (let i = 0; i < 12; i++) {
    for (let j = 0; j < 12; j++) {
      let s = 0;
      for (let k = 0; k < 12; k++) s += a[i * 12 + k] * g[k * 12 + j];
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-9, `(A·A⁻¹)[${i},${j}] = ${s}`);
    }
  }
  assert.throws(() => invertInPlace(Float64Array.of(1, 2, 2, 1), 2), /not positive definite/);
});

test('ItemKNN keeps each item\'s k most cosine-similar items (brute force) and scores x·S', () => {
  const X = randomBinary(50, 15, 0.3, 3);
  const k = 4;
  const model = sg.models.fitItemKNN(X, { k });
  const S = model.similarities;
  const col = (i: number): number[] => Array.from({ length: 50 }, (_, u): number => {
    for (let p = X.indptr[u]; p < X.indptr[u + 1]; p++) if (X.indices[p] === i) return 1;
    return 0;
  });
  const cols = Array.from({ length: 15 }, (_, i) => col(i));
  for (let i = 0; i < 15; i++) {
    const sims = cols.map((c, j) => {
      if (j === i) return -1;
      const dot = c.reduce((s, v, u) => s + v * cols[i][u], 0);
      const norm = Math.sqrt(c.reduce((s, v) => s + v, 0) * cols[i].reduce((s, v) => s + v, 0));
      return norm ? dot / norm : 0;
    });
    const want = [...sims.keys()].filter((j) => sims[j] > 0).sort((a, b) => sims[b] - sims[a] || a - b).slice(0, k).sort((a, b) => a - b);
    const got = Array.from(S.indices.subarray(S.indptr[i], S.indptr[i + 1]));
    assert.equal(got, want, `neighbours of item ${i}`);
    got.forEach((j, t) => assert.ok(Math.abs(S.values[S.indptr[i] + t] - sims[j]) < 1e-6));
  }
  const scores = model.scoreBatch(Int32Array.of(0), X.sliceRows(0, 1));
  for (let j = 0; j < 15; j++) {
    let s = 0;
    for (let p = X.indptr[0]; p < X.indptr[1]; p++) {
      const i = X.indices[p];
      for (let q = S.indptr[i]; q < S.indptr[i + 1]; q++) if (S.indices[q] === j) s += S.values[q];
    }
    assert.ok(Math.abs(scores[j] - s) < 1e-6);
  }
});

test('EASE and ItemKNN learn planted topics: far above popularity on held-out users, and survive a checkpoint', () => {
  const data = planted({ users: 500, items: 240, seed: 4 });
  const split = sg.datasets.heldOutUsers(data, { heldOutUsers: 60, seed: 1 });
  const ev = (m: sg.train.RankingScorer) => sg.train.evaluateRanking(m, split.test, { k: [20] }).metrics['recall@20'];
  const pop = ev(sg.train.PopularityScorer.fromMatrix(split.train));
  const dir = mkdtempSync(join(tmpdir(), 'sg-baselines-'));
  for (const model of [sg.models.fitEASE(split.train, { lambda: 50 }), sg.models.fitItemKNN(split.train, { k: 20 })]) {
    const r = ev(model);
    assert.ok(r > pop + 0.1, `${model.constructor.name} recall@20 ${r} vs popularity ${pop}`);
    const file = join(dir, `${model.constructor.name}.sgm`);
    sg.save(model, file);
    const back = sg.load(file) as sg.models.UserRowModel;
    assert.is(back.constructor.name, model.constructor.name);
    const rows = split.test.input.sliceRows(0, 5);
    assert.equal(Array.from(back.scoreBatch(new Int32Array(5), rows)), Array.from(model.scoreBatch(new Int32Array(5), rows)));
    // a user is their row: recommendFor scores someone the model never saw
    const top = back.recommendFor([0, 1, 2], 5);
    assert.is(top.indices.length, 5);
    assert.ok(![0, 1, 2].some((i) => Array.from(top.indices).includes(i)), 'own items excluded');
  }
});

test('EASE refuses to train by gradient and names the closed form', () => {
  const model = new sg.models.EASE({ numItems: 5 });
  assert.throws(() => model.trainingStep(), /closed form/);
  assert.throws(() => new sg.models.EASE({ numItems: 5, lambda: 0 }), /lambda must be > 0/);
  const x = matrixOf({ users: Int32Array.of(0), items: Int32Array.of(1), numUsers: 1, numItems: 4 });
  assert.throws(() => model.fit(x), /4 item columns, the model has 5 items/);
});

test.run();
