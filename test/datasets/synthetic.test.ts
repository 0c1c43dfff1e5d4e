import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describe, itemCounts, userCounts, synthetic, toImplicit } from '../../datasets/index.js';

const { randomMatrix, lowRank, movielensLike, normalQuantile } = synthetic;

test('randomMatrix: 250×250 normals, 35,000 sampled triples with duplicates, deterministic per seed', () => {
  const a = randomMatrix({ seed: 1 });
  assert.is(a.numUsers, 250);
  assert.is(a.numItems, 250);
  assert.is(a.ratings.length, 35000);
  for (let e = 0; e < 100; e++) assert.is(a.ratings[e], a.matrix[a.users[e] * 250 + a.items[e]]);
  const cells = new Set(Array.from(a.users, (u, e) => u * 250 + a.items[e]));
  assert.ok(cells.size < 35000, 'sampling with replacement repeats cells');
  let m = 0;
  let v = 0;
  for (const x of a.matrix) { m += x; v += x * x; }
  m /= a.matrix.length;
  v = v / a.matrix.length - m * m;
  assert.ok(Math.abs(m) < 0.02 && Math.abs(v - 1) < 0.03, `mean ${m} var ${v}`);
  const b = randomMatrix({ seed: 1 });
  assert.equal(Array.from(b.ratings.subarray(0, 50)), Array.from(a.ratings.subarray(0, 50)));
  assert.not.equal(Array.from(randomMatrix({ seed: 2 }).ratings.subarray(0, 50)), Array.from(a.ratings.subarray(0, 50)));
});

test('lowRank: X = a·b with a [250,25], b [25,250]; noise is added to samples only', () => {
  const d = lowRank({ seed: 3 });
  assert.is(d.rank, 25);
  const [r, c] = [17, 203];
  let x = 0;
  for (let t = 0; t < 25; t++) x += d.a[r * 25 + t] * d.b[t * 250 + c];
  assert.ok(Math.abs(d.matrix[r * 250 + c] - x) < 1e-4);
  for (let e = 0; e < 100; e++) assert.is(d.ratings[e], d.matrix[d.users[e] * 250 + d.items[e]]);
  const noisy = lowRank({ seed: 3, noise: 0.5 });
  let diff = 0;
  for (let e = 0; e < 1000; e++) diff += (noisy.ratings[e] - noisy.matrix[noisy.users[e] * 250 + noisy.items[e]]) ** 2;
  assert.ok(Math.abs(Math.sqrt(diff / 1000) - 0.5) < 0.05);
});

test('normalQuantile inverts the normal CDF', () => {
  assert.ok(Math.abs(normalQuantile(0.5)) < 1e-9);
  assert.ok(Math.abs(normalQuantile(0.975) - 1.959964) < 1e-5);
  assert.ok(Math.abs(normalQuantile(0.001) + 3.090232) < 1e-5);
});

const tiny = movielensLike({ preset: 'tiny', seed: 7 });

test('movielensLike: exact sizes, deterministic per seed, seeds differ', () => {
  assert.is(tiny.numUsers, 300);
  assert.is(tiny.numItems, 1000);
  assert.is(tiny.ratings.length, 30000);
  const again = movielensLike({ preset: 'tiny', seed: 7 });
  assert.equal(Array.from(again.items.subarray(0, 500)), Array.from(tiny.items.subarray(0, 500)));
  assert.equal(Array.from(again.ratings.subarray(0, 500)), Array.from(tiny.ratings.subarray(0, 500)));
  assert.equal(again.itemTitles.slice(0, 20), tiny.itemTitles.slice(0, 20));
  const other = movielensLike({ preset: 'tiny', seed: 8 });
  assert.not.equal(Array.from(other.items.subarray(0, 500)), Array.from(tiny.items.subarray(0, 500)));
});

