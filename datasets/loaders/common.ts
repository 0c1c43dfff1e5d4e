/**
 * What every loader shares: options, the cache round trip, and turning parsed columns plus
 * a catalog into a RatingsDataset with its load report.
 */
import { cacheFile, fingerprint, readCache, writeCache } from '../io/cache.js';
import type { BadLines } from '../io/errors.js';
import { node } from '../io/node.js';
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
  /** where warnings go, e.g. skipped bad lines (default: stderr) */
  log?: (message: string) => void;
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
  const hit = await readCache(file, { fingerprint: fp, options: key });
  if (hit) {
    hit.report = { ...hit.report!, cache: 'hit', cacheFile: file, seconds: (performance.now() - t0) / 1000 };
    return hit;
  }
  const ds = await parse();
  const report = ds.report!;
  report.cacheFile = file;
  try {
    report.cache = 'written';
    await writeCache(file, ds, { fingerprint: fp, options: key });
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
    cache: 'disabled',
    seconds: (performance.now() - args.t0) / 1000,
  };
  if (args.bad.count > 0) {
    const first = args.bad.samples[0];
    (args.log ?? defaultLog)(`${args.name}: skipped ${args.bad.count} bad line(s); first: ${first.file}:${first.line}: ${first.reason}`);
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
  process.stderr.write(`${message}\n`);
}

/** Files in a directory ('' when it does not exist). */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await node().fsp.readdir(dir)).sort();
  } catch {
    return [];
  }
}
