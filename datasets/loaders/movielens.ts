/**
 * loadMovieLens(dir): any MovieLens release, format detected from the files present.
 *
 *   ratings.csv + movies.csv   ml-20m, ml-25m, ml-latest, ml-latest-small (UTF-8, header
 *                              `userId,movieId,rating,timestamp`, half stars 0.5..5)
 *   ratings.dat + movies.dat   ml-1m (whole stars), ml-10m (half stars): `::`-separated, latin1
 *   u.data + u.item (+ u.genre) ml-100k: tab-separated ratings 1..5, `|`-separated catalog
 *                              with 19 genre flags, latin1; a split file (u1.base, ua.test, …)
 *                              given as the target reads the same way, with the catalog beside it
 *
 * Movie ids are remapped to dense indices in ascending id order (ML-20M: ids up to 131,262,
 * 26,744 rated → indices 0..26,743); user ids likewise. The parsed set is cached in
 * `<dir>/.sparsegrad-cache/` and reused while the files are unchanged.
 */
import { BadLines } from '../io/errors.js';
import { readLines } from '../io/lines.js';
import { loadNode, node } from '../io/node.js';
import { progressBar } from '../io/progress.js';
import type { RatingScale, RatingsDataset } from '../types.js';
import { readMoviesCsv, readMoviesDat, readUGenre, readUItem, ML100K_GENRES, type Catalog } from './catalog.js';
import { assemble, cached, listDir, optionsKey, type LoadOptions } from './common.js';
import { TableParser, type TableSpec } from './table.js';

export type MovieLensFormat = 'csv' | 'dat' | '100k';

export interface MovieLensOptions extends LoadOptions {
  /** skip detection */
  format?: MovieLensFormat;
}

export interface MovieLensFiles {
  format: MovieLensFormat;
  dir: string;
  ratings: string;
  /** movies.csv / movies.dat / u.item, when present */
  catalog: string | null;
  /** u.genre (ml-100k), when present */
  genres: string | null;
}

const RATING_FILES: Record<string, MovieLensFormat> = { 'ratings.csv': 'csv', 'ratings.dat': 'dat', 'u.data': '100k' };
/** ml-100k's split files (u1.base … u5.test, ua/ub.base/test): u.data's format */
const ML100K_SPLIT = /^u[0-9a-z]*\.(base|test)$/;
const CATALOG_FILES: Record<MovieLensFormat, string> = { csv: 'movies.csv', dat: 'movies.dat', '100k': 'u.item' };
const HALF_STARS: RatingScale = { min: 0.5, max: 5, step: 0.5 };
const WHOLE_STARS: RatingScale = { min: 1, max: 5, step: 1 };

/** Finds the rating and catalog files of a MovieLens directory (or of a given ratings file). */
export async function detectMovieLens(target: string, format?: MovieLensFormat): Promise<MovieLensFiles> {
  const { fsp, path } = await loadNode();
  let st;
  try {
    st = await fsp.stat(target);
  } catch {
    throw new Error(`loadMovieLens: ${target} does not exist`);
  }
  let dir = target;
  let ratings: string | null = null;
  let fmt = format ?? null;
  if (st.isFile()) {
    dir = path.dirname(target);
    ratings = target;
    const base = path.basename(target);
    fmt ??= RATING_FILES[base] ?? (ML100K_SPLIT.test(base) ? '100k' : target.endsWith('.csv') ? 'csv' : target.endsWith('.dat') ? 'dat' : null);
    if (!fmt) throw new Error(`loadMovieLens: cannot tell the format of ${target} (expected ratings.csv, ratings.dat, u.data or an ml-100k split file like u1.base; pass {format})`);
  } else {
    const files = await listDir(dir);
    for (const [name, f] of Object.entries(RATING_FILES)) {
      if ((!fmt || fmt === f) && files.includes(name)) {
        ratings = path.join(dir, name);
        fmt = f;
        break;
      }
    }
    if (!ratings || !fmt) {
      // maybe the release is one level down (e.g. the unzipped ml-20m/ inside dir)
      const nested: string[] = [];
      for (const f of files) {
        const sub = await listDir(path.join(dir, f));
        if (Object.keys(RATING_FILES).some((r) => sub.includes(r))) nested.push(f);
      }
      const shown = files.filter((f) => !f.startsWith('.')).slice(0, 20).join(', ') || 'nothing';
      throw new Error(`loadMovieLens: unknown format in ${dir}: no ratings.csv, ratings.dat or u.data (found: ${shown})` +
        (nested.length ? `; did you mean ${nested.map((n) => path.join(dir, n)).join(' or ')}?` : ''));
    }
  }
  const files = await listDir(dir);
  const catalogName = CATALOG_FILES[fmt];
  return {
    format: fmt,
    dir,
    ratings,
    catalog: files.includes(catalogName) ? path.join(dir, catalogName) : null,
    genres: fmt === '100k' && files.includes('u.genre') ? path.join(dir, 'u.genre') : null,
  };
}