test('movielensLike: every user ≥ 20 ratings, every item rated, no repeated (user, item), ids in the id space', () => {
  const uc = userCounts(tiny);
  const ic = itemCounts(tiny);
  assert.ok(uc.every((c) => c >= 20));
  assert.ok(ic.every((c) => c >= 1));
  const seen = new Set<number>();
  for (let e = 0; e < tiny.ratings.length; e++) seen.add(tiny.users[e] * tiny.numItems + tiny.items[e]);
  assert.is(seen.size, tiny.ratings.length);
  const raw = tiny.itemIds.raw;
  assert.is(raw[raw.length - 1], 1500);
  for (let i = 1; i < raw.length; i++) assert.ok(raw[i] > raw[i - 1]);
  assert.is(tiny.userIds.toRaw(0), 1);
  // rows come grouped by user with movie ids ascending, as in ML-20M's ratings.csv
  for (let e = 1; e < 2000; e++) {
    assert.ok(tiny.users[e] > tiny.users[e - 1] || (tiny.users[e] === tiny.users[e - 1] && tiny.items[e] > tiny.items[e - 1]));
  }
});

test('movielensLike: half-star ratings with a MovieLens-like distribution', () => {
  const s = describe(tiny);
  assert.ok(tiny.ratings.every((r) => r >= 0.5 && r <= 5 && Number.isInteger(r * 2)));
  assert.ok(Math.abs(s.rating.mean - 3.53) < 0.2, `mean ${s.rating.mean}`);
  assert.ok(Math.abs(s.rating.std - 1.05) < 0.15, `std ${s.rating.std}`);
  const share = (v: number) => (s.rating.histogram.find((h) => h.value === v)?.count ?? 0) / s.numRatings;
  assert.ok(share(4) > share(3.5) && share(4) > share(4.5) && share(3) > share(2.5), 'whole stars more common than neighbours');
  const whole = movielensLike({ preset: 'ml100k', scale: 0.2, seed: 1 });
  assert.ok(whole.ratings.every((r) => Number.isInteger(r) && r >= 1 && r <= 5));
  assert.equal(whole.ratingScale, { min: 1, max: 5, step: 1 });
});

test('movielensLike: popularity is heavy-tailed', () => {
  const ds = movielensLike({ preset: 'small', seed: 3 });
  const s = describe(ds);
  assert.ok(s.top1PercentItemShare > 0.1, `top 1% share ${s.top1PercentItemShare}`);
  assert.ok(s.perItem.max > 50 * s.perItem.median, `max ${s.perItem.max} median ${s.perItem.median}`);
  assert.ok(s.perUser.max > 10 * s.perUser.median);
  assert.ok(s.perUser.min >= 20);
});

test('movielensLike: the hidden taste model explains ratings far better than the mean', () => {
  const t = tiny.truth;
  const k = t.rank;
  const f = new Float64Array(tiny.ratings.length);
  for (let e = 0; e < f.length; e++) {
    const u = tiny.users[e];
    const i = tiny.items[e];
    let dot = 0;
    for (let d = 0; d < k; d++) dot += t.userFactors[u * k + d] * t.itemFactors[i * k + d];
    f[e] = t.userBias[u] + t.itemBias[i] + (t.interactionScale * dot) / Math.sqrt(k);
  }
  // least squares rating ≈ α + β·f
  let mf = 0;
  let mr = 0;
  for (let e = 0; e < f.length; e++) { mf += f[e]; mr += tiny.ratings[e]; }
  mf /= f.length;
  mr /= f.length;
  let sff = 0;
  let sfr = 0;
  for (let e = 0; e < f.length; e++) { sff += (f[e] - mf) ** 2; sfr += (f[e] - mf) * (tiny.ratings[e] - mr); }
  const beta = sfr / sff;
  let seFit = 0;
  let seMean = 0;
  for (let e = 0; e < f.length; e++) {
    seFit += (tiny.ratings[e] - mr - beta * (f[e] - mf)) ** 2;
    seMean += (tiny.ratings[e] - mr) ** 2;
  }
  const ratio = Math.sqrt(seFit / seMean);
  assert.ok(ratio < 0.8, `fit RMSE / mean RMSE = ${ratio}`);
  assert.ok(ratio > 0.4, `noise keeps it from being perfect: ${ratio}`);
});

