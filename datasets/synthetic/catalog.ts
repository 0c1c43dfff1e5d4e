/**
 * The synthetic catalog: genres that follow each item's hidden taste factors, and titles
 * made of words typical of the item's main genre, so genre and bag-of-words features
 * carry real signal about what users will like.
 */
import { CSR } from '../../core/csr.js';
import type { RandomStream } from '../../core/random.js';
import { ADJECTIVES, GENRE_COUNTS_ML20M, GENRE_WORDS, MOVIELENS_GENRES, NOUNS } from './names.js';

/** 1-3 genres per item from its taste factors; returns the multi-hot CSR and each item's main genre. */
export function makeGenres(Q: Float32Array, I: number, k: number, rng: RandomStream): { itemGenres: CSR; mainGenre: Int32Array } {
  const G = MOVIELENS_GENRES.length;
  const NONE = G - 1; // '(no genres listed)'
  const real = G - 1;
  const dirs = new Float32Array(real * k);
  for (let x = 0; x < dirs.length; x++) dirs[x] = rng.normal();
  let total = 0;
  for (let g = 0; g < real; g++) total += GENRE_COUNTS_ML20M[g];
  const logPrior = GENRE_COUNTS_ML20M.slice(0, real).map((c) => Math.log(c / total));
  const noneShare = GENRE_COUNTS_ML20M[NONE] / 27278;
  const indptr = new Int32Array(I + 1);
  const indices: number[] = [];
  const mainGenre = new Int32Array(I);
  const score = new Float64Array(real);
  const chosen: number[] = [];
  for (let i = 0; i < I; i++) {
    chosen.length = 0;
    if (rng.next() < noneShare) {
      chosen.push(NONE);
      mainGenre[i] = NONE;
    } else {
      for (let g = 0; g < real; g++) {
        let dot = 0;
        for (let d = 0; d < k; d++) dot += Q[i * k + d] * dirs[g * k + d];
        // Gumbel noise makes "top m by score" a draw from softmax(score)
        score[g] = (1.5 * dot) / Math.sqrt(k) + logPrior[g] - Math.log(-Math.log(rng.next() || 1e-12));
      }
      const u = rng.next();
      const m = u < 0.4 ? 1 : u < 0.75 ? 2 : 3;
      for (let t = 0; t < m; t++) {
        let best = -1;
        for (let g = 0; g < real; g++) if (!chosen.includes(g) && (best === -1 || score[g] > score[best])) best = g;
        chosen.push(best);
      }
      mainGenre[i] = chosen[0];
      chosen.sort((x, y) => x - y);
    }
    for (const g of chosen) indices.push(g);
    indptr[i + 1] = indices.length;
  }
  const idx = Int32Array.from(indices);
  return { itemGenres: new CSR(indptr, idx, new Float32Array(idx.length).fill(1), [I, G], false), mainGenre };
}

/** Titles like "Silent River, The (1994)": words from the main genre's vocabulary and common words. */
export function makeTitles(mainGenre: Int32Array, rng: RandomStream): { titles: string[]; years: Int32Array } {
  const pick = (words: readonly string[]) => words[rng.int(words.length)];
  const titles: string[] = new Array(mainGenre.length);
  const years = new Int32Array(mainGenre.length);
  for (let i = 0; i < mainGenre.length; i++) {
    const gw = GENRE_WORDS[mainGenre[i]];
    let words: string;
    switch (rng.int(6)) {
      case 0: words = `The ${pick(ADJECTIVES)} ${pick(gw)}`; break;
      case 1: words = `${pick(gw)} of the ${pick(NOUNS)}`; break;
      case 2: words = `${pick(ADJECTIVES)} ${pick(gw)}`; break;
      case 3: words = `The ${pick(gw)}`; break;
      case 4: words = `${pick(NOUNS)} and ${pick(gw)}`; break;
      default: words = `A ${pick(gw)} in the ${pick(NOUNS)}`;
    }
    // MovieLens moves a leading article to the end: "Silent River, The"
    const m = /^(The|A) (.*)$/.exec(words);
    if (m && rng.next() < 0.6) words = `${m[2]}, ${m[1]}`;
    if (rng.next() < 0.05) words += ` ${2 + rng.int(3)}`; // sequels
    const year = Math.max(1902, 2015 - Math.floor(Math.abs(rng.normal()) * 20));
    years[i] = year;
    titles[i] = `${words} (${year})`;
  }
  return { titles, years };
}
