/**
 * The invariants every loaded RatingsDataset keeps, checked in one O(n) pass. The parsers
 * guarantee them line by line; a cache file is held to the same checks when it is read
 * (a flipped bit must not become a rating of 5.9e-39 or user 2130706432 of 20).
 *
 * Returns what is wrong (bounded text), or null.
 */
import type { RatingsDataset } from '../types.js';
import { onScale } from '../loaders/table.js';

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function datasetProblem(ds: RatingsDataset): string | null {
  const { numUsers, numItems } = ds;
  if (!isCount(numUsers) || !isCount(numItems)) return `numUsers/numItems must be non-negative integers (found ${numUsers}, ${numItems})`;
  const n = ds.ratings?.length;
  if (!(ds.users instanceof Int32Array) || !(ds.items instanceof Int32Array) || !(ds.ratings instanceof Float32Array)) {
    return 'users/items/ratings columns are missing or of the wrong type';
  }
  if (ds.users.length !== n || ds.items.length !== n) return `column lengths differ (users ${ds.users.length}, items ${ds.items.length}, ratings ${n})`;
  if (ds.timestamps !== undefined && (!(ds.timestamps instanceof Int32Array) || ds.timestamps.length !== n)) {
    return `the timestamps column has ${ds.timestamps.length} entries for ${n} ratings`;
  }
  if (n === 0) return 'there are no ratings';
  const s = ds.ratingScale;
  if (!s || ![s.min, s.max, s.step].every(Number.isFinite) || !(s.step > 0) || !(s.min <= s.max)) {
    return `the rating scale ${JSON.stringify(s)} is not a valid scale`;
  }
  for (let e = 0; e < n; e++) {
    const u = ds.users[e];
    const i = ds.items[e];
    if (!(u >= 0 && u < numUsers)) return `rating ${e}: user index ${u} is outside [0, ${numUsers})`;
    if (!(i >= 0 && i < numItems)) return `rating ${e}: item index ${i} is outside [0, ${numItems})`;
    const r = ds.ratings[e];
    if (ds.implicit ? r !== 1 : !onScale(r, s)) return `rating ${e}: value ${r} is not on the scale ${s.min}..${s.max} in steps of ${s.step}`;
  }
  const ids = (what: string, raw: Int32Array | undefined, size: number): string | null => {
    if (!(raw instanceof Int32Array) || raw.length !== size) return `the ${what} id map has ${raw?.length} entries for ${size} ${what}s`;
    // loaders number ids in ascending raw order, so strictly increasing also means distinct
    for (let k = 0; k < raw.length; k++) {
      if (raw[k] < 0 || (k > 0 && raw[k] <= raw[k - 1])) return `the ${what} id map is not strictly increasing non-negative ids at index ${k} (${raw[k]})`;
    }
    return null;
  };
  const idProblem = ids('user', ds.userIds?.raw, numUsers) ?? ids('item', ds.itemIds?.raw, numItems);
  if (idProblem) return idProblem;
  if (!Array.isArray(ds.itemTitles) || ds.itemTitles.length !== numItems || ds.itemTitles.some((t) => typeof t !== 'string')) {
    return `itemTitles must be ${numItems} strings`;
  }
  if (!Array.isArray(ds.genreNames) || ds.genreNames.some((g) => typeof g !== 'string')) return 'genreNames must be strings';
  const g = ds.itemGenres;
  if (!g || !(g.indptr instanceof Int32Array) || g.indptr.length !== numItems + 1 || g.indptr[0] !== 0 || g.indptr[numItems] !== g.indices.length) {
    return 'the item-genre matrix has an inconsistent row index';
  }
  for (let k = 0; k < numItems; k++) if (g.indptr[k + 1] < g.indptr[k]) return `the item-genre row index decreases at item ${k}`;
  for (let k = 0; k < g.indices.length; k++) {
    if (!(g.indices[k] >= 0 && g.indices[k] < ds.genreNames.length)) return `genre index ${g.indices[k]} is outside [0, ${ds.genreNames.length})`;
  }
  if (ds.itemYears !== undefined && (!(ds.itemYears instanceof Int32Array) || ds.itemYears.length !== numItems)) return 'itemYears has the wrong length';
  return null;
}
