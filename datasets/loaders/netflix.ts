/**
 * loadNetflix(dir): the Netflix Prize data.
 *
 *   training_set/mv_0000001.txt …  one file per movie: first line `1:`, then `user,rating,date`
 *                                  (ratings 1..5, dates YYYY-MM-DD); 17,770 files, 100M ratings
 *   combined_data_1.txt …          the same lines, many movies per file (the Kaggle copy)
 *   movie_titles.txt / .csv        `id,year,title` (titles may contain commas, year may be NULL)
 *
 * Dates become timestamps (seconds, UTC midnight). The full set needs ~1.6 GB of columns;
 * `timestamps: false` saves a quarter of that.
 */
import { BadLines } from '../io/errors.js';
import { quoted } from '../io/safe-text.js';
import { readLines } from '../io/lines.js';
import { loadNode, node } from '../io/node.js';
import { progressBar } from '../io/progress.js';
import { RatingColumns } from '../io/columns.js';
import { daysFromCivil } from '../io/text.js';
import type { RatingScale, RatingsDataset } from '../types.js';
import { readNetflixTitles, type Catalog } from './catalog.js';
import { assemble, cached, listDir, optionsKey, type LoadOptions } from './common.js';
import { onScale } from './table.js';

export interface NetflixOptions extends LoadOptions {
  /** keep the rating dates as timestamps (default true) */
  timestamps?: boolean;
}

export interface NetflixFiles {
  layout: 'per-movie' | 'combined' | 'file';
  dir: string;
  files: string[];
  titles: string | null;
}

const STARS: RatingScale = { min: 1, max: 5, step: 1 };
const PER_MOVIE = /^mv_(\d+)\.txt$/;
const COMBINED = /^combined_data_\d+\.txt$/;

export async function detectNetflix(target: string): Promise<NetflixFiles> {
  const { fsp, path } = await loadNode();
  let st;
  try {
    st = await fsp.stat(target);
  } catch {
    throw new Error(`loadNetflix: ${target} does not exist`);
  }
  const findTitles = async (dirs: string[]) => {
    for (const d of dirs) {
      const names = await listDir(d);
      for (const n of ['movie_titles.txt', 'movie_titles.csv']) if (names.includes(n)) return path.join(d, n);
    }
    return null;
  };
  if (st.isFile()) {
    const dir = path.dirname(target);
    return { layout: 'file', dir, files: [target], titles: await findTitles([dir, path.dirname(dir)]) };
  }
  const names = await listDir(target);
  let layout: NetflixFiles['layout'] = 'per-movie';
  let files: string[] = [];
  if (names.includes('training_set')) {
    const sub = path.join(target, 'training_set');
    files = (await listDir(sub)).filter((n) => PER_MOVIE.test(n)).map((n) => path.join(sub, n));
  }
  if (files.length === 0) files = names.filter((n) => PER_MOVIE.test(n)).map((n) => path.join(target, n));
  if (files.length === 0) {
    layout = 'combined';
    files = names.filter((n) => COMBINED.test(n)).map((n) => path.join(target, n));
  }
  if (files.length === 0) {
    const shown = names.filter((f) => !f.startsWith('.')).slice(0, 20).join(', ') || 'nothing';
    throw new Error(`loadNetflix: unknown format in ${target}: no training_set/mv_*.txt, mv_*.txt or combined_data_*.txt (found: ${shown})`);
  }
  return { layout, dir: target, files, titles: await findTitles([target, path.dirname(path.resolve(target))]) };
}

export async function loadNetflix(target: string, opts: NetflixOptions = {}): Promise<RatingsDataset> {
  await loadNode();
  const found = await detectNetflix(target);
  const sources = found.titles ? [...found.files, found.titles] : found.files;
  const key = optionsKey('netflix', opts, { timestamps: opts.timestamps ?? true });
  return cached('netflix', found.dir, sources, key, opts, () => parseNetflix(found, opts));
}

async function parseNetflix(found: NetflixFiles, opts: NetflixOptions): Promise<RatingsDataset> {
  const { fsp, path } = node();
  const t0 = performance.now();
  const bad = new BadLines(!!opts.skipBadLines);
  const scale = opts.ratingScale ?? STARS;
  let total = 0;
  const sizes: number[] = [];
  for (const f of found.files) {
    const s = (await fsp.stat(f)).size;
    sizes.push(s);
    total += s;
  }
  // "1488844,3,2005-09-06\n" is 21 bytes
  const out = new RatingColumns(total / 18, opts.timestamps ?? true);
  const counts = { linesRead: 0, headerLines: 0, emptyLines: 0 };
  const bar = progressBar('loading Netflix ratings', total, opts.progress);
  let before = 0;
  for (let k = 0; k < found.files.length; k++) {
    const file = found.files[k];
    const m = PER_MOVIE.exec(path.basename(file));
    const p = new NetflixFileParser(file, m ? Number(m[1]) : -1, scale, out, bad, counts);
    const { lines } = await readLines(file, (buf, a, b, n) => p.line(buf, a, b, n), { onBytes: (x) => bar.update(before + x), maxLineBytes: opts.maxLineBytes });
    counts.linesRead += lines;
    before += sizes[k];
  }
  bar.done();
  let catalog: Catalog | null = null;
  if (found.titles) catalog = await readNetflixTitles(found.titles, bad, opts.encoding ?? 'latin1', opts.maxLineBytes);
  return assemble({
    name: 'netflix',
    format: `netflix-${found.layout}`,
    files: found.files.length > 3 ? [...found.files.slice(0, 2), `… ${found.files.length} rating files`, ...(found.titles ? [found.titles] : [])]
      : [...found.files, ...(found.titles ? [found.titles] : [])],
    columns: out.finish(),
    catalog,
    scale,
    counts,
    bad,
    includeUnratedItems: opts.includeUnratedItems,
    log: opts.log,
    t0,
  });
}

