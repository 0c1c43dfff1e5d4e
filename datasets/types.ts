/**
 * The shapes of data every part of sparsegrad's data layer passes around.
 *
 * Data sets are columns of typed arrays (one entry per rating), never arrays of objects:
 * ML-20M's 20M ratings as objects would take gigabytes and seconds of garbage collection;
 * as four typed columns they take 320 MB and slice in milliseconds. Datasets never touch
 * tensors or backends: models and fit turn batches into tensors.
 */
import type { CSR } from '../core/csr.js';
import type { IdMap } from './idmap.js';

/** The least a model needs: (user, item, rating) triples over dense indices. */
export interface InteractionData {
  name?: string;
  numUsers: number;
  numItems: number;
  /** dense user index per rating, in [0, numUsers) */
  users: Int32Array;
  /** dense item index per rating, in [0, numItems) */
  items: Int32Array;
  /** the rating (or 1 for implicit feedback) */
  ratings: Float32Array;
  /** seconds since 1970 (when the source has them) */
  timestamps?: Int32Array;
}

/** Allowed rating values: min, min + step, …, max. */
export interface RatingScale {
  min: number;
  max: number;
  step: number;
}

/** A rating data set with its catalog: ids, titles, genres. */
export interface RatingsDataset extends InteractionData {
  name: string;
  /** raw user id (as in the source files) ↔ dense index */
  userIds: IdMap;
  /** raw item id ↔ dense index */
  itemIds: IdMap;
  /** title per item index ('' when the source has none) */
  itemTitles: string[];
  /** multi-hot genres: row i holds the genre indices of item i, shape [numItems, genreNames.length] */
  itemGenres: CSR;
  genreNames: string[];
  /** release year per item (0 = unknown), when the source has one */
  itemYears?: Int32Array;
  ratingScale: RatingScale;
  /** true when every rating is a 1 meaning "interacted" (an implicit-feedback view) */
  implicit?: boolean;
  /** what a loader read, kept and skipped */
  report?: LoadReport;
}

/** A line a loader could not use, kept as evidence. */
export interface BadLine {
  file: string;
  line: number;
  text: string;
  reason: string;
}

/** Counts a loader reports: nothing is dropped without showing up here. */
export interface LoadReport {
  format: string;
  files: string[];
  /** lines read from the rating files, including header and empty lines */
  linesRead: number;
  headerLines: number;
  emptyLines: number;
  ratingsKept: number;
  /** malformed lines skipped (only with skipBadLines; otherwise the first one throws) */
  badLines: number;
  badLineSamples: BadLine[];
  users: number;
  items: number;
  /** rated items the catalog file (movies.csv, …) does not list: kept, with no title or genres */
  itemsWithoutMetadata: number;
  /** catalog entries nobody rated: not indexed unless includeUnratedItems */
  catalogItemsWithoutRatings: number;
  /** ratings that repeat a (user, item) pair already rated: kept, and counted here */
  duplicatePairs: number;
  /** 'hit' | 'written' | 'rebuilt: <why the old cache was refused>' | 'disabled' | 'not written: <why>' */
  cache: string;
  cacheFile?: string;
  seconds: number;
}
