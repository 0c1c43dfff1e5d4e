import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fromCOO } from '../../core/csr.js';
import { randomStream } from '../../core/random.js';
import {
  AliasTable, IdMap, bagOfWords, buildCSR, denseIds, describe, firstGenre, formatStats, loadMovieLens, storage,
  synthetic, tokenize, userItemMatrix, clicksOfRows, writeMovieLens, writeRatingsCsv,
} from '../../datasets/index.js';
import { cleanup, tempDir } from './fixtures.js';

test('IdMap: raw ↔ index round trips, unknown ids, large ids, duplicates', () => {
  const m = new IdMap(Int32Array.from([10, 3, 131262, 7]));
  assert.is(m.size, 4);
  for (let i = 0; i < m.size; i++) assert.is(m.toIndex(m.toRaw(i)), i);
  assert.is(m.toIndex(131262), 2);
  assert.is(m.toIndex(4), -1);
  assert.is(m.toIndex(-1), -1);
  assert.is(m.toIndex(1e9), -1);
  assert.ok(m.has(3) && !m.has(5));
  assert.throws(() => m.toRaw(4), /index 4 is outside \[0, 4\)/);
  assert.equal(Array.from(m.toIndices([7, 10])), [3, 0]);
  assert.throws(() => m.toIndices([7, 8]), /raw id 8 at position 1 is unknown/);
  const big = new IdMap(Int32Array.from([2_000_000_000, -5, 42]));
  assert.is(big.toIndex(-5), 1);
  assert.is(big.toIndex(2_000_000_000), 0);
  assert.throws(() => new IdMap(Int32Array.from([1, 2, 1])), /raw id 1 appears twice/);
  assert.is(IdMap.range(5, 1).toIndex(5), 4);
});

test('denseIds remaps a column in place to ascending-raw-id indices', () => {
  const col = Int32Array.from([50, 3, 50, 131262, 3]);
  const m = denseIds(col);
  assert.equal(Array.from(m.raw), [3, 50, 131262]);
  assert.equal(Array.from(col), [1, 0, 1, 2, 0]);
  const withExtra = Int32Array.from([9, 2]);
  assert.equal(Array.from(denseIds(withExtra, [5]).raw), [2, 5, 9]);
  assert.equal(Array.from(withExtra), [2, 0]);
  const neg = Int32Array.from([-3, 1 << 30, -3]);
  assert.equal(Array.from(denseIds(neg).raw), [-3, 1 << 30]);
  assert.equal(Array.from(neg), [0, 1, 0]);
});

test('buildCSR matches core fromCOO (sorted rows, duplicates summed); max/last variants', () => {
  const rng = randomStream('t', 1);
  const n = 5000;
  const r = new Int32Array(n);
  const c = new Int32Array(n);
  const v = new Float32Array(n);
  for (let e = 0; e < n; e++) { r[e] = rng.int(40); c[e] = rng.int(60); v[e] = rng.int(5) + 1; }
  const a = buildCSR(r, c, v, [40, 60]);
  const b = fromCOO(r, c, v, [40, 60]);
  assert.equal(Array.from(a.indptr), Array.from(b.indptr));
  assert.equal(Array.from(a.indices), Array.from(b.indices));
  assert.equal(Array.from(a.values), Array.from(b.values));
  const dup = (mode: 'max' | 'last') => Array.from(buildCSR(Int32Array.from([0, 0, 0]), Int32Array.from([2, 2, 1]), Float32Array.from([3, 1, 5]), [1, 3], mode).values);
  assert.equal(dup('max'), [5, 3]);
  assert.equal(dup('last'), [5, 1]);
  assert.throws(() => buildCSR(Int32Array.from([0]), Int32Array.from([3]), null, [1, 3]), /column 3 at entry 0 is outside \[0, 3\)/);
  const ds = synthetic.movielensLike({ preset: 'tiny', seed: 1 });
  const ui = userItemMatrix(ds);
  assert.is(ui.nnz, ds.ratings.length);
  assert.is(ui.shape[0], ds.numUsers);
  assert.ok(userItemMatrix(ds, { values: 'binary' }).values.every((x) => x === 1));
});

test('AliasTable draws in proportion to the weights', () => {
  const t = new AliasTable([1, 0, 3, 6]);
  const rng = randomStream('alias', 2);
  const counts = [0, 0, 0, 0];
  for (let k = 0; k < 100_000; k++) counts[t.sample(rng)]++;
  assert.is(counts[1], 0);
  assert.ok(Math.abs(counts[0] / 1e5 - 0.1) < 0.01 && Math.abs(counts[2] / 1e5 - 0.3) < 0.01 && Math.abs(counts[3] / 1e5 - 0.6) < 0.01);
  assert.throws(() => new AliasTable([0, 0]), /positive sum/);
});

