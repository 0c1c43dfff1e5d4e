/**
 * The data-set cache under corruption and interrupted writes (issue 14): a flipped bit, a
 * hostile edit with a recomputed checksum, a cut file and a kill -9 mid-write each end in a
 * correct load (re-parsed, with a warning naming the cache file), never in wrong data.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadMovieLens, writeRatingsCsv, type RatingsDataset } from '../../datasets/index.js';
import { crc32, crc32js } from '../../datasets/io/checksum.js';
import { cleanup, mlCsv, tempDir } from './fixtures.js';

const triples = (ds: RatingsDataset) => Array.from(ds.users, (u, e) => [ds.userIds.toRaw(u), ds.itemIds.toRaw(ds.items[e]), ds.ratings[e]]);

/** Loads with a log, returning the set and what was logged. */
async function load(dir: string) {
  const logged: string[] = [];
  const ds = await loadMovieLens(dir, { log: (m) => logged.push(m) });
  return { ds, logged: logged.join('\n') };
}

/** Offsets of the cache's parts: header JSON and where array `name` starts. */
function layout(buf: Buffer) {
  const hlen = buf.readUInt32LE(12);
  const header = JSON.parse(buf.toString('utf8', 24, 24 + hlen));
  const dataStart = (24 + hlen + 7) & ~7;
  const at = (name: string) => dataStart + header.arrays.find((a: { name: string }) => a.name === name).offset;
  return { hlen, header, dataStart, at };
}

/** The CRC a writer would store (every byte but the CRC's own four). */
function restamp(buf: Buffer): void {
  buf.writeUInt32LE(crc32js(Buffer.concat([buf.subarray(0, 16), buf.subarray(20)])), 16);
}

test('CRC-32: native and table-driven agree, chained, on empty views too', () => {
  const b = Buffer.from('123456789');
  assert.is(crc32(b), 0xcbf43926); // the standard check value
  assert.is(crc32js(b), 0xcbf43926);
  assert.is(crc32(b.subarray(4), crc32(b.subarray(0, 4))), 0xcbf43926);
  assert.is(crc32(new Uint8Array(new ArrayBuffer(0)), 12345), 12345);
  const r = new Uint8Array(10000).map((_, i) => (i * 2654435761) >>> 24);
  assert.is(crc32(r, 7), crc32js(r, 7));
});

test('a flipped bit anywhere in the cache is caught by the checksum; the reload is correct', async () => {
  const dir = mlCsv();
  const { ds: first } = await load(dir);
  const file = first.report!.cacheFile!;
  const good = readFileSync(file);
  const { at, hlen } = layout(good);
  // in the ratings (issue: a rating of 5.9e-39 served as a hit), the user index, the header, the padding
  for (const pos of [at('ratings') + 3, at('users') + 2, 24 + Math.floor(hlen / 2), good.length - 1]) {
    const bad = Buffer.from(good);
    bad[pos] ^= 0x40;
    writeFileSync(file, bad);
    const { ds, logged } = await load(dir);
    assert.equal(triples(ds), triples(first), `flip at ${pos}`);
    if (!/^rebuilt|^written/.test(ds.report!.cache)) assert.unreachable(`flip at ${pos}: ${ds.report!.cache}`);
    if (ds.report!.cache.startsWith('rebuilt')) assert.match(logged, `the data-set cache ${file} is corrupted`);
    assert.is((await load(dir)).ds.report!.cache, 'hit', 'rewritten whole');
  }
});

