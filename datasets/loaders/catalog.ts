/**
 * Item catalogs: titles and genres per raw movie id, from MovieLens's movies.csv,
 * movies.dat and u.item, and Netflix's movie_titles.txt. These files are small (tens of
 * thousands of lines), so each line is decoded to a string.
 */
import { CSR } from '../../core/csr.js';
import type { BadLines } from '../io/errors.js';
import { quoted } from '../io/safe-text.js';
import { readTextLines } from '../io/lines.js';
import { splitCsvLine, yearFromTitle } from '../io/text.js';
import type { IdMap } from '../idmap.js';
import { ML100K_GENRES } from '../synthetic/names.js';

export interface CatalogEntry {
  title: string;
  genres: string[];
  year: number;
}

export interface Catalog {
  file: string;
  entries: Map<number, CatalogEntry>;
  /** genre names in flag order, for formats that define them (ml-100k) */
  genreOrder?: string[];
}

const INT = /^\d+$/;
const NO_GENRES = '(no genres listed)';

function put(cat: Catalog, bad: BadLines, id: string, entry: CatalogEntry, text: string, lineNo: number, firstLine: Map<number, number>): void {
  if (!INT.test(id)) {
    bad.add(cat.file, lineNo, text, `movie id must be a non-negative integer, found ${quoted(id, 60)}`);
    return;
  }
  const key = Number(id);
  if (cat.entries.has(key)) {
    bad.add(cat.file, lineNo, text, `movie id ${key} is listed twice (first on line ${firstLine.get(key)})`);
    return;
  }
  firstLine.set(key, lineNo);
  cat.entries.set(key, entry);
}

const splitGenres = (s: string): string[] => (s.trim() === '' ? [] : s.split('|').map((g) => g.trim()).filter((g) => g !== ''));

/** movies.csv: `movieId,title,genres` (UTF-8, optional header, quoted titles). */
export async function readMoviesCsv(file: string, bad: BadLines, maxLineBytes?: number): Promise<Catalog> {
  const cat: Catalog = { file, entries: new Map() };
  const first = new Map<number, number>();
  let sawLine = false;
  await readTextLines(file, 'utf8', (raw, lineNo) => {
    const text = raw.trim();
    if (text === '') return;
    const isFirst = !sawLine;
    sawLine = true;
    const fields = splitCsvLine(text);
    if (typeof fields === 'string') {
      bad.add(file, lineNo, raw, fields);
      return;
    }
    if (isFirst && fields[0].trim().toLowerCase() === 'movieid') return; // header
    if (fields.length !== 3) {
      bad.add(file, lineNo, raw, `expected 3 fields (movieId,title,genres), found ${fields.length} (quote titles that contain commas)`);
      return;
    }
    const title = fields[1].trim();
    put(cat, bad, fields[0].trim(), { title, genres: splitGenres(fields[2]), year: yearFromTitle(title) }, raw, lineNo, first);
  }, { maxLineBytes });
  return cat;
}

/** movies.dat (ml-1m, ml-10m): `MovieID::Title::Genres`, latin1. */
export async function readMoviesDat(file: string, bad: BadLines, encoding: 'utf8' | 'latin1', maxLineBytes?: number): Promise<Catalog> {
  const cat: Catalog = { file, entries: new Map() };
  const first = new Map<number, number>();
  await readTextLines(file, encoding, (raw, lineNo) => {
    const text = raw.trim();
    if (text === '') return;
    const parts = text.split('::');
    if (parts.length < 3) {
      bad.add(file, lineNo, raw, `expected 3 fields (MovieID::Title::Genres) separated by "::", found ${parts.length}`);
      return;
    }
    // a title containing '::' keeps its middle parts
    const title = parts.slice(1, -1).join('::').trim();
    put(cat, bad, parts[0].trim(), { title, genres: splitGenres(parts[parts.length - 1]), year: yearFromTitle(title) }, raw, lineNo, first);
  }, { maxLineBytes });
  return cat;
}

/** u.genre (ml-100k): `name|flagIndex` lines. */
export async function readUGenre(file: string, bad: BadLines, maxLineBytes?: number): Promise<string[]> {
  const names: string[] = [];
  await readTextLines(file, 'latin1', (raw, lineNo) => {
    const text = raw.trim();
    if (text === '') return;
    const [name, idx] = text.split('|');
    if (idx === undefined || !INT.test(idx.trim())) {
      bad.add(file, lineNo, raw, 'expected "name|index"');
      return;
    }
    names[Number(idx)] = name.trim();
  }, { maxLineBytes });
  return names;
}