/** One rating file: `id:` header lines set the movie; other lines are `user,rating,YYYY-MM-DD`. */
class NetflixFileParser {
  private movie = -1;

  constructor(
    readonly file: string,
    /** the id in an mv_XXXXXXX.txt name (-1 for combined files) */
    readonly expectedMovie: number,
    readonly scale: RatingScale,
    readonly out: RatingColumns,
    readonly bad: BadLines,
    readonly counts: { headerLines: number; emptyLines: number },
  ) {}

  line(buf: Buffer, a: number, b: number, lineNo: number): void {
    while (a < b && (buf[a] === 32 || buf[a] === 9)) a++;
    while (b > a && (buf[b - 1] === 32 || buf[b - 1] === 9)) b--;
    if (a === b) {
      this.counts.emptyLines++;
      return;
    }
    if (buf[b - 1] === 58 /* ':' */) {
      this.header(buf.toString('latin1', a, b), lineNo);
      return;
    }
    if (this.movie === -1) {
      this.bad.add(this.file, lineNo, buf.toString('latin1', a, b), "rating line before any 'movieId:' header line");
      return;
    }
    if (!this.fast(buf, a, b)) this.slow(buf.toString('latin1', a, b), lineNo);
  }

  private header(text: string, lineNo: number): void {
    const id = text.slice(0, -1).trim();
    if (!/^\d+$/.test(id)) {
      this.bad.add(this.file, lineNo, text, `a movie header must be '<id>:', found a non-numeric id ${quoted(id, 60)}`);
      return;
    }
    const movie = Number(id);
    if (this.expectedMovie !== -1 && movie !== this.expectedMovie) {
      this.bad.add(this.file, lineNo, text, `the header says movie ${movie} but the file name says movie ${this.expectedMovie}`);
      return;
    }
    this.movie = movie;
    this.counts.headerLines++;
  }

  /** `digits,digit,dddd-dd-dd` straight from the bytes. */
  private fast(buf: Buffer, a: number, b: number): boolean {
    let p = a;
    let user = 0;
    while (p < b && buf[p] >= 48 && buf[p] <= 57) user = user * 10 + buf[p++] - 48;
    if (p === a || buf[p] !== 44) return false;
    const r0 = ++p;
    let rating = 0;
    while (p < b && buf[p] >= 48 && buf[p] <= 57) rating = rating * 10 + buf[p++] - 48;
    if (p === r0 || buf[p] !== 44) return false;
    p++;
    if (b - p !== 10 || buf[p + 4] !== 45 || buf[p + 7] !== 45) return false;
    const y = digits(buf, p, 4);
    const m = digits(buf, p + 5, 2);
    const d = digits(buf, p + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31 || user > 2147483647 || !onScale(rating, this.scale)) return false;
    this.out.push(user, this.movie, rating, daysFromCivil(y, m, d) * 86400);
    return true;
  }

  private slow(text: string, lineNo: number): void {
    const f = text.split(',').map((s) => s.trim());
    const fail = (reason: string) => this.bad.add(this.file, lineNo, text, reason);
    if (f.length !== 3) return fail(`expected 3 fields (user,rating,date) after movie ${this.movie}'s header, found ${f.length}`);
    if (!/^\d+$/.test(f[0]) || Number(f[0]) > 2147483647) return fail(`user id must be a non-negative integer, found ${quoted(f[0], 60)}`);
    const r = Number(f[1]);
    if (f[1] === '' || !onScale(r, this.scale)) {
      return fail(`rating ${quoted(f[1], 60)} is outside the scale ${this.scale.min}..${this.scale.max} in steps of ${this.scale.step}`);
    }
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f[2]);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > 31) {
      return fail(`date must be YYYY-MM-DD, found ${quoted(f[2], 60)}`);
    }
    this.out.push(Number(f[0]), this.movie, r, daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])) * 86400);
  }
}

/** The number in buf[p, p+n) if all are digits, else -1. */
function digits(buf: Buffer, p: number, n: number): number {
  let v = 0;
  for (let q = p; q < p + n; q++) {
    const c = buf[q] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}
