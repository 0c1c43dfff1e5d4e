/**
 * Binary cache of a parsed data set: reloading ML-20M takes a second instead of a parse.
 *
 * Layout (version 2): 8-byte magic "SGDSCACH", u32 version, u32 header length, u32 CRC-32,
 * u32 zero, a JSON header (names, scale, titles, the load report, where each array lives),
 * then the typed arrays' raw bytes, each 8-byte aligned. The CRC covers every byte of the
 * file except its own four.
 *
 * A cache is used only when its version, the loader options that shape the data, and the
 * fingerprint of every source file (name, size, mtime) match; anything else re-parses and
 * rewrites it. A cache that matches but fails its checks — its length, its CRC, the shape
 * of its header, or the same invariants parsed data keeps (ids in range, ratings on the
 * scale, id maps increasing: `validate.ts`) — is **corrupted**: `readCache` says why,
 * naming the file, and the loader re-parses and rewrites it. Writes are atomic
 * (`atomic.ts`): a killed or failed write leaves the old cache or none, and no temp file.
 */
import { CSR } from '../../core/csr.js';
import { IdMap } from '../idmap.js';
import type { LoadReport, RatingsDataset } from '../types.js';
import { writeFileAtomicSync } from './atomic.js';
import { crc32 } from './checksum.js';
import { openRegularFile } from './lines.js';
import { node } from './node.js';
import { clip } from './safe-text.js';
import { fnv1a } from './text.js';
import { datasetProblem } from './validate.js';

/** Bump when the file layout or anything the parsers produce changes. */
export const CACHE_VERSION = 2;
const MAGIC = 'SGDSCACH';
const PREFIX = 24;
/** A header past this is not one we wrote (ML-20M's, with 27k titles, is ~1.5 MB). */
const MAX_HEADER_BYTES = 256 << 20;

type ArrayType = 'i32' | 'f32';
interface ArrayEntry { name: string; type: ArrayType; offset: number; length: number }
interface Header {
  version: number;
  fingerprint: string;
  options: string;
  name: string;
  numUsers: number;
  numItems: number;
  ratingScale: RatingsDataset['ratingScale'];
  genreNames: string[];
  itemTitles: string[];
  implicit?: boolean;
  report?: LoadReport;
  arrays: ArrayEntry[];
}

/** Name, size and mtime of every source file, hashed (17,770 Netflix files make one short string). */
export async function fingerprint(files: string[]): Promise<string> {
  const { fsp, path } = node();
  const parts: string[] = [];
  let total = 0;
  for (const f of files) {
    const st = await fsp.stat(f);
    total += st.size;
    parts.push(`${path.basename(f)}:${st.size}:${Math.round(st.mtimeMs)}`);
  }
  return `${files.length} files, ${total} bytes, ${fnv1a(parts.join('|'))}`;
}

/** Where the cache of `kind` with these options lives (default: `<dataDir>/.sparsegrad-cache/`). */
export function cacheFile(dataDir: string, cacheDir: string | undefined, kind: string, options: string): string {
  const { path } = node();
  const dir = cacheDir ?? path.join(dataDir, '.sparsegrad-cache');
  // the data directory is part of the key so one shared cacheDir can serve several data sets
  return path.join(dir, `${kind}-${fnv1a(`${path.resolve(dataDir)}|${options}`)}.bin`);
}

/** What reading a cache found: the data set, nothing usable (absent or stale), or a corrupted file. */
export type CacheRead = { status: 'hit'; data: RatingsDataset } | { status: 'miss' } | { status: 'corrupted'; reason: string };

class Corrupt extends Error {}

const ARRAYS: Record<string, ArrayType> = {
  users: 'i32', items: 'i32', ratings: 'f32', timestamps: 'i32', userRaw: 'i32', itemRaw: 'i32',
  genreIndptr: 'i32', genreIndices: 'i32', itemYears: 'i32',
};