/** u.item (ml-100k): `id|title|release date|video date|IMDb URL|` + 19 genre flags, latin1. */
export async function readUItem(file: string, bad: BadLines, genreOrder: string[], encoding: 'utf8' | 'latin1', maxLineBytes?: number): Promise<Catalog> {
  const cat: Catalog = { file, entries: new Map(), genreOrder };
  const first = new Map<number, number>();
  const G = genreOrder.length;
  await readTextLines(file, encoding, (raw, lineNo) => {
    const text = raw.trim();
    if (text === '') return;
    const parts = text.split('|');
    if (parts.length < 5 + G) {
      bad.add(file, lineNo, raw, `expected ${5 + G} fields (id|title|release date|video release date|IMDb URL|${G} genre flags), found ${parts.length}`);
      return;
    }
    const flags = parts.slice(parts.length - G);
    const genres: string[] = [];
    for (let g = 0; g < G; g++) {
      const v = flags[g].trim();
      if (v !== '0' && v !== '1') {
        bad.add(file, lineNo, raw, `genre flag ${g + 1} (${genreOrder[g]}) must be 0 or 1, found ${quoted(v, 60)}`);
        return;
      }
      if (v === '1') genres.push(genreOrder[g]);
    }
    const title = parts.slice(1, parts.length - G - 3).join('|').trim();
    const date = parts[parts.length - G - 3].trim();
    const year = /(\d{4})$/.exec(date)?.[1];
    put(cat, bad, parts[0].trim(), { title, genres, year: year ? Number(year) : yearFromTitle(title) }, raw, lineNo, first);
  }, { maxLineBytes });
  return cat;
}

/** movie_titles.txt (Netflix): `id,year,title` (the title may contain commas; year may be NULL). */
export async function readNetflixTitles(file: string, bad: BadLines, encoding: 'utf8' | 'latin1', maxLineBytes?: number): Promise<Catalog> {
  const cat: Catalog = { file, entries: new Map() };
  const first = new Map<number, number>();
  await readTextLines(file, encoding, (raw, lineNo) => {
    const text = raw.trim();
    if (text === '') return;
    const c1 = text.indexOf(',');
    const c2 = c1 === -1 ? -1 : text.indexOf(',', c1 + 1);
    if (c2 === -1) {
      bad.add(file, lineNo, raw, 'expected 3 fields (id,year,title)');
      return;
    }
    const year = text.slice(c1 + 1, c2).trim();
    if (!INT.test(year) && year !== 'NULL') {
      bad.add(file, lineNo, raw, `year must be a number or NULL, found ${quoted(year, 60)}`);
      return;
    }
    put(cat, bad, text.slice(0, c1).trim(), { title: text.slice(c2 + 1).trim(), genres: [], year: year === 'NULL' ? 0 : Number(year) }, raw, lineNo, first);
  }, { maxLineBytes });
  return cat;
}

/** Genre names in a stable order: the format's own order, else alphabetical with '(no genres listed)' last. */
function genreNamesOf(cat: Catalog | null): string[] {
  if (cat?.genreOrder) return cat.genreOrder.slice();
  const set = new Set<string>();
  if (cat) for (const e of cat.entries.values()) for (const g of e.genres) set.add(g);
  const names = [...set].filter((g) => g !== NO_GENRES).sort();
  if (set.has(NO_GENRES)) names.push(NO_GENRES);
  return names;
}

/** Titles, genres and years aligned with the dense item indices, and what did not match. */
export function alignCatalog(cat: Catalog | null, itemIds: IdMap): {
  itemTitles: string[];
  itemGenres: CSR;
  genreNames: string[];
  itemYears: Int32Array;
  itemsWithoutMetadata: number;
  catalogItemsWithoutRatings: number;
} {
  const genreNames = genreNamesOf(cat);
  const gIndex = new Map(genreNames.map((g, i) => [g, i]));
  const n = itemIds.size;
  const itemTitles: string[] = new Array(n);
  const itemYears = new Int32Array(n);
  const indptr = new Int32Array(n + 1);
  const indices: number[] = [];
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const e = cat?.entries.get(itemIds.raw[i]);
    if (!e) missing++;
    itemTitles[i] = e?.title ?? '';
    itemYears[i] = e?.year ?? 0;
    if (e) {
      const gs = [...new Set(e.genres.map((g) => gIndex.get(g)!))].sort((x, y) => x - y);
      for (const g of gs) indices.push(g);
    }
    indptr[i + 1] = indices.length;
  }
  let unrated = 0;
  if (cat) for (const id of cat.entries.keys()) if (!itemIds.has(id)) unrated++;
  const idx = Int32Array.from(indices);
  return {
    itemTitles,
    itemGenres: new CSR(indptr, idx, new Float32Array(idx.length).fill(1), [n, genreNames.length], false),
    genreNames,
    itemYears,
    itemsWithoutMetadata: missing,
    catalogItemsWithoutRatings: unrated,
  };
}

export { ML100K_GENRES };