test('storage: the seed\'s ML-20M numbers (3.7 GB as bytes dense, ~160-180 MB CSR)', () => {
  const s = storage({ numUsers: 138_493, numItems: 26_744, ratings: { length: 20_000_263 } as Float32Array });
  assert.is(s.denseBytesUint8, 138_493 * 26_744);
  assert.ok(Math.abs(s.denseBytesUint8 / 1e9 - 3.7) < 0.05);
  assert.is(s.denseBytes, 4 * 138_493 * 26_744);
  assert.is(s.csrBytes, (138_493 + 1) * 4 + 20_000_263 * 8);
  const d = describe(synthetic.movielensLike({ preset: 'tiny', seed: 1 }));
  assert.is(d.numRatings, 30000);
  assert.match(formatStats(d), '300 users × 1,000 items, 30,000 ratings');
  assert.match(formatStats(d), 'storage: dense');
});

test('firstGenre and bagOfWords', () => {
  const ds = synthetic.movielensLike({ preset: 'tiny', seed: 1 });
  const fg = firstGenre(ds);
  for (let i = 0; i < 50; i++) assert.is(fg[i], ds.itemGenres.indices[ds.itemGenres.indptr[i]]);
  assert.equal(tokenize('Usual Suspects, The (1995)'), ['usual', 'suspects', 'the']);
  assert.equal(tokenize("Schindler's List (1993)"), ["schindler's", 'list']);
  const { matrix, vocab } = bagOfWords(['Heat (1995)', 'The Heat of the Night (1967)', 'Night Moves (1975)']);
  assert.equal(vocab, ['heat', 'night', 'moves']);
  assert.equal(Array.from(matrix.indptr), [0, 1, 3, 5]);
  assert.equal(Array.from(matrix.indices), [0, 0, 1, 1, 2]);
  const bow = bagOfWords(ds.itemTitles, { minCount: 2 });
  assert.is(bow.matrix.rows, ds.numItems);
  assert.ok(bow.vocab.length > 50);
});

test('writeMovieLens → loadMovieLens round trip of the synthetic set (ids, ratings, titles, genres)', async () => {
  const ds = synthetic.movielensLike({ preset: 'tiny', seed: 5 });
  const dir = tempDir();
  await writeMovieLens(ds, dir);
  const head = readFileSync(join(dir, 'ratings.csv'), 'utf8').slice(0, 60).split('\n');
  assert.is(head[0], 'userId,movieId,rating,timestamp');
  assert.match(head[1], /^1,\d+,\d\.\d,\d+$/);
  const back = await loadMovieLens(dir, { cache: false });
  assert.is(back.ratings.length, ds.ratings.length);
  assert.equal(Array.from(back.itemIds.raw), Array.from(ds.itemIds.raw));
  assert.equal(Array.from(back.ratings), Array.from(ds.ratings));
  assert.equal(Array.from(back.items), Array.from(ds.items));
  assert.equal(Array.from(back.timestamps!), Array.from(ds.timestamps!));
  assert.equal(back.itemTitles, ds.itemTitles);
  // the same genre names in use, and each item's genre set survives
  for (let i = 0; i < 100; i++) {
    const names = (d: typeof ds | typeof back) => Array.from(d.itemGenres.indices.subarray(d.itemGenres.indptr[i], d.itemGenres.indptr[i + 1]), (g) => d.genreNames[g]).sort();
    assert.equal(names(back), names(ds));
  }
  // dense indices, no header
  const plain = join(dir, 'plain.csv');
  await writeRatingsCsv(ds, plain, { header: false, rawIds: false });
  assert.match(readFileSync(plain, 'utf8').split('\n')[0], /^0,\d+,\d\.\d,\d+$/);
});

test('clicksOfRows lists a matrix\'s entries as (row, column, 1) clicks: userItemMatrix of them gives the binary matrix back', () => {
  const rows = fromCOO(Int32Array.from([0, 0, 2]), Int32Array.from([3, 1, 0]), Float32Array.from([5, 4, 2]), [3, 4]);
  const c = clicksOfRows(rows);
  assert.equal([c.numUsers, c.numItems], [3, 4]);
  assert.equal(Array.from(c.users), [0, 0, 2]);
  assert.equal(Array.from(c.items), [1, 3, 0]);
  assert.equal(Array.from(c.ratings), [1, 1, 1]);
  const back = userItemMatrix(c, { values: 'binary' });
  assert.equal(Array.from(back.indptr), Array.from(rows.indptr));
  assert.equal(Array.from(back.indices), Array.from(rows.indices));
});

test.after(cleanup);
test.run();