export async function readCache(file: string, expect: { fingerprint: string; options: string }): Promise<CacheRead> {
  let fh;
  try {
    fh = await openRegularFile(file);
  } catch {
    return { status: 'miss' };
  }
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(PREFIX);
    if ((await fh.read(head, 0, PREFIX, 0)).bytesRead < PREFIX) throw new Corrupt(`it is ${size} bytes, shorter than a cache's ${PREFIX}-byte prefix`);
    if (head.toString('latin1', 0, 8) !== MAGIC) throw new Corrupt('it does not start with the cache magic bytes');
    if (head.readUInt32LE(8) !== CACHE_VERSION) return { status: 'miss' }; // another version: rewrite it
    const hlen = head.readUInt32LE(12);
    const stored = head.readUInt32LE(16);
    if (hlen > MAX_HEADER_BYTES || PREFIX + hlen > size) throw new Corrupt(`its header length ${hlen} does not fit in the ${size}-byte file`);
    const hbuf = Buffer.alloc(hlen);
    await fh.read(hbuf, 0, hlen, PREFIX);
    let header: Header;
    try {
      header = JSON.parse(hbuf.toString('utf8'));
    } catch (e) {
      throw new Corrupt(`its header is not JSON (${clip((e as Error).message, 100)})`);
    }
    if (typeof header !== 'object' || header === null) throw new Corrupt('its header is not an object');
    if (header.fingerprint !== expect.fingerprint || header.options !== expect.options) return { status: 'miss' };
    const dataStart = align8(PREFIX + hlen);
    const arrays = checkArrays(header, size - dataStart);
    // the data region, read whole; then the CRC over prefix (minus the CRC), header, padding, data
    const data = new ArrayBuffer(size - dataStart);
    const bytes = new Uint8Array(data);
    for (let done = 0; done < bytes.length;) {
      const n = Math.min(bytes.length - done, 1 << 30);
      const { bytesRead } = await fh.read(bytes, done, n, dataStart + done);
      if (bytesRead === 0) throw new Corrupt('it ended while being read');
      done += bytesRead;
    }
    const pad = Buffer.alloc(dataStart - PREFIX - hlen);
    if (pad.length > 0) await fh.read(pad, 0, pad.length, PREFIX + hlen);
    let crc = crc32(head.subarray(0, 16));
    crc = crc32(head.subarray(20, PREFIX), crc);
    crc = crc32(hbuf, crc);
    crc = crc32(pad, crc);
    crc = crc32(bytes, crc);
    if (crc !== stored) throw new Corrupt(`its checksum does not match (CRC-32 ${hex(crc)}, stored ${hex(stored)})`);
    const ds = assembleCached(header, data, arrays);
    const problem = datasetProblem(ds);
    if (problem) throw new Corrupt(clip(problem, 300));
    return { status: 'hit', data: ds };
  } catch (e) {
    if (e instanceof Corrupt) return { status: 'corrupted', reason: e.message };
    return { status: 'corrupted', reason: clip((e as Error).message, 300) };
  } finally {
    await fh.close();
  }
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** The array table, checked against the data region before anything is allocated for it. */
function checkArrays(header: Header, dataBytes: number): Map<string, ArrayEntry> {
  if (!Array.isArray(header.arrays)) throw new Corrupt('its header has no array table');
  const out = new Map<string, ArrayEntry>();
  let end = 0;
  for (const e of header.arrays) {
    if (!e || typeof e.name !== 'string' || ARRAYS[e.name] !== e.type || out.has(e.name)) {
      throw new Corrupt(`its array table has an unknown, mistyped or repeated entry ${clip(JSON.stringify(e) ?? '', 100)}`);
    }
    if (!Number.isSafeInteger(e.offset) || e.offset < 0 || e.offset % 8 !== 0 || !Number.isSafeInteger(e.length) || e.length < 0
      || e.offset + 4 * e.length > dataBytes) {
      throw new Corrupt(`array '${e.name}' (offset ${e.offset}, ${e.length} values) does not fit in the ${dataBytes}-byte data region`);
    }
    end = Math.max(end, align8(e.offset + 4 * e.length));
    out.set(e.name, e);
  }
  if (end !== dataBytes) throw new Corrupt(`its data region is ${dataBytes} bytes but the arrays need ${end}`);
  for (const need of ['users', 'items', 'ratings', 'userRaw', 'itemRaw', 'genreIndptr', 'genreIndices']) {
    if (!out.has(need)) throw new Corrupt(`array '${need}' is missing`);
  }
  return out;
}

