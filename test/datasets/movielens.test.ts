import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError, loadMovieLens, type RatingsDataset } from '../../datasets/index.js';
import { cleanup, ml100k, ml1m, mlCsv, tempDir, write } from './fixtures.js';

const quiet = { cache: false, log: () => {} };

/** (raw user, raw movie, rating) triples of a loaded set, in row order. */
function triples(ds: RatingsDataset): [number, number, number][] {
  return Array.from(ds.users, (u, e) => [ds.userIds.toRaw(u), ds.itemIds.toRaw(ds.items[e]), ds.ratings[e]]);
}

function genresOf(ds: RatingsDataset, rawId: number): string[] {
  const i = ds.itemIds.toIndex(rawId);
  const g = ds.itemGenres;
  return Array.from(g.indices.subarray(g.indptr[i], g.indptr[i + 1]), (k) => ds.genreNames[k]);
}

test('ratings.csv + movies.csv: CRLF, trailing spaces, empty line, quoted titles', async () => {
  const ds = await loadMovieLens(mlCsv(), quiet);
  assert.is(ds.ratings.length, 10);
  assert.is(ds.numUsers, 4);
  assert.is(ds.numItems, 5);
  assert.equal(triples(ds)[2], [1, 50, 5]);
  assert.equal(triples(ds)[3], [2, 3, 0.5]);
  assert.is(ds.timestamps![0], 964982703);
  // dense ids in ascending raw order
  assert.equal(Array.from(ds.userIds.raw), [1, 2, 7, 12]);
  assert.equal(Array.from(ds.itemIds.raw), [1, 2, 3, 11, 50]);
  assert.is(ds.itemTitles[ds.itemIds.toIndex(11)], 'American President, The (1995)');
  assert.is(ds.itemTitles[ds.itemIds.toIndex(50)], 'Usual Suspects, The "Director\'s Cut" (1995)');
  assert.equal(genresOf(ds, 11), ['Comedy', 'Drama', 'Romance']);
  assert.is(ds.itemYears![ds.itemIds.toIndex(1)], 1995);
  assert.ok(ds.genreNames.includes('(no genres listed)'));
  assert.is(ds.genreNames[ds.genreNames.length - 1], '(no genres listed)');
  assert.equal(ds.ratingScale, { min: 0.5, max: 5, step: 0.5 });
  const r = ds.report!;
  assert.is(r.format, 'movielens-csv');
  assert.is(r.linesRead, 12);
  assert.is(r.headerLines, 1);
  assert.is(r.emptyLines, 1);
  assert.is(r.ratingsKept, 10);
  assert.is(r.badLines, 0);
  assert.is(r.catalogItemsWithoutRatings, 1); // movie 99
  assert.is(r.itemsWithoutMetadata, 0);
});

test('header-less ratings.csv with LF endings parses the same', async () => {
  const a = await loadMovieLens(mlCsv(), quiet);
  const b = await loadMovieLens(mlCsv(tempDir(), { header: false, crlf: false }), quiet);
  assert.equal(triples(b), triples(a));
  assert.is(b.report!.headerLines, 0);
});

test('a ratings file path works as well as its directory; includeUnratedItems indexes catalog-only movies', async () => {
  const dir = mlCsv();
  const ds = await loadMovieLens(join(dir, 'ratings.csv'), { ...quiet, includeUnratedItems: true });
  assert.is(ds.numItems, 6);
  assert.is(ds.itemTitles[ds.itemIds.toIndex(99)], 'Unrated Movie (2001)');
  assert.equal(genresOf(ds, 99), ['(no genres listed)']);
});

test('a header with reordered columns is followed', async () => {
  const dir = tempDir();
  write(dir, 'ratings.csv', 'movieId,userId,timestamp,rating\n10,1,100,3.5\n20,2,200,4\n');
  const ds = await loadMovieLens(dir, quiet);
  assert.equal(triples(ds), [[1, 10, 3.5], [2, 20, 4]]);
  assert.equal(Array.from(ds.timestamps!), [100, 200]);
  assert.is(ds.report!.itemsWithoutMetadata, 2); // no movies.csv
  assert.is(ds.itemTitles[0], '');
});

