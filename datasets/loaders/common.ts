/**
 * What every loader shares: options, the cache round trip, and turning parsed columns plus
 * a catalog into a RatingsDataset with its load report.
 */
import { cacheFile, fingerprint, readCache, writeCache } from '../io/cache.js';
import { EmptyDataError, type BadLines } from '../io/errors.js';
import { node } from '../io/node.js';
import { clip, terminalSafe } from '../io/safe-text.js';
import { denseIds } from '../idmap.js';
import type { LoadReport, RatingScale, RatingsDataset } from '../types.js';
import { alignCatalog, type Catalog } from './catalog.js';

export interface LoadOptions {
  /** count and skip malformed lines instead of throwing on the first (default false) */
  skipBadLines?: boolean;
  /** read/write the binary cache (default true) */
  cache?: boolean;
  /** where cache files go (default `<data dir>/.sparsegrad-cache`) */
  cacheDir?: string;
  /** progress bar on stderr (default: on a TTY for files ≥ 32 MB) */
  progress?: boolean;
  /** also index catalog items nobody rated (default false: they are only counted) */
  includeUnratedItems?: boolean;
  /** allowed ratings (default: the format's scale) */
  ratingScale?: RatingScale;
  /** text encoding of the files (default: the format's: UTF-8 for CSV, latin1 for .dat/ml-100k/Netflix titles) */
  encoding?: 'utf8' | 'latin1';
  /** where warnings go, e.g. skipped bad lines (default: stderr, terminal-safe) */
  log?: (message: string) => void;
  /** longest line accepted in any file, in bytes (default 1 MiB) */
  maxLineBytes?: number;
}

/** The options that change what a parse produces (part of the cache key). */
export function optionsKey(format: string, opts: LoadOptions, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    format, skipBadLines: !!opts.skipBadLines, includeUnratedItems: !!opts.includeUnratedItems,
    ratingScale: opts.ratingScale ?? null, encoding: opts.encoding ?? null, ...extra,
  });
}

/**
 * Loads through the cache: a hit returns the cached set (report.cache = 'hit'); a miss
 * runs `parse` and writes the cache (a failed write is reported, not fatal).
 */
export async function cached(
  kind: string,
  dataDir: string,
  sources: string[],
  key: string,
  opts: LoadOptions,
  parse: () => Promise<RatingsDataset>,
): Promise<RatingsDataset> {
  const t0 = performance.now();
  if (opts.cache === false) {
    const ds = await parse();
    ds.report!.cache = 'disabled';
    return ds;
  }
  const fp = await fingerprint(sources);
  const file = cacheFile(dataDir, opts.cacheDir, kind, key);
  const found = await readCache(file, { fingerprint: fp, options: key });
  if (found.status === 'hit') {
    const hit = found.data;
    hit.report = { ...hit.report!, cache: 'hit', cacheFile: file, seconds: (performance.now() - t0) / 1000 };
    return hit;
  }
  if (found.status === 'corrupted') {
    (opts.log ?? defaultLog)(`the data-set cache ${file} is corrupted (${found.reason}); parsing the source files again`);
  }
  const ds = await parse();
  const report = ds.report!;
  report.cacheFile = file;
  try {
    await writeCache(file, ds, { fingerprint: fp, options: key });
    report.cache = found.status === 'corrupted' ? `rebuilt: the old cache was corrupted (${found.reason})` : 'written';
  } catch (e) {
    report.cache = `not written: ${(e as Error).message}`;
    delete report.cacheFile;
  }
  report.seconds = (performance.now() - t0) / 1000;
  return ds;
}

export interface ParsedRatings {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
  timestamps?: Int32Array;
}