test('movielensLike: 1-3 genres per item from the 20 MovieLens names, correlated with the taste factors', () => {
  assert.is(tiny.genreNames.length, 20);
  assert.is(tiny.genreNames[7], 'Drama');
  const g = tiny.itemGenres;
  for (let i = 0; i < tiny.numItems; i++) {
    const n = g.indptr[i + 1] - g.indptr[i];
    assert.ok(n >= 1 && n <= 3);
  }
  // centroid of the genre's items' factors vs the overall centroid, in units of its
  // sampling noise: ≈ 1 for genres assigned at random, far above for ours
  const k = tiny.truth.rank;
  const Q = tiny.truth.itemFactors;
  const all = new Float64Array(k);
  for (let i = 0; i < tiny.numItems; i++) for (let d = 0; d < k; d++) all[d] += Q[i * k + d] / tiny.numItems;
  for (const name of ['Drama', 'Comedy', 'Thriller']) {
    const gi = tiny.genreNames.indexOf(name);
    const c = new Float64Array(k);
    let n = 0;
    for (let i = 0; i < tiny.numItems; i++) {
      for (let p = g.indptr[i]; p < g.indptr[i + 1]; p++) {
        if (g.indices[p] === gi) { n++; for (let d = 0; d < k; d++) c[d] += Q[i * k + d]; }
      }
    }
    let dist = 0;
    for (let d = 0; d < k; d++) dist += (c[d] / n - all[d]) ** 2;
    const z = (dist * n) / k;
    assert.ok(z > 5, `${name}: ${n} items, z = ${z}`);
  }
});

test('movielensLike: titles are words plus a year; MovieLens-style trailing articles', () => {
  assert.ok(tiny.itemTitles.every((t) => /^[A-Z][A-Za-z ,]+(?: \d)? \(\d{4}\)$/.test(t)), tiny.itemTitles.find((t) => !/\(\d{4}\)$/.test(t)));
  assert.ok(tiny.itemTitles.some((t) => /, The \(\d{4}\)$/.test(t)));
  assert.ok(tiny.itemYears!.every((y) => y >= 1902 && y <= 2015));
  assert.ok(tiny.timestamps!.every((t) => t >= 789_652_800 && t <= 1_427_760_000));
});

test('movielensLike: presets, scale and errors', () => {
  const s = movielensLike({ preset: 'ml20m', scale: 0.002, seed: 1 });
  assert.is(s.numUsers, Math.round(138_493 * 0.002));
  assert.is(s.ratings.length, Math.round(20_000_263 * 0.002));
  assert.is(s.numItems, Math.round(26_744 * Math.sqrt(0.002)));
  assert.is(s.itemIds.raw[s.itemIds.size - 1], Math.round(131_262 * Math.sqrt(0.002)));
  assert.throws(() => movielensLike({ users: 10, items: 100, ratings: 50 }), /cannot give each of 10 users and 100 items/);
  assert.throws(() => movielensLike({ preset: 'huge' as never }), /unknown preset 'huge'/);
});

test('implicit view keeps ratings ≥ threshold as 1s', () => {
  const imp = toImplicit(tiny, { threshold: 4 });
  let expected = 0;
  for (const r of tiny.ratings) if (r >= 4) expected++;
  assert.is(imp.ratings.length, expected);
  assert.ok(imp.ratings.every((r) => r === 1));
  assert.is(imp.implicit, true);
  assert.is(imp.numItems, tiny.numItems);
  const direct = movielensLike({ preset: 'tiny', seed: 7, implicit: 4 });
  assert.equal(Array.from(direct.items), Array.from(imp.items));
  assert.is(direct.implicit, true);
});

test.run();
