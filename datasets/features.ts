/**
 * Item side features from a catalog: the first genre (DeepMF's side-feature embedding) and
 * a bag of words of the titles (DSSM's item tower), both as plain index structures.
 */
import type { CSR } from '../core/csr.js';
import { buildCSR } from './matrix.js';
import type { RatingsDataset } from './types.js';

/**
 * The first genre of every item (the lowest genre index: MovieLens lists genres
 * alphabetically, as genreNames are). Items without genres get `missing` (default
 * genreNames.length, so an embedding of genreNames.length + 1 rows covers everything).
 */
export function firstGenre(ds: Pick<RatingsDataset, 'itemGenres' | 'genreNames'>, missing = ds.genreNames.length): Int32Array {
  const g = ds.itemGenres;
  const out = new Int32Array(g.rows);
  for (let i = 0; i < g.rows; i++) out[i] = g.indptr[i + 1] > g.indptr[i] ? g.indices[g.indptr[i]] : missing;
  return out;
}

export interface BagOfWordsOptions {
  /** drop a trailing "(1995)" (default true) */
  stripYear?: boolean;
  /** words seen in fewer titles are dropped (default 1) */
  minCount?: number;
  /** words to ignore (default: a few articles and prepositions) */
  stopWords?: string[];
}

const STOP = ['the', 'a', 'an', 'of', 'and', 'in', 'on', 'to', 'la', 'le', 'les', 'el', 'der', 'die', 'das'];

/** Lowercased word tokens of a title. */
export function tokenize(title: string, stripYear = true): string[] {
  const t = stripYear ? title.replace(/\(\d{4}(?:[-–]\d{0,4})?\)\s*$/, '') : title;
  return t.toLowerCase().match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? [];
}

/** Titles → a binary CSR [titles, vocab] and the vocabulary (sorted by frequency, then alphabetically). */
export function bagOfWords(titles: string[], opts: BagOfWordsOptions = {}): { matrix: CSR; vocab: string[] } {
  const stop = new Set(opts.stopWords ?? STOP);
  const docs = titles.map((t) => [...new Set(tokenize(t, opts.stripYear ?? true))].filter((w) => !stop.has(w)));
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d) df.set(w, (df.get(w) ?? 0) + 1);
  const minCount = opts.minCount ?? 1;
  const vocab = [...df].filter(([, c]) => c >= minCount).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([w]) => w);
  const index = new Map(vocab.map((w, i) => [w, i]));
  const rows: number[] = [];
  const cols: number[] = [];
  docs.forEach((d, i) => {
    for (const w of d) {
      const c = index.get(w);
      if (c !== undefined) { rows.push(i); cols.push(c); }
    }
  });
  return { matrix: buildCSR(Int32Array.from(rows), Int32Array.from(cols), null, [titles.length, vocab.length]), vocab };
}