/** Parsed columns (raw ids) + catalog → a RatingsDataset with dense ids and a full report. */
export function assemble(args: {
  name: string;
  format: string;
  files: string[];
  columns: ParsedRatings;
  catalog: Catalog | null;
  scale: RatingScale;
  counts: { linesRead: number; headerLines: number; emptyLines: number };
  bad: BadLines;
  includeUnratedItems?: boolean;
  log?: (message: string) => void;
  t0: number;
}): RatingsDataset {
  const { columns, catalog } = args;
  if (columns.ratings.length === 0) {
    const c = args.counts;
    const what = c.linesRead === 0 ? 'the file is empty'
      : `${c.linesRead} line(s) read: ${c.headerLines} header, ${c.emptyLines} empty, ${args.bad.count} bad and skipped`;
    const first = args.bad.samples[0];
    throw new EmptyDataError(`${args.format}: no ratings in ${clip(args.files[0] ?? args.name)} (${what})` +
      (first ? `; first bad line: ${clip(first.file)}:${first.line}: ${first.reason}` : ''));
  }
  const userIds = denseIds(columns.users);
  const extra = args.includeUnratedItems && catalog ? [...catalog.entries.keys()] : undefined;
  const itemIds = denseIds(columns.items, extra);
  const meta = alignCatalog(catalog, itemIds);
  const report: LoadReport = {
    format: args.format,
    files: args.files,
    linesRead: args.counts.linesRead,
    headerLines: args.counts.headerLines,
    emptyLines: args.counts.emptyLines,
    ratingsKept: columns.ratings.length,
    badLines: args.bad.count,
    badLineSamples: args.bad.samples,
    users: userIds.size,
    items: itemIds.size,
    itemsWithoutMetadata: meta.itemsWithoutMetadata,
    catalogItemsWithoutRatings: args.includeUnratedItems ? 0 : meta.catalogItemsWithoutRatings,
    duplicatePairs: countDuplicatePairs(columns.users, columns.items, userIds.size, itemIds.size),
    cache: 'disabled',
    seconds: (performance.now() - args.t0) / 1000,
  };
  if (args.bad.count > 0) {
    const first = args.bad.samples[0];
    (args.log ?? defaultLog)(`${args.name}: skipped ${args.bad.count} bad line(s); first: ${clip(first.file)}:${first.line}: ${first.reason}`);
  }
  if (report.duplicatePairs > 0) {
    (args.log ?? defaultLog)(`${args.name}: ${report.duplicatePairs} rating(s) repeat a (user, item) pair already rated; all are kept ` +
      '(report.duplicatePairs)');
  }
  return {
    name: args.name,
    numUsers: userIds.size,
    numItems: itemIds.size,
    users: columns.users,
    items: columns.items,
    ratings: columns.ratings,
    timestamps: columns.timestamps,
    userIds,
    itemIds,
    itemTitles: meta.itemTitles,
    itemGenres: meta.itemGenres,
    genreNames: meta.genreNames,
    itemYears: meta.itemYears,
    ratingScale: args.scale,
    report,
  };
}

function defaultLog(message: string): void {
  process.stderr.write(`${terminalSafe(message, { keepNewlines: true })}\n`);
}

/**
 * Ratings whose (user, item) pair appeared earlier (dense indices). O(n): rows grouped by
 * user (a counting sort unless the file already is, as MovieLens's are), then one stamp per
 * item and user.
 */
export function countDuplicatePairs(users: Int32Array, items: Int32Array, numUsers: number, numItems: number): number {
  const n = users.length;
  let grouped = true;
  for (let e = 1; e < n && grouped; e++) if (users[e] < users[e - 1]) grouped = false;
  let byUser = items;
  let starts: Int32Array | null = null;
  if (!grouped) {
    starts = new Int32Array(numUsers + 1);
    for (let e = 0; e < n; e++) starts[users[e] + 1]++;
    for (let u = 0; u < numUsers; u++) starts[u + 1] += starts[u];
    const fill = starts.slice(0, numUsers);
    byUser = new Int32Array(n);
    for (let e = 0; e < n; e++) byUser[fill[users[e]]++] = items[e];
  }
  const stamp = new Int32Array(numItems).fill(-1);
  let dup = 0;
  if (starts) {
    for (let u = 0; u < numUsers; u++) {
      for (let p = starts[u]; p < starts[u + 1]; p++) {
        const i = byUser[p];
        if (stamp[i] === u) dup++;
        else stamp[i] = u;
      }
    }
  } else {
    for (let e = 0; e < n; e++) {
      const i = items[e];
      if (stamp[i] === users[e]) dup++;
      else stamp[i] = users[e];
    }
  }
  return dup;
}

/** Files in a directory ('' when it does not exist). */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await node().fsp.readdir(dir)).sort();
  } catch {
    return [];
  }
}
