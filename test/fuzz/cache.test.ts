/**
 * Fuzz: the data-set cache file, mutated (raw bytes: flips, cuts, insertions, huge numbers,
 * deletions, copies): every load must return exactly the data a fresh parse gives — a
 * corrupted cache is re-parsed (with a warning naming the cache file), never served — and
 * must not throw. Also edited with a recomputed checksum (a hostile but well-formed cache:
 * a number of its header or a word of its arrays changed): such a file may be served only
 * if it passes every check parsed data passes (ids in range, ratings on the scale, id maps
 * increasing …); a checksum cannot tell a deliberate, consistent edit from real data.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { loadMovieLens, type RatingsDataset } from '../../datasets/index.js';
import { datasetProblem } from '../../datasets/io/validate.js';
import { cleanup, mlCsv, tempDir, write } from '../datasets/fixtures.js';
import { fuzzSuite, mutate, rng, type Outcome } from './harness.js';

/** Everything a loaded set holds, as one comparable value. */
const contents = (ds: RatingsDataset) => JSON.stringify({
  n: [ds.numUsers, ds.numItems, ds.name],
  users: Array.from(ds.users), items: Array.from(ds.items), ratings: Array.from(ds.ratings), ts: ds.timestamps && Array.from(ds.timestamps),
  userIds: Array.from(ds.userIds.raw), itemIds: Array.from(ds.itemIds.raw), titles: ds.itemTitles, genreNames: ds.genreNames,
  gp: Array.from(ds.itemGenres.indptr), gi: Array.from(ds.itemGenres.indices), years: ds.itemYears && Array.from(ds.itemYears),
  scale: ds.ratingScale,
});

const HOSTILE = [-1, 0, 1, 2 ** 31, 2 ** 53, 1e300, -1e300, 0.5, NaN, 'x', null, [], {}];

/** A cache with one number of its JSON header changed, or 4 bytes of its arrays, and the checksum recomputed. */
function hostileEdit(base: Buffer, k: number): { bytes: Buffer; what: string } {
  const r = rng('cache-hostile', k);
  const hlen = base.readUInt32LE(12);
  const header = JSON.parse(base.toString('utf8', 24, 24 + hlen));
  let what: string;
  let out: Buffer;
  if (r.int(2) === 0) {
    // a numeric leaf of the header (array table, counts, scale, report)
    const leaves: [Record<string, unknown>, string][] = [];
    const walk = (o: unknown) => {
      if (o && typeof o === 'object') for (const [key, v] of Object.entries(o)) { if (typeof v === 'number') leaves.push([o as Record<string, unknown>, key]); else walk(v); }
    };
    walk(header);
    const [obj, key] = leaves[r.int(leaves.length)];
    const v = HOSTILE[r.int(HOSTILE.length)];
    what = `header ${key}: ${String(obj[key])} → ${JSON.stringify(v)}`;
    obj[key] = v;
    const hb = Buffer.from(JSON.stringify(header));
    const pre = Buffer.from(base.subarray(0, 24));
    pre.writeUInt32LE(hb.length, 12);
    const oldStart = (24 + hlen + 7) & ~7;
    const start = (24 + hb.length + 7) & ~7;
    out = Buffer.concat([pre, hb, Buffer.alloc(start - 24 - hb.length), base.subarray(oldStart)]);
  } else {
    out = Buffer.from(base);
    const dataStart = (24 + hlen + 7) & ~7;
    const at = dataStart + 4 * r.int((out.length - dataStart) >> 2);
    const v = [-1, 2 ** 31 - 1, 0x7f800000, 0x00400000, 1e6][r.int(5)];
    what = `data word at ${at} → ${v}`;
    out.writeInt32LE(v | 0, at);
  }
  out.writeUInt32LE(crc32(Buffer.concat([out.subarray(0, 16), out.subarray(20)])) >>> 0, 16);
  return { bytes: out, what };
}

fuzzSuite('cache', import.meta.url, 200, async () => {
  const dir = mlCsv(tempDir('sg-fuzz-cache-'), { crlf: false });
  // more rows than the fixture, so the arrays are worth corrupting
  write(dir, 'ratings.csv', readFileSync(join(dir, 'ratings.csv'), 'utf8') + Array.from({ length: 60 }, (_, k) => `${20 + (k % 9)},${[1, 2, 3, 11, 50][k % 5]},${1 + (k % 9) * 0.5},${1000 + k}`).join('\n') + '\n');
  const fresh = await loadMovieLens(dir, { cache: false, log: () => {} });
  const expected = contents(fresh);
  const first = await loadMovieLens(dir, { log: () => {} });
  const file = first.report!.cacheFile!;
  const base = readFileSync(file);
  process.on('exit', cleanup);
  return async (k: number): Promise<Outcome> => {
    const hostile = k % 3 === 2;
    const m = hostile ? hostileEdit(base, k) : mutate(base, rng('cache', k));
    const what = `case ${k} (${m.what})`;
    rmSync(file, { force: true });
    writeFileSync(file, m.bytes);
    const logged: string[] = [];
    const ds = await loadMovieLens(dir, { log: (line) => logged.push(line) }).catch((e: Error) => {
      throw new Error(`${what}: a corrupted cache must be re-parsed, not thrown: ${e.stack}`);
    });
    const status = ds.report!.cache;
    if (contents(ds) !== expected) {
      if (!hostile || status !== 'hit') throw new Error(`${what}: served different data (cache: ${status})`);
      const problem = datasetProblem(ds);
      if (problem) throw new Error(`${what}: served a hostile cache that breaks the data invariants: ${problem}`);
      return 'ok';
    }
    if (status.startsWith('rebuilt')) {
      if (!logged.some((l) => l.includes(file) && l.includes('is corrupted'))) throw new Error(`${what}: rebuilt without a warning naming ${file}`);
      return 'error';
    }
    if (status === 'hit' && !m.bytes.equals(base)) {
      // only a change no check can see (a report number) may still be a hit: the data matched above
      return 'ok';
    }
    return status === 'hit' ? 'ok' : 'error';
  };
});
