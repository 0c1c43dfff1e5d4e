/**
 * Hostile input to the loaders (issue 14): lines with no end, huge fields, directories and
 * devices where files should be, empty data, duplicate pairs. Each gives a clear, bounded
 * error or a correct load with a report that says what was there.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdirSync, openSync, closeSync, ftruncateSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DataFormatError, EmptyDataError, loadMovieLens, loadNetflix } from '../../datasets/index.js';
import { cleanup, mlCsv, ml1m, netflixPerMovie, tempDir, write } from './fixtures.js';

const quiet = { cache: false, log: () => {} };

async function rejects(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

test('a file with no newline (3 GB sparse) fails after the line limit, naming file, line and byte offset', async () => {
  const dir = tempDir();
  const file = join(dir, 'ratings.csv');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, 3 * 2 ** 30); // sparse: no disk used, reads as zeros
  closeSync(fd);
  const t0 = performance.now();
  const e = await rejects(loadMovieLens(dir, quiet));
  assert.ok(performance.now() - t0 < 5000, 'stops early, not after reading 3 GB');
  assert.instance(e, DataFormatError);
  const d = e as DataFormatError;
  assert.is(d.file, file);
  assert.is(d.line, 1);
  assert.is(d.byteOffset, 0);
  assert.match(e.message, 'ratings.csv:1: line 1 (starting at byte offset 0) is longer than the 1,048,576-byte limit');
  assert.ok(e.message.length < 600, `bounded message (${e.message.length} chars)`);
});

test('a long line after good ones names its line and byte offset; maxLineBytes sets the limit', async () => {
  const dir = tempDir();
  const head = 'userId,movieId,rating,timestamp\n1,1,4.0,5\n';
  write(dir, 'ratings.csv', `${head}1,${'9'.repeat(2_000_000)},4.0,5\n2,2,3.0,5\n`);
  const e = await rejects(loadMovieLens(dir, quiet)) as DataFormatError;
  assert.instance(e, DataFormatError);
  assert.is(e.line, 3);
  assert.is(e.byteOffset, head.length);
  assert.match(e.message, `starting at byte offset ${head.length}`);
  assert.match(e.message, '(2,000,008 bytes)');
  assert.ok(e.message.length < 600);
  // a smaller limit catches a shorter line
  write(dir, 'ratings.csv', `${head}1,${'9'.repeat(300)},4.0,5\n`);
  const e2 = await rejects(loadMovieLens(dir, { ...quiet, maxLineBytes: 100 })) as DataFormatError;
  assert.is(e2.line, 3);
  assert.match(e2.message, 'longer than the 100-byte limit (308 bytes)');
});

test('a link to /dev/zero, a directory as ratings.csv or movies.csv: refused by name', async () => {
  const dir = tempDir();
  symlinkSync('/dev/zero', join(dir, 'ratings.csv'));
  assert.match((await rejects(loadMovieLens(dir, quiet))).message, `${join(dir, 'ratings.csv')} is a character device, not a file`);
  const d2 = tempDir();
  mkdirSync(join(d2, 'ratings.csv'));
  assert.match((await rejects(loadMovieLens(d2, quiet))).message, `${join(d2, 'ratings.csv')} is a directory, not a file`);
  const d3 = mlCsv(tempDir());
  rmSync(join(d3, 'movies.csv'));
  mkdirSync(join(d3, 'movies.csv'));
  assert.match((await rejects(loadMovieLens(d3, quiet))).message, `${join(d3, 'movies.csv')} is a directory, not a file`);
});

test('a huge field under the line limit gives a bounded error that says how long the field was', async () => {
  const dir = tempDir();
  const big = 'x'.repeat(500_000);
  write(dir, 'ratings.csv', `userId,movieId,rating,timestamp\n1,${big},4.0,5\n`);
  const e = await rejects(loadMovieLens(dir, quiet)) as DataFormatError;
  assert.instance(e, DataFormatError);
  assert.ok(e.message.length < 1000, `message is ${e.message.length} characters`);
  assert.match(e.message, '500,000 characters in all');
  assert.ok(e.text.length < 300 && e.reason.length < 700);
  // with skipBadLines the kept samples are bounded too
  appendFileSync(join(dir, 'ratings.csv'), '1,1,4.0,5\n');
  const ds = await loadMovieLens(dir, { ...quiet, skipBadLines: true });
  assert.is(ds.report!.badLines, 1);
  const s = ds.report!.badLineSamples[0];
  assert.ok(s.text.length < 300 && s.reason.length < 700, `${s.text.length} / ${s.reason.length}`);
  // a long movie id in movies.csv
  const d2 = mlCsv(tempDir(), { crlf: false });
  appendFileSync(join(d2, 'movies.csv'), `${'7'.repeat(400_000)}x,Title,Drama\n`);
  const e2 = await rejects(loadMovieLens(d2, quiet));
  assert.ok(e2.message.length < 1000, `movies.csv message is ${e2.message.length} characters`);
});

test('empty data is an error: 0 bytes, only a header, every line skipped', async () => {
  const dir = tempDir();
  write(dir, 'ratings.csv', '');
  let e = await rejects(loadMovieLens(dir, quiet));
  assert.instance(e, EmptyDataError);
  assert.match(e.message, /no ratings in .*ratings\.csv \(the file is empty\)/);
  write(dir, 'ratings.csv', 'userId,movieId,rating,timestamp\n\n');
  e = await rejects(loadMovieLens(dir, { ...quiet, skipBadLines: true }));
  assert.instance(e, EmptyDataError);
  assert.match(e.message, '2 line(s) read: 1 header, 1 empty, 0 bad and skipped');
  write(dir, 'ratings.csv', 'userId,movieId,rating,timestamp\n1,1,9,1\n');
  e = await rejects(loadMovieLens(dir, { ...quiet, skipBadLines: true }));
  assert.instance(e, EmptyDataError);
  assert.match(e.message, '1 bad and skipped); first bad line:');
  assert.match(e.message, 'rating 9 is outside the scale');
  const nf = tempDir();
  write(nf, 'training_set/mv_0000001.txt', '1:\n');
  assert.instance(await rejects(loadNetflix(nf, quiet)), EmptyDataError);
});

test('duplicate (user, item) pairs are kept and counted, grouped by user or not', async () => {
  const dir = mlCsv(tempDir(), { crlf: false });
  let ds = await loadMovieLens(dir, quiet);
  assert.is(ds.report!.duplicatePairs, 0);
  appendFileSync(join(dir, 'ratings.csv'), '1,3,2.0,5\n1,3,2.5,6\n2,11,3.0,7\n');
  const logged: string[] = [];
  ds = await loadMovieLens(dir, { cache: false, log: (m) => logged.push(m) });
  assert.is(ds.ratings.length, 13);
  assert.is(ds.report!.duplicatePairs, 3);
  assert.match(logged.join('\n'), '3 rating(s) repeat a (user, item) pair');
  // ml-1m order (grouped by user) takes the fast path
  const d1 = ml1m(tempDir());
  appendFileSync(join(d1, 'ratings.dat'), '3::2355::2::978824292\n');
  assert.is((await loadMovieLens(d1, quiet)).report!.duplicatePairs, 1);
  const nf = netflixPerMovie(tempDir());
  assert.is((await loadNetflix(nf, quiet)).report!.duplicatePairs, 0);
});

test('the default warning log is terminal-safe', async () => {
  const dir = tempDir();
  write(dir, 'ratings.csv', 'userId,movieId,rating,timestamp\n1,1,4.0,5\n\x1b]0;pwned\x07\x1b[2J,1,1,1\n');
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  (process.stderr as { write: unknown }).write = (s: string) => { writes.push(String(s)); return true; };
  try {
    await loadMovieLens(dir, { cache: false, skipBadLines: true });
  } finally {
    (process.stderr as { write: unknown }).write = orig;
  }
  const out = writes.join('');
  assert.match(out, 'skipped 1 bad line(s)');
  assert.not.match(out, /[\x00-\x08\x0b-\x1f\x7f]/);
});

test.after(cleanup);
test.run();