test('a hostile cache with a valid checksum is held to the parser\'s checks, naming the cache file', async () => { console.time('a hostile cache with a valid checksum is held to the parser\'s checks, naming the cache file');
  const dir = mlCsv();
  const { ds: first } = await load(dir);
  const file = first.report!.cacheFile!;
  const good = readFileSync(file);
  const { at } = layout(good);
  const cases: [(b: Buffer) => void, RegExp][] = [
    [(b) => b.writeInt32LE(2130706432, at('users')), /user index 2130706432 is outside \[0, 4\)/],
    [(b) => b.writeFloatLE(5.9e-39, at('ratings') + 4), /value .* is not on the scale 0.5..5/],
    [(b) => b.writeInt32LE(-3, at('items') + 8), /item index -3 is outside/],
    [(b) => b.writeInt32LE(1, at('userRaw') + 4), /raw id 1 appears twice|user id map is not strictly increasing/],
  ];
  for (const [edit, reason] of cases) {
    const bad = Buffer.from(good);
    edit(bad);
    restamp(bad);
    writeFileSync(file, bad);
    const { ds, logged } = await load(dir);
    assert.match(logged, `the data-set cache ${file} is corrupted`);
    assert.match(logged, reason);
    assert.match(ds.report!.cache, reason);
    assert.equal(triples(ds), triples(first));
  }
  // header edits: array table pointing past the end, a huge numUsers, a cut file
  const { header, hlen } = layout(good);
  const withHeader = (h: unknown) => {
    const hb = Buffer.from(JSON.stringify(h));
    const pre = Buffer.from(good.subarray(0, 24));
    pre.writeUInt32LE(hb.length, 12);
    const ds0 = (24 + hb.length + 7) & ~7;
    const out = Buffer.concat([pre, hb, Buffer.alloc(ds0 - 24 - hb.length), good.subarray((24 + hlen + 7) & ~7)]);
    restamp(out);
    return out;
  };
  const h1 = structuredClone(header);
  h1.arrays[0].length = 1e12;
  const h2 = structuredClone(header);
  h2.numUsers = 2e9;
  for (const [bytes, reason] of [[withHeader(h1), /does not fit in the/], [withHeader(h2), /id map has 4 entries for 2000000000 users|genreIndptr|outside/],
    [good.subarray(0, good.length - 9), /checksum|does not fit|data region/], [good.subarray(0, 10), /shorter than a cache's 24-byte prefix/]] as [Buffer, RegExp][]) {
    writeFileSync(file, bytes);
    const { ds, logged } = await load(dir);
    assert.match(logged, reason);
    assert.equal(triples(ds), triples(first));
  }
});

/** A ratings.csv big enough that writing its cache takes a while (1M ratings, written as bytes). */
async function bigRatings(dir: string): Promise<void> {
  const n = 1_000_000;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    users[e] = 1 + Math.floor(e / 100);
    items[e] = 1 + ((users[e] * 7 + (e % 100) * 13) % 5000);
    ratings[e] = 1 + (e % 9) * 0.5;
    timestamps[e] = 1_000_000 + e;
  }
  await writeRatingsCsv({ users, items, ratings, timestamps }, join(dir, 'ratings.csv'), { rawIds: false });
}

/** Starts a child that loads `dir` (rewriting its stale cache) and kills it -9 once a temp file shows; false when it finished first. */
async function killDuringCacheWrite(dir: string, cacheDir: string): Promise<boolean> {
  const dist = resolve('dist/index.js');
  utimesSync(join(dir, 'ratings.csv'), new Date(), new Date(Date.now() + Math.random() * 1e9)); // stale: the child rewrites it
  const child = spawn(process.execPath, ['-e', `import(${JSON.stringify(dist)}).then((sg) => sg.datasets.loadMovieLens(${JSON.stringify(dir)}, { log() {} }))`], { stdio: 'ignore' });
  let exited = false;
  child.on('exit', () => { exited = true; });
  let caught = false;
  while (!caught && !exited) {
    caught = readdirSync(cacheDir).some((n) => n.includes('.tmp-'));
    if (!caught) await new Promise((r) => setImmediate(r));
  }
  child.kill('SIGKILL');
  if (!exited) await new Promise((r) => child.on('exit', r));
  return caught;
}

test('kill -9 while the cache is being written: the old cache stays whole, the temp is swept next time', async () => {
  assert.ok(existsSync(resolve('dist/index.js')), 'dist/ is built (scripts/setup.sh builds it)');
  const dir = tempDir();
  await bigRatings(dir);
  const { ds: first } = await load(dir);
  const file = first.report!.cacheFile!;
  const cacheDir = dirname(file);
  const before = readFileSync(file);
  let caught = false;
  for (let attempt = 0; attempt < 4 && !caught; attempt++) caught = await killDuringCacheWrite(dir, cacheDir);
  assert.ok(caught, 'caught the child mid-write');
  assert.ok(readdirSync(cacheDir).some((n) => n.includes('.tmp-')), 'kill -9 leaves its temp behind');
  // the old cache is untouched: the rename never happened
  assert.equal(readFileSync(file), before);
  // next load: stale → re-parse; the dead process's temp is removed
  const { ds } = await load(dir);
  assert.is(ds.report!.cache, 'written');
  assert.equal(readdirSync(cacheDir).filter((n) => n.includes('.tmp')), []);
  assert.equal(Array.from(ds.ratings.subarray(0, 1000)), Array.from(first.ratings.subarray(0, 1000)));
  assert.is(ds.ratings.length, first.ratings.length);
});

test('a cache that cannot be written (directory in the way) is reported, not fatal, and leaves no temp', async () => {
  const dir = mlCsv();
  const first = await loadMovieLens(dir, { log: () => {} });
  const file = first.report!.cacheFile!;
  rmSync(file);
  mkdirSync(file);
  const ds = await loadMovieLens(dir, { log: () => {} });
  assert.match(ds.report!.cache, /^not written: data-set cache: .* is a directory/);
  assert.equal(readdirSync(dirname(file)).filter((n) => n.includes('.tmp')), []);
  assert.is(ds.ratings.length, 10);
});

test.after(cleanup);
test.run();
