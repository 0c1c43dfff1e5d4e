/**
 * Fuzz: a real-format ratings.csv, mutated (bit flips, cuts, inserted bytes, huge numbers,
 * deleted and repeated ranges), loaded strictly and with skipBadLines. Each load must match
 * the reference reader (ratings-oracle.ts) exactly — same ratings in the same order, same
 * bad lines — or fail with a clear error: a DataFormatError naming the file and the line the
 * reference finds first, or an EmptyDataError when nothing valid is left.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFormatError, EmptyDataError, loadMovieLens, type RatingsDataset } from '../../datasets/index.js';
import { assertClear, fuzzSuite, mutate, rng, type Outcome } from './harness.js';
import { referenceRatings } from './ratings-oracle.js';

/** ml-latest-small's shape: a header, CRLF and LF lines, a quoted line, spaces, an empty line. */
function baseFile(): Buffer {
  const r = rng('ratings-base', 1);
  const lines = ['userId,movieId,rating,timestamp'];
  for (let k = 0; k < 120; k++) {
    const u = 1 + Math.floor(k / 12);
    const i = 1 + r.int(400) * 7;
    const rating = (1 + r.int(10)) / 2;
    let line = `${u},${i},${rating.toFixed(1)},${964982703 + r.int(100000)}`;
    if (k === 30) line = `"${u}","${i}","${rating.toFixed(1)}","${964982703}"`;
    if (k === 40) line = `  ${line} `;
    lines.push(line);
  }
  lines.splice(60, 0, '');
  return Buffer.from(lines.map((l, k) => (k % 7 === 3 ? `${l}\r` : l)).join('\n') + '\n');
}

const rows = (ds: RatingsDataset) => Array.from(ds.users, (u, e) => [ds.userIds.toRaw(u), ds.itemIds.toRaw(ds.items[e]), ds.ratings[e], ds.timestamps ? ds.timestamps[e] : 0]);

function same(a: unknown, b: unknown, what: string): void {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  if (x !== y) throw new Error(`${what}: the loader and the reference disagree\n  loader:    ${x.slice(0, 400)}\n  reference: ${y.slice(0, 400)}`);
}

fuzzSuite('ratings', import.meta.url, 400, async () => {
  const base = baseFile();
  const dir = mkdtempSync(join(tmpdir(), 'sg-fuzz-ratings-'));
  const file = join(dir, 'ratings.csv');
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return async (k: number): Promise<Outcome> => {
    const r = rng('ratings', k);
    let m = mutate(base, r);
    if (r.int(3) === 0) {
      const second = mutate(m.bytes, r);
      m = { bytes: second.bytes, what: `${m.what}; then ${second.what}` };
    }
    const what = `case ${k} (${m.what})`;
    writeFileSync(file, m.bytes);
    const ref = referenceRatings(m.bytes);
    let outcome: Outcome = 'ok';
    // strict: the first bad line is an error naming it
    try {
      const ds = await loadMovieLens(dir, { cache: false, log: () => {} });
      if (ref.bad.length > 0) throw new Error(`${what}: loaded although line ${ref.bad[0]} is bad`);
      same(rows(ds), ref.ratings, what);
      if (ds.report!.linesRead !== ref.lines) throw new Error(`${what}: linesRead ${ds.report!.linesRead} vs ${ref.lines}`);
    } catch (e) {
      if ((e as Error).message.includes('disagree') || (e as Error).message.startsWith(what)) throw e;
      outcome = 'error';
      if (e instanceof DataFormatError) {
        assertClear(e, `ratings.csv:${e.line}:`, what);
        if (e.line !== ref.bad[0]) throw new Error(`${what}: error at line ${e.line}, the reference's first bad line is ${ref.bad[0]}: ${e.message}`);
      } else if (e instanceof EmptyDataError) {
        assertClear(e, 'ratings.csv', what);
        if (ref.ratings.length > 0 && ref.bad.length === 0) throw new Error(`${what}: empty, but the reference has ${ref.ratings.length} ratings`);
      } else {
        assertClear(e, 'ratings.csv', what);
        throw new Error(`${what}: an unexpected ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    // skipping: exactly the reference's good rows, and its bad-line count
    try {
      const ds = await loadMovieLens(dir, { cache: false, skipBadLines: true, log: () => {} });
      same(rows(ds), ref.ratings, `${what} (skipBadLines)`);
      if (ds.report!.badLines !== ref.bad.length) throw new Error(`${what}: ${ds.report!.badLines} bad lines, the reference ${ref.bad.length}`);
    } catch (e) {
      if (!(e instanceof EmptyDataError) || ref.ratings.length > 0) throw e;
      assertClear(e, 'ratings.csv', what);
    }
    return outcome;
  };
});