function assembleCached(header: Header, data: ArrayBuffer, arrays: Map<string, ArrayEntry>): RatingsDataset {
  const arr = (name: string) => {
    const e = arrays.get(name);
    if (!e) return undefined;
    return e.type === 'i32' ? new Int32Array(data, e.offset, e.length) : new Float32Array(data, e.offset, e.length);
  };
  const i32 = (name: string) => arr(name) as Int32Array;
  if (!Array.isArray(header.genreNames)) throw new Corrupt('genreNames is not a list');
  const gi = i32('genreIndices');
  const gp = i32('genreIndptr');
  if (!Number.isSafeInteger(header.numItems) || gp.length !== header.numItems + 1) throw new Corrupt(`genreIndptr has ${gp.length} entries for ${header.numItems} items`);
  // IdMap checks distinctness; the strictly-increasing check in datasetProblem is stronger, but runs later
  let userIds: IdMap;
  let itemIds: IdMap;
  try {
    userIds = new IdMap(i32('userRaw'));
    itemIds = new IdMap(i32('itemRaw'));
  } catch (e) {
    throw new Corrupt(clip((e as Error).message, 200));
  }
  const ds: RatingsDataset = {
    name: String(header.name),
    numUsers: header.numUsers,
    numItems: header.numItems,
    users: i32('users'),
    items: i32('items'),
    ratings: arr('ratings') as Float32Array,
    timestamps: arr('timestamps') as Int32Array | undefined,
    userIds,
    itemIds,
    itemTitles: header.itemTitles,
    itemGenres: new CSR(gp, gi, new Float32Array(gi.length).fill(1), [header.numItems, header.genreNames.length], false),
    genreNames: header.genreNames,
    itemYears: arr('itemYears') as Int32Array | undefined,
    ratingScale: header.ratingScale,
    report: header.report,
  };
  if (header.implicit === true) ds.implicit = true;
  if (ds.report !== undefined && (typeof ds.report !== 'object' || ds.report === null || ds.report.ratingsKept !== ds.ratings.length)) {
    throw new Corrupt('its load report does not match its data');
  }
  return ds;
}

const align8 = (n: number) => (n + 7) & ~7;

/** Writes the cache atomically; a failure (disk full, read-only directory) throws and leaves no temp file. */
export async function writeCache(file: string, ds: RatingsDataset, key: { fingerprint: string; options: string }): Promise<void> {
  const { fs, path } = node();
  const arrays: [string, Int32Array | Float32Array | undefined][] = [
    ['users', ds.users], ['items', ds.items], ['ratings', ds.ratings], ['timestamps', ds.timestamps],
    ['userRaw', ds.userIds.raw], ['itemRaw', ds.itemIds.raw],
    ['genreIndptr', ds.itemGenres.indptr], ['genreIndices', ds.itemGenres.indices], ['itemYears', ds.itemYears],
  ];
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, a] of arrays) {
    if (!a) continue;
    entries.push({ name, type: a instanceof Float32Array ? 'f32' : 'i32', offset, length: a.length });
    offset = align8(offset + a.byteLength);
  }
  const header: Header = {
    version: CACHE_VERSION, fingerprint: key.fingerprint, options: key.options, name: ds.name,
    numUsers: ds.numUsers, numItems: ds.numItems, ratingScale: ds.ratingScale, genreNames: ds.genreNames,
    itemTitles: ds.itemTitles, implicit: ds.implicit, report: ds.report, arrays: entries,
  };
  const hbuf = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = align8(PREFIX + hbuf.length);
  const chunks: Uint8Array[] = [hbuf, new Uint8Array(dataStart - PREFIX - hbuf.length)];
  let at = 0;
  for (const e of entries) {
    const a = arrays.find(([n]) => n === e.name)![1]!;
    if (e.offset > at) chunks.push(new Uint8Array(e.offset - at));
    chunks.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    at = e.offset + a.byteLength;
  }
  if (offset > at) chunks.push(new Uint8Array(offset - at)); // the last array's aligned end is inside the file
  const head = Buffer.alloc(PREFIX);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(CACHE_VERSION, 8);
  head.writeUInt32LE(hbuf.length, 12);
  let crc = crc32(head.subarray(0, 16));
  crc = crc32(head.subarray(20, PREFIX), crc);
  for (const c of chunks) crc = crc32(c, crc);
  head.writeUInt32LE(crc >>> 0, 16);
  await node().fsp.mkdir(path.dirname(file), { recursive: true });
  writeFileAtomicSync(file, [head, ...chunks], { fs, dirname: path.dirname, basename: path.basename, join: path.join, what: 'data-set cache' });
}