test('a UTF-8 BOM, quoted numbers and a header without timestamps', async () => {
  const dir = tempDir();
  write(dir, 'ratings.csv', '\ufeffuserId,movieId,rating\n"1","10","3.5"\n2,20,4\n');
  const ds = await loadMovieLens(dir, quiet);
  assert.equal(triples(ds), [[1, 10, 3.5], [2, 20, 4]]);
  assert.is(ds.timestamps, undefined);
  assert.is(ds.report!.headerLines, 1);
});

test('ml-1m: "::" separators, latin1 titles, whole-star scale', async () => {
  const ds = await loadMovieLens(ml1m(), quiet);
  assert.is(ds.report!.format, 'movielens-dat');
  assert.is(ds.ratings.length, 4);
  assert.equal(triples(ds)[0], [1, 1193, 5]);
  assert.equal(ds.ratingScale, { min: 1, max: 5, step: 1 });
  assert.is(ds.itemTitles[ds.itemIds.toIndex(2355)], "Bug's Life, A (1998)");
  assert.equal(genresOf(ds, 661), ['Animation', "Children's", 'Musical']);
  assert.is(ds.report!.catalogItemsWithoutRatings, 1); // Amélie
  const all = await loadMovieLens(ml1m(), { ...quiet, includeUnratedItems: true });
  assert.is(all.itemTitles[all.itemIds.toIndex(3000)], 'Amélie (2001)');
});

test('ml-100k: tab-separated u.data, u.item genre flags, latin1', async () => {
  const ds = await loadMovieLens(ml100k(), { ...quiet, includeUnratedItems: true });
  assert.is(ds.report!.format, 'movielens-100k');
  assert.is(ds.ratings.length, 4);
  assert.equal(triples(ds)[3], [196, 302, 5]);
  assert.is(ds.genreNames.length, 19);
  assert.is(ds.genreNames[0], 'unknown');
  assert.equal(genresOf(ds, 302), ['Crime', 'Film-Noir', 'Mystery', 'Thriller']);
  assert.is(ds.itemTitles[ds.itemIds.toIndex(1)], 'Café Society (1995)');
  assert.is(ds.itemYears![ds.itemIds.toIndex(242)], 1997);
  assert.equal(ds.ratingScale, { min: 1, max: 5, step: 1 });
});

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

test('a malformed line is an error naming file, line and text', async () => {
  const dir = mlCsv(tempDir(), { crlf: false });
  appendFileSync(join(dir, 'ratings.csv'), '3,7,four,1234\n');
  const e = await rejects(loadMovieLens(dir, quiet));
  assert.instance(e, DataFormatError);
  const d = e as DataFormatError;
  assert.is(d.file, join(dir, 'ratings.csv'));
  assert.is(d.line, 13);
  assert.is(d.text, '3,7,four,1234');
  assert.match(e.message, `ratings.csv:13:`);
  assert.match(e.message, 'rating (field 3) is not a number');
  assert.match(e.message, '"3,7,four,1234"');
});

test('out-of-scale rating, missing column, bad id and bad movies.csv line each name what is wrong', async () => {
  const cases: [string, string][] = [
    ['1,2,5.5,100', 'rating 5.5 is outside the scale 0.5..5 in steps of 0.5'],
    ['1,2,3.25,100', 'rating 3.25 is outside the scale'],
    ['1,2,3.5', 'expected 4 fields'],
    ['-1,2,3.5,100', 'userId (field 1) must be a non-negative integer id'],
    ['1,2.5,3.5,100', 'movieId (field 2) must be a non-negative integer id'],
  ];
  for (const [line, reason] of cases) {
    const dir = tempDir();
    write(dir, 'ratings.csv', `userId,movieId,rating,timestamp\n1,1,4.0,5\n${line}\n`);
    const e = await rejects(loadMovieLens(dir, quiet));
    assert.match(e.message, `ratings.csv:3: ${reason}`, line);
    assert.match(e.message, JSON.stringify(line));
  }
  const dir = mlCsv(tempDir(), { crlf: false });
  appendFileSync(join(dir, 'movies.csv'), '120,"Unclosed title (2000),Drama\n');
  const e = await rejects(loadMovieLens(dir, quiet));
  assert.match(e.message, 'movies.csv:8: unterminated quoted field');
  const dir2 = mlCsv(tempDir(), { crlf: false });
  appendFileSync(join(dir2, 'movies.csv'), '121,Comma, Without Quotes (2000),Drama\n');
  assert.match((await rejects(loadMovieLens(dir2, quiet))).message, 'expected 3 fields (movieId,title,genres), found 4');
});

