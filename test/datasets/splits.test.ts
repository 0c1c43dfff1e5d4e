import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  binaryLabels, heldOutUsers, holdout, perUserHoldout, synthetic, toImplicit, type InteractionData,
} from '../../datasets/index.js';

/** n ratings whose value is the row number, so every row is identifiable after a split. */
function numbered(n: number, numUsers: number, numItems: number): InteractionData {
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    users[e] = (e * 7919) % numUsers;
    items[e] = (e * 104729) % numItems;
    ratings[e] = e;
    timestamps[e] = 1000 + ((e * 31) % 977);
  }
  return { numUsers, numItems, users, items, ratings, timestamps };
}

const rowsOf = (d: InteractionData) => Array.from(d.ratings);

test('holdout: seed-style trainSize, disjoint, covers every row, deterministic per seed', () => {
  const data = numbered(2000, 50, 80);
  const { train, valid } = holdout(data, { trainSize: 1900, seed: 1 });
  assert.is(train.ratings.length, 1900);
  assert.is(valid.ratings.length, 100);
  const all = [...rowsOf(train), ...rowsOf(valid)].sort((a, b) => a - b);
  assert.equal(all, rowsOf(data));
  // rows stay whole: user/item/timestamp travel with the rating
  for (let k = 0; k < valid.ratings.length; k++) {
    const e = valid.ratings[k];
    assert.is(valid.users[k], data.users[e]);
    assert.is(valid.items[k], data.items[e]);
    assert.is(valid.timestamps![k], data.timestamps![e]);
  }
  assert.is(train.numUsers, 50);
  assert.is(train.numItems, 80);
  assert.equal(rowsOf(holdout(data, { trainSize: 1900, seed: 1 }).valid), rowsOf(valid));
  assert.not.equal(rowsOf(holdout(data, { trainSize: 1900, seed: 2 }).valid), rowsOf(valid));
  const f = holdout(data, { trainFraction: 0.75, seed: 1 });
  assert.is(f.train.ratings.length, 1500);
  const ordered = holdout(data, { trainFraction: 0.5, shuffle: false });
  assert.is(ordered.valid.ratings[0], 1000);
  assert.throws(() => holdout(data, { trainSize: 2001 }), /trainSize 2001 must be an integer in \[0, 2000\]/);
});

test('perUserHoldout: leave-one-out, fraction, by time, minTrain', () => {
  const data = numbered(3000, 60, 500);
  const count = (d: InteractionData, u: number) => d.users.filter((x) => x === u).length;
  const { train, test: te } = perUserHoldout(data, { k: 1, seed: 3 });
  assert.is(te.ratings.length, 60);
  for (let u = 0; u < 60; u++) assert.is(count(te, u), 1);
  assert.equal([...rowsOf(train), ...rowsOf(te)].sort((a, b) => a - b), rowsOf(data));
  const frac = perUserHoldout(data, { fraction: 0.2, seed: 3 });
  for (let u = 0; u < 60; u++) assert.is(count(frac.test, u), Math.round(0.2 * count(data, u)));
  // by time: each user's held-out rating is their latest
  const latest = perUserHoldout(data, { k: 1, by: 'time' });
  for (let k = 0; k < latest.test.ratings.length; k++) {
    const u = latest.test.users[k];
    let max = -Infinity;
    for (let e = 0; e < data.ratings.length; e++) if (data.users[e] === u) max = Math.max(max, data.timestamps![e]);
    assert.is(latest.test.timestamps![k], max);
  }
  // a user with one rating keeps it in train
  const small: InteractionData = { numUsers: 2, numItems: 3, users: Int32Array.from([0, 1, 1]), items: Int32Array.from([0, 1, 2]), ratings: Float32Array.from([1, 2, 3]) };
  const s = perUserHoldout(small, { k: 1, seed: 1 });
  assert.equal(Array.from(s.test.users), [1]);
  assert.is(s.train.ratings.length, 2);
});

test('binaryLabels and toImplicit use the threshold', () => {
  assert.equal(Array.from(binaryLabels(Float32Array.from([3, 3.5, 4, 5, 0.5]), 3.5)), [0, 1, 1, 1, 0]);
  const d: InteractionData = { numUsers: 1, numItems: 4, users: new Int32Array(4), items: Int32Array.from([0, 1, 2, 3]), ratings: Float32Array.from([3, 3.5, 4, 5]) };
  assert.equal(Array.from(toImplicit(d, { threshold: 4 }).items), [2, 3]);
  assert.equal(Array.from(toImplicit(d).items), [1, 2, 3]);
});

test('heldOutUsers: the Mult-VAE protocol (N valid + N test users, 80/20 fold-in, train items only)', () => {
  const ds = synthetic.movielensLike({ preset: 'tiny', seed: 11 });
  const N = 40;
  const s = heldOutUsers(ds, { heldOutUsers: N, threshold: 3.5, seed: 5 });
  assert.is(s.valid.users.length, N);
  assert.is(s.test.users.length, N);
  const tr = new Set(s.trainUsers);
  const va = new Set(s.valid.users);
  const te = new Set(s.test.users);
  for (const u of va) assert.ok(!tr.has(u) && !te.has(u));
  for (const u of te) assert.ok(!tr.has(u));
  assert.is(s.train.rows, s.trainUsers.length);
  assert.is(s.trainUsers.length + 2 * N + s.stats.usersWithTooFewClicks, ds.numUsers);
  // the item space is exactly the items train users clicked
  const trainCols = new Set(s.train.indices);
  assert.is(trainCols.size, s.numItems);
  assert.is(s.items.length, s.numItems);
  // clicks per (original user, original item) with rating ≥ 3.5
  const clicks = new Map<number, Set<number>>();
  for (let e = 0; e < ds.ratings.length; e++) {
    if (ds.ratings[e] < 3.5) continue;
    if (!clicks.has(ds.users[e])) clicks.set(ds.users[e], new Set());
    clicks.get(ds.users[e])!.add(ds.items[e]);
  }
  const column = new Map(Array.from(s.items, (orig, c) => [orig, c]));
  for (const part of [s.valid, s.test]) {
    assert.is(part.input.rows, N);
    for (let r = 0; r < N; r++) {
      const u = part.users[r];
      const known = [...clicks.get(u)!].filter((i) => column.has(i)).map((i) => column.get(i)!);
      const inp = Array.from(part.input.indices.subarray(part.input.indptr[r], part.input.indptr[r + 1]));
      const tgt = Array.from(part.target.indices.subarray(part.target.indptr[r], part.target.indptr[r + 1]));
      assert.is(tgt.length, known.length >= 5 ? Math.floor(0.2 * known.length) : 0);
      assert.equal([...inp, ...tgt].sort((a, b) => a - b), known.sort((a, b) => a - b));
      assert.ok(!tgt.some((c) => inp.includes(c)));
    }
  }
  // train rows hold the train users' clicks
  const r0 = s.trainUsers[0];
  const row0 = Array.from(s.train.indices.subarray(s.train.indptr[0], s.train.indptr[1]), (c) => s.items[c]).sort((a, b) => a - b);
  assert.equal(row0, [...clicks.get(r0)!].sort((a, b) => a - b));
  // deterministic per seed
  const again = heldOutUsers(ds, { heldOutUsers: N, threshold: 3.5, seed: 5 });
  assert.equal(Array.from(again.test.users), Array.from(s.test.users));
  assert.equal(Array.from(again.test.target.indices), Array.from(s.test.target.indices));
  assert.throws(() => heldOutUsers(ds, { heldOutUsers: 200 }), /leaves no train users/);
});

test.run();