export async function loadMovieLens(target: string, opts: MovieLensOptions = {}): Promise<RatingsDataset> {
  await loadNode();
  const files = await detectMovieLens(target, opts.format);
  const sources = [files.ratings, files.catalog, files.genres].filter((f): f is string => f !== null);
  const key = optionsKey(`movielens-${files.format}`, opts, { ratings: node().path.basename(files.ratings) });
  return cached(`movielens-${files.format}`, files.dir, sources, key, opts, () => parseMovieLens(files, opts));
}

async function parseMovieLens(files: MovieLensFiles, opts: LoadOptions): Promise<RatingsDataset> {
  const { fsp, path } = node();
  const t0 = performance.now();
  const bad = new BadLines(!!opts.skipBadLines);
  const fmt = files.format;
  const scale = opts.ratingScale ?? (fmt === '100k' ? WHOLE_STARS : HALF_STARS);
  const spec: TableSpec = {
    delimiter: fmt === 'csv' ? ',' : fmt === 'dat' ? '::' : '\t',
    columns: ['user', 'item', 'rating', 'timestamp'],
    names: fmt === 'csv' ? 'userId,movieId,rating,timestamp' : fmt === 'dat' ? 'UserID::MovieID::Rating::Timestamp' : 'user id<TAB>item id<TAB>rating<TAB>timestamp',
    scale,
    header: fmt === 'csv',
    encoding: fmt === 'csv' ? 'utf8' : opts.encoding ?? 'latin1',
  };
  const size = (await fsp.stat(files.ratings)).size;
  // typical line lengths (ML-20M's ratings.csv: 26.6 bytes; ratings.dat ~22; u.data ~20), slightly
  // under so the columns rarely need trimming; they double if the guess is short
  const parser = new TableParser(files.ratings, spec, bad, size / (fmt === 'csv' ? 25 : fmt === 'dat' ? 21 : 19));
  const bar = progressBar(`loading ${path.basename(files.ratings)}`, size, opts.progress);
  const { lines } = await readLines(files.ratings, (buf, a, b, n) => parser.line(buf, a, b, n), { onBytes: (x) => bar.update(x), maxLineBytes: opts.maxLineBytes });
  bar.done();

  let catalog: Catalog | null = null;
  if (files.catalog) {
    const enc = opts.encoding ?? (fmt === 'csv' ? 'utf8' : 'latin1');
    if (fmt === 'csv') catalog = await readMoviesCsv(files.catalog, bad, opts.maxLineBytes);
    else if (fmt === 'dat') catalog = await readMoviesDat(files.catalog, bad, enc, opts.maxLineBytes);
    else {
      const names = files.genres ? await readUGenre(files.genres, bad, opts.maxLineBytes) : ML100K_GENRES;
      catalog = await readUItem(files.catalog, bad, names, enc, opts.maxLineBytes);
    }
  }
  const columns = parser.out.finish();
  // ratings.dat is ml-1m (whole stars) or ml-10m (half stars): report the scale the data uses
  let finalScale = scale;
  if (fmt === 'dat' && !opts.ratingScale && columns.ratings.every((r) => Number.isInteger(r))) finalScale = WHOLE_STARS;
  return assemble({
    name: path.basename(path.resolve(files.dir)),
    format: `movielens-${fmt}`,
    files: [files.ratings, files.catalog, files.genres].filter((f): f is string => f !== null),
    columns,
    catalog,
    scale: finalScale,
    counts: { linesRead: lines, headerLines: parser.headerLines, emptyLines: parser.emptyLines },
    bad,
    includeUnratedItems: opts.includeUnratedItems,
    log: opts.log,
    t0,
  });
}
