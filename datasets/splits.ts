/**
 * Train/validation splits over rating rows, and implicit-feedback views.
 *
 * - `holdout`: shuffle the rows with a seed, first N (or a fraction) train, the rest
 *   validation: the seed tutorial's split (19M of ML-20M's 20M ratings for training).
 * - `perUserHoldout`: each user keeps most of their ratings in train and gives k (or a
 *   fraction) to test, chosen at random or as their latest: every test user is known.
 * - `toImplicit` / `binaryLabels`: ratings → "liked" with a threshold (Liang et al. keep
 *   ratings ≥ 4 of ML-20M as positives for the Mult-VAE; 3.5 is also common).
 * (Held-out users with fold-in, the Mult-VAE protocol, is in heldout.ts.)
 *
 * Splits copy rows into new typed arrays and keep everything else (id maps, titles, …)
 * shared, so train and validation have the same numUsers/numItems and index spaces.
 */
import { randomStream } from '../core/random.js';
import { groupByUser } from './matrix.js';
import type { InteractionData } from './types.js';

/** The rows `rows` of a data set (metadata shared). */
export function subset<T extends InteractionData>(data: T, rows: Int32Array): T {
  const n = rows.length;
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  const timestamps = data.timestamps ? new Int32Array(n) : undefined;
  for (let k = 0; k < n; k++) {
    const e = rows[k];
    users[k] = data.users[e];
    items[k] = data.items[e];
    ratings[k] = data.ratings[e];
    if (timestamps) timestamps[k] = data.timestamps![e];
  }
  const out = { ...data, users, items, ratings, timestamps };
  // a subset's load report would describe the file, not the subset
  delete (out as { report?: unknown }).report;
  return out;
}

export interface HoldoutOptions {
  /** rows in train (e.g. 19_000_000, as the seed); overrides trainFraction */
  trainSize?: number;
  /** share of rows in train (default 0.9) */
  trainFraction?: number;
  /** shuffle before cutting (default true; false keeps file order, e.g. for pre-sorted time splits) */
  shuffle?: boolean;
  seed?: number | string;
}

export function holdout<T extends InteractionData>(data: T, opts: HoldoutOptions = {}): { train: T; valid: T } {
  const n = data.ratings.length;
  const nTrain = opts.trainSize ?? Math.round(n * (opts.trainFraction ?? 0.9));
  if (!(Number.isInteger(nTrain) && nTrain >= 0 && nTrain <= n)) {
    throw new Error(`holdout: trainSize ${nTrain} must be an integer in [0, ${n}] (the number of ratings)`);
  }
  const order = new Int32Array(n);
  for (let e = 0; e < n; e++) order[e] = e;
  if (opts.shuffle ?? true) randomStream('holdout', opts.seed).shuffle(order);
  return { train: subset(data, order.subarray(0, nTrain)), valid: subset(data, order.subarray(nTrain)) };
}

export interface PerUserHoldoutOptions {
  /** ratings per user to hold out (leave-k-out); default 1 unless fraction is given */
  k?: number;
  /** share of each user's ratings to hold out (rounded), instead of k */
  fraction?: number;
  /** which ratings: random (default) or the user's latest by timestamp */
  by?: 'random' | 'time';
  /** ratings every user keeps in train (default 1): users with fewer stay wholly in train */
  minTrain?: number;
  seed?: number | string;
}

export function perUserHoldout<T extends InteractionData>(data: T, opts: PerUserHoldoutOptions = {}): { train: T; test: T } {
  const by = opts.by ?? 'random';
  if (by === 'time' && !data.timestamps) throw new Error('perUserHoldout: by: "time" needs timestamps, and this data set has none');
  const minTrain = opts.minTrain ?? 1;
  const rng = randomStream('perUserHoldout', opts.seed);
  const { start, order } = groupByUser(data);
  const isTest = new Uint8Array(data.ratings.length);
  let nTest = 0;
  for (let u = 0; u < data.numUsers; u++) {
    const rows = order.subarray(start[u], start[u + 1]);
    const n = rows.length;
    const want = opts.fraction !== undefined ? Math.round(n * opts.fraction) : opts.k ?? 1;
    const take = Math.max(0, Math.min(want, n - minTrain));
    if (take === 0) continue;
    if (by === 'time') {
      // latest last; ties broken by row order so the split is deterministic
      const ts = data.timestamps!;
      const sorted = Array.from(rows).sort((x, y) => ts[x] - ts[y] || x - y);
      for (let j = n - take; j < n; j++) isTest[sorted[j]] = 1;
    } else {
      // partial Fisher–Yates: the first `take` of a shuffle
      for (let j = 0; j < take; j++) {
        const r = j + rng.int(n - j);
        const t = rows[j];
        rows[j] = rows[r];
        rows[r] = t;
        isTest[rows[j]] = 1;
      }
    }
    nTest += take;
  }
  const trainRows = new Int32Array(data.ratings.length - nTest);
  const testRows = new Int32Array(nTest);
  for (let e = 0, a = 0, b = 0; e < data.ratings.length; e++) {
    if (isTest[e]) testRows[b++] = e;
    else trainRows[a++] = e;
  }
  return { train: subset(data, trainRows), test: subset(data, testRows) };
}

/** 1 where rating ≥ threshold, else 0 (all rows kept: labels for a binary classifier). */
export function binaryLabels(ratings: Float32Array, threshold: number): Float32Array {
  const out = new Float32Array(ratings.length);
  for (let e = 0; e < ratings.length; e++) out[e] = ratings[e] >= threshold ? 1 : 0;
  return out;
}

/**
 * The implicit-feedback view: only rows with rating ≥ threshold, each with rating 1
 * (threshold -Infinity keeps every row: "rated it at all").
 */
export function toImplicit<T extends InteractionData>(data: T, opts: { threshold?: number } = {}): T & { implicit: true } {
  const threshold = opts.threshold ?? 3.5;
  let n = 0;
  for (let e = 0; e < data.ratings.length; e++) if (data.ratings[e] >= threshold) n++;
  const rows = new Int32Array(n);
  for (let e = 0, k = 0; e < data.ratings.length; e++) if (data.ratings[e] >= threshold) rows[k++] = e;
  const out = subset(data, rows);
  out.ratings.fill(1);
  return { ...out, implicit: true as const };
}
