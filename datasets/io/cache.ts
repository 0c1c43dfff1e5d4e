/**
 * Binary cache of a parsed data set: reloading ML-20M takes a second instead of a parse.
 *
 * Layout: 8-byte magic, uint32 version, uint32 header length, a JSON header (names, scale,
 * titles, the load report, where each array lives), then the typed arrays' raw bytes, each
 * 8-byte aligned so they load as zero-copy views of one ArrayBuffer.
 *
 * A cache is used only when its version, the loader options that shape the data, and the
 * fingerprint of every source file (name, size, mtime) match; anything else re-parses and
 * rewrites it. Writes go to a temp file renamed into place, so a crash never leaves a
 * half-written cache that looks valid.
 */
import { CSR } from '../../core/csr.js';
import { IdMap } from '../idmap.js';
import type { LoadReport, RatingsDataset } from '../types.js';
import { node } from './node.js';
import { fnv1a } from './text.js';

/** Bump when the file layout or anything the parsers produce changes. */
export const CACHE_VERSION = 1;
const MAGIC = 'SGDSCACH';

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

/** The cached data set, or null when absent or stale. */
export async function readCache(file: string, expect: { fingerprint: string; options: string }): Promise<RatingsDataset | null> {
  const { fsp } = node();
  let fh;
  try {
    fh = await fsp.open(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(16);
    if ((await fh.read(head, 0, 16, 0)).bytesRead < 16 || head.toString('latin1', 0, 8) !== MAGIC) return null;
    if (head.readUInt32LE(8) !== CACHE_VERSION) return null;
    const hlen = head.readUInt32LE(12);
    const hbuf = Buffer.alloc(hlen);
    await fh.read(hbuf, 0, hlen, 16);
    const header = JSON.parse(hbuf.toString('utf8')) as Header;
    if (header.fingerprint !== expect.fingerprint || header.options !== expect.options) return null;
    const dataStart = align8(16 + hlen);
    const data = new ArrayBuffer(size - dataStart);
    const bytes = new Uint8Array(data);
    for (let done = 0; done < bytes.length;) {
      const n = Math.min(bytes.length - done, 1 << 30);
      const { bytesRead } = await fh.read(bytes, done, n, dataStart + done);
      if (bytesRead === 0) return null; // truncated
      done += bytesRead;
    }
    const arr = (name: string) => {
      const e = header.arrays.find((a) => a.name === name);
      if (!e) return undefined;
      return e.type === 'i32' ? new Int32Array(data, e.offset, e.length) : new Float32Array(data, e.offset, e.length);
    };
    const i32 = (name: string) => arr(name) as Int32Array;
    const genres = new CSR(i32('genreIndptr'), i32('genreIndices'), new Float32Array(i32('genreIndices').length).fill(1),
      [header.numItems, header.genreNames.length], false);
    const ds: RatingsDataset = {
      name: header.name,
      numUsers: header.numUsers,
      numItems: header.numItems,
      users: i32('users'),
      items: i32('items'),
      ratings: arr('ratings') as Float32Array,
      timestamps: arr('timestamps') as Int32Array | undefined,
      userIds: new IdMap(i32('userRaw')),
      itemIds: new IdMap(i32('itemRaw')),
      itemTitles: header.itemTitles,
      itemGenres: genres,
      genreNames: header.genreNames,
      itemYears: arr('itemYears') as Int32Array | undefined,
      ratingScale: header.ratingScale,
      report: header.report,
    };
    if (header.implicit) ds.implicit = true;
    return ds;
  } catch {
    return null; // unreadable cache: parse the source again
  } finally {
    await fh.close();
  }
}

const align8 = (n: number) => (n + 7) & ~7;

export async function writeCache(file: string, ds: RatingsDataset, key: { fingerprint: string; options: string }): Promise<void> {
  const { fsp, path } = node();
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
  const head = Buffer.alloc(16);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(CACHE_VERSION, 8);
  head.writeUInt32LE(hbuf.length, 12);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.write(head, 0, 16, 0);
    await fh.write(hbuf, 0, hbuf.length, 16);
    const dataStart = align8(16 + hbuf.length);
    for (const e of entries) {
      const a = arrays.find(([n]) => n === e.name)![1]!;
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      for (let done = 0; done < bytes.length;) {
        const { bytesWritten } = await fh.write(bytes, done, Math.min(bytes.length - done, 1 << 30), dataStart + e.offset + done);
        done += bytesWritten;
      }
    }
    // pad so the last array's aligned end is inside the file
    await fh.truncate(dataStart + offset);
    await fh.close();
    await fsp.rename(tmp, file);
  } catch (e) {
    await fh.close().catch(() => {});
    await fsp.rm(tmp, { force: true });
    throw e;
  }
}
