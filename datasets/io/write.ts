/**
 * Writes a data set back out in MovieLens's CSV format (ratings.csv + movies.csv), e.g. to
 * turn the synthetic ML-20M-sized set into files for the parse benchmark. Ratings are
 * formatted straight into a byte buffer (20M lines in seconds, no per-line strings).
 */
import type { RatingsDataset } from '../types.js';
import { loadNode } from './node.js';

export interface WriteRatingsOptions {
  /** write the `userId,movieId,rating,timestamp` header (default true) */
  header?: boolean;
  /** raw ids from the id maps (default true) or dense indices */
  rawIds?: boolean;
}

/** Writes `ratings.csv` lines: raw user id, raw movie id, rating with one decimal ("4.0", "3.5"), timestamp. */
export async function writeRatingsCsv(
  ds: Pick<RatingsDataset, 'users' | 'items' | 'ratings' | 'timestamps'> & Partial<Pick<RatingsDataset, 'userIds' | 'itemIds'>>,
  file: string,
  opts: WriteRatingsOptions = {},
): Promise<{ lines: number; bytes: number }> {
  const { fsp } = await loadNode();
  const raw = opts.rawIds ?? true;
  const userRaw = raw && ds.userIds ? ds.userIds.raw : null;
  const itemRaw = raw && ds.itemIds ? ds.itemIds.raw : null;
  const buf = Buffer.allocUnsafe(4 << 20);
  let p = 0;
  let bytes = 0;
  const fh = await fsp.open(file, 'w');
  const flush = async () => {
    for (let done = 0; done < p;) done += (await fh.write(buf, done, p - done)).bytesWritten;
    bytes += p;
    p = 0;
  };
  // digits of a non-negative integer, written backwards then reversed in place
  const writeInt = (v: number) => {
    if (v < 0) {
      buf[p++] = 45;
      v = -v;
    }
    const s = p;
    do {
      buf[p++] = 48 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
    for (let i = s, j = p - 1; i < j; i++, j--) {
      const t = buf[i];
      buf[i] = buf[j];
      buf[j] = t;
    }
  };
  try {
    if (opts.header ?? true) p += buf.write(ds.timestamps ? 'userId,movieId,rating,timestamp\n' : 'userId,movieId,rating\n', p, 'latin1');
    const n = ds.ratings.length;
    for (let e = 0; e < n; e++) {
      if (p > buf.length - 128) await flush();
      writeInt(userRaw ? userRaw[ds.users[e]] : ds.users[e]);
      buf[p++] = 44;
      writeInt(itemRaw ? itemRaw[ds.items[e]] : ds.items[e]);
      buf[p++] = 44;
      const r = ds.ratings[e];
      const tenths = Math.round(r * 10);
      if (Math.abs(tenths - r * 10) < 1e-4 && tenths >= 0) {
        writeInt(Math.floor(tenths / 10));
        buf[p++] = 46;
        buf[p++] = 48 + (tenths % 10);
      } else {
        p += buf.write(String(r), p, 'latin1');
      }
      if (ds.timestamps) {
        buf[p++] = 44;
        writeInt(ds.timestamps[e]);
      }
      buf[p++] = 10;
    }
    await flush();
  } finally {
    await fh.close();
  }
  return { lines: ds.ratings.length + (opts.header ?? true ? 1 : 0), bytes };
}

/** A CSV field, quoted when it holds a comma, quote or newline ("" for a quote). */
function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes `movies.csv` (`movieId,title,genres`, genres `|`-separated or '(no genres listed)'). */
export async function writeMoviesCsv(ds: RatingsDataset, file: string): Promise<void> {
  const { fsp } = await loadNode();
  const lines = ['movieId,title,genres'];
  const g = ds.itemGenres;
  for (let i = 0; i < ds.numItems; i++) {
    const names: string[] = [];
    for (let p = g.indptr[i]; p < g.indptr[i + 1]; p++) names.push(ds.genreNames[g.indices[p]]);
    lines.push(`${ds.itemIds.raw[i]},${csvField(ds.itemTitles[i])},${csvField(names.length ? names.join('|') : '(no genres listed)')}`);
  }
  await fsp.writeFile(file, `${lines.join('\n')}\n`, 'utf8');
}

/** Writes a MovieLens-style directory (ratings.csv + movies.csv) that loadMovieLens reads back. */
export async function writeMovieLens(ds: RatingsDataset, dir: string, opts: WriteRatingsOptions = {}): Promise<void> {
  const { fsp, path } = await loadNode();
  await fsp.mkdir(dir, { recursive: true });
  await writeRatingsCsv(ds, path.join(dir, 'ratings.csv'), opts);
  await writeMoviesCsv(ds, path.join(dir, 'movies.csv'));
}
