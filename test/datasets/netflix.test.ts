import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadNetflix, type RatingsDataset } from '../../datasets/index.js';
import { cleanup, netflixCombined, netflixPerMovie, tempDir, write } from './fixtures.js';

const quiet = { cache: false, log: () => {} };
const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 1000;

function rows(ds: RatingsDataset): [number, number, number, number][] {
  return Array.from(ds.users, (u, e) => [ds.userIds.toRaw(u), ds.itemIds.toRaw(ds.items[e]), ds.ratings[e], ds.timestamps![e]]);
}

test('per-movie files in training_set/ and movie_titles.txt', async () => {
  const ds = await loadNetflix(netflixPerMovie(), quiet);
  assert.is(ds.report!.format, 'netflix-per-movie');
  assert.is(ds.ratings.length, 6);
  assert.equal(rows(ds)[0], [1488844, 1, 3, day('2005-09-06')]);
  assert.equal(rows(ds)[4], [2059652, 2, 1, day('2005-09-05')]);
  assert.equal(rows(ds)[5], [822109, 17, 2, day('2004-01-01')]);
  assert.is(ds.numUsers, 4);
  assert.equal(Array.from(ds.itemIds.raw), [1, 2, 17]);
  assert.is(ds.itemTitles[ds.itemIds.toIndex(17)], 'Sex, Lies, and Videotape');
  assert.is(ds.itemYears![ds.itemIds.toIndex(17)], 0);
  assert.is(ds.itemYears![ds.itemIds.toIndex(2)], 2004);
  assert.is(ds.report!.headerLines, 3);
  assert.is(ds.report!.emptyLines, 1);
  assert.is(ds.report!.catalogItemsWithoutRatings, 1);
  assert.equal(ds.ratingScale, { min: 1, max: 5, step: 1 });
  assert.is(ds.genreNames.length, 0);
  assert.is(ds.itemGenres.shape[0], 3);
});

test('combined_data_*.txt with several movies per file gives the same ratings', async () => {
  const ds = await loadNetflix(netflixCombined(), quiet);
  assert.is(ds.report!.format, 'netflix-combined');
  assert.equal(rows(ds), [
    [1488844, 1, 3, day('2005-09-06')],
    [822109, 1, 5, day('2005-05-13')],
    [1488844, 2, 4, day('2005-09-07')],
    [822109, 17, 2, day('2004-01-01')],
    [2059652, 17, 3, day('2004-02-29')],
  ]);
  assert.is(ds.itemTitles[ds.itemIds.toIndex(1)], 'Dinosaur Planet');
});

test('a single file can be loaded directly; latin1 titles decode', async () => {
  const dir = netflixPerMovie();
  const ds = await loadNetflix(join(dir, 'training_set', 'mv_0000002.txt'), { ...quiet, includeUnratedItems: true });
  assert.is(ds.ratings.length, 2);
  assert.is(ds.itemTitles[ds.itemIds.toIndex(18)], 'Café Unrated');
});

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a rejection');
}

test('bad Netflix lines name file, line and text; skipBadLines counts them', async () => {
  const cases: [string, string][] = [
    ['1:\n1488844,6,2005-09-06\n', 'mv_0000001.txt:2: rating "6" is outside the scale 1..5'],
    ['1:\n1488844,3,2005-13-06\n', 'mv_0000001.txt:2: date must be YYYY-MM-DD, found "2005-13-06"'],
    ['1:\n1488844,3\n', 'mv_0000001.txt:2: expected 3 fields (user,rating,date)'],
    ['1488844,3,2005-09-06\n', "mv_0000001.txt:1: rating line before any 'movieId:' header line"],
    ['2:\n1488844,3,2005-09-06\n', 'mv_0000001.txt:1: the header says movie 2 but the file name says movie 1'],
  ];
  for (const [text, expected] of cases) {
    const dir = tempDir();
    write(dir, 'mv_0000001.txt', text);
    const m = await message(loadNetflix(dir, quiet));
    assert.match(m, expected, text);
  }
  const dir = tempDir();
  write(dir, 'mv_0000001.txt', '1:\n1,3,2005-09-06\nx,y\n2,4,2005-09-07\n');
  const ds = await loadNetflix(dir, { ...quiet, skipBadLines: true });
  assert.is(ds.ratings.length, 2);
  assert.is(ds.report!.badLines, 1);
  assert.equal(ds.report!.badLineSamples[0], { file: join(dir, 'mv_0000001.txt'), line: 3, text: 'x,y', reason: 'expected 3 fields (user,rating,date) after movie 1\'s header, found 2' });
});

test('an empty directory is an unknown format', async () => {
  assert.match(await message(loadNetflix(tempDir(), quiet)), 'unknown format');
});

test('Netflix cache round trip', async () => {
  const dir = netflixPerMovie();
  const a = await loadNetflix(dir, { log: () => {} });
  const b = await loadNetflix(dir);
  assert.is(a.report!.cache, 'written');
  assert.is(b.report!.cache, 'hit');
  assert.equal(rows(b), rows(a));
  write(dir, 'training_set/mv_0000003.txt', '3:\n5,5,2005-01-01\n');
  const c = await loadNetflix(dir);
  assert.is(c.report!.cache, 'written');
  assert.is(c.ratings.length, 7);
});

test.after(cleanup);
test.run();