test('skipBadLines counts and reports bad lines and keeps the rest', async () => {
  const dir = mlCsv(tempDir(), { crlf: false });
  appendFileSync(join(dir, 'ratings.csv'), 'garbage\n3,7,9.0,1\n3,7,4.0,1\n');
  const logged: string[] = [];
  const ds = await loadMovieLens(dir, { cache: false, skipBadLines: true, log: (m) => logged.push(m) });
  assert.is(ds.ratings.length, 11);
  assert.is(ds.report!.badLines, 2);
  assert.is(ds.report!.badLineSamples[0].line, 13);
  assert.is(ds.report!.badLineSamples[0].text, 'garbage');
  assert.is(ds.report!.badLineSamples[1].line, 14);
  assert.is(logged.length, 1);
  assert.match(logged[0], 'skipped 2 bad line(s)');
});

test('unknown format and missing paths are clear errors', async () => {
  const dir = tempDir();
  write(dir, 'notes.txt', 'hello');
  mlCsv(join(dir, 'ml-latest-small'));
  const e = await rejects(loadMovieLens(dir, quiet));
  assert.match(e.message, 'unknown format');
  assert.match(e.message, 'notes.txt');
  assert.match(e.message, 'did you mean');
  assert.match(e.message, 'ml-latest-small');
  assert.match((await rejects(loadMovieLens(join(dir, 'nope'), quiet))).message, 'does not exist');
});

test('cache: written, hit with identical data, invalidated when a source changes', async () => {
  const dir = mlCsv();
  const first = await loadMovieLens(dir, { log: () => {} });
  assert.is(first.report!.cache, 'written');
  assert.ok(existsSync(first.report!.cacheFile!));
  assert.ok(first.report!.cacheFile!.includes('.sparsegrad-cache'));
  const second = await loadMovieLens(dir);
  assert.is(second.report!.cache, 'hit');
  assert.equal(triples(second), triples(first));
  assert.equal(Array.from(second.timestamps!), Array.from(first.timestamps!));
  assert.equal(second.itemTitles, first.itemTitles);
  assert.equal(second.genreNames, first.genreNames);
  assert.equal(Array.from(second.itemGenres.indices), Array.from(first.itemGenres.indices));
  assert.is(second.itemIds.toIndex(50), first.itemIds.toIndex(50));
  assert.is(second.report!.ratingsKept, 10);
  // change the ratings file (size changes) → re-parse
  const ratings = join(dir, 'ratings.csv');
  writeFileSync(ratings, readFileSync(ratings, 'utf8') + '99,1,3.0,1\n');
  const third = await loadMovieLens(dir);
  assert.is(third.report!.cache, 'written');
  assert.is(third.ratings.length, 11);
  // same size, new mtime → re-parse too
  const text = readFileSync(ratings, 'utf8').replace('99,1,3.0,1', '98,1,3.0,1');
  writeFileSync(ratings, text);
  const { utimesSync } = await import('node:fs');
  utimesSync(ratings, new Date(), new Date(Date.now() + 5000));
  const fourth = await loadMovieLens(dir);
  assert.is(fourth.report!.cache, 'written');
  assert.ok(fourth.userIds.has(98) && !fourth.userIds.has(99));
  // options that change the result use their own cache entry
  const fifth = await loadMovieLens(dir, { includeUnratedItems: true });
  assert.is(fifth.report!.cache, 'written');
  assert.is((await loadMovieLens(dir, { includeUnratedItems: true })).report!.cache, 'hit');
  // an explicit cacheDir
  const cacheDir = tempDir();
  const sixth = await loadMovieLens(dir, { cacheDir });
  assert.ok(sixth.report!.cacheFile!.startsWith(cacheDir));
});

test('a corrupt cache file is ignored and rewritten', async () => {
  const dir = mlCsv();
  const first = await loadMovieLens(dir);
  writeFileSync(first.report!.cacheFile!, 'not a cache');
  const logged: string[] = [];
  const again = await loadMovieLens(dir, { log: (m) => logged.push(m) });
  assert.match(again.report!.cache, /^rebuilt: the old cache was corrupted/);
  assert.match(logged.join('\n'), `the data-set cache ${first.report!.cacheFile!} is corrupted`);
  assert.is(again.ratings.length, 10);
});

test.after(cleanup);
test.run();
