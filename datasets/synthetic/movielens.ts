/**
 * movielensLike: a synthetic data set with MovieLens's shape, the built-in default.
 *
 * How it is made (every draw from a named seeded stream, so one seed gives one data set):
 * 1. Item ids: a sorted sample of 1..itemIdSpace (MovieLens ids have gaps: ML-20M's 26,744
 *    rated movies have ids up to 131,262).
 * 2. Popularity: a power law over a popularity rank with an exponential cut-off, tuned so
 *    that at ML-20M size the top movie gets ~0.3% of ratings and the median movie ~20.
 * 3. Activity: ratings per user are at least 20 (as in MovieLens) plus a log-normal amount,
 *    scaled to hit the requested total exactly.
 * 4. Taste: hidden user and item factors (rank k) plus user and item biases. A rating is
 *    z = a_u + b_i + c·(p_u·q_i)/√k + noise, with variances 0.15 / 0.2 / 0.3 / 0.35 (total 1),
 *    and z is cut at the quantiles of ML-20M's rating shares, so the stars come out with
 *    MovieLens's distribution (4.0 most common, mean 3.53). A model that learns biases and
 *    factors beats the mean clearly; nothing can beat the noise.
 * 5. Choice: each user picks distinct items by popularity (alias sampling with rejection of
 *    items already picked); every item is rated at least once.
 * 6. Genres: 1-3 per item, the ones whose hidden direction best matches the item's taste
 *    factors (plus ML-20M's genre frequencies and noise). Titles are words typical of the
 *    item's main genre ("Silent River, The (1994)"), so bag-of-words features carry signal.
 *
 * Memory is four typed columns (16 bytes per rating) plus small per-user/per-item arrays:
 * the ML-20M preset takes ~330 MB and a few seconds.
 */
import { randomStream, type RandomStream } from '../../core/random.js';
import { AliasTable } from '../alias.js';
import { IdMap } from '../idmap.js';
import { toImplicit } from '../splits.js';
import type { RatingsDataset } from '../types.js';
import { makeGenres, makeTitles } from './catalog.js';
import { MOVIELENS_GENRES, RATING_SHARES_ML1M, RATING_SHARES_ML20M } from './names.js';
import { PRESETS, type PresetName, type ScalePreset } from './presets.js';

export interface MovieLensLikeOptions {
  /** a size preset (default 'small', like ml-latest-small); the fields below override it */
  preset?: PresetName;
  /** shrinks or grows the preset: users and ratings × scale, items and the id space × √scale */
  scale?: number;
  users?: number;
  items?: number;
  ratings?: number;
  itemIdSpace?: number;
  stars?: 'half' | 'whole';
  /** rank of the hidden taste model (default 16) */
  rank?: number;
  /** ratings every user has at least (default 20, lowered if the total is too small) */
  minPerUser?: number;
  /**
   * how strongly a user's choice of items follows their taste (default 1; 0 = popularity
   * only, so implicit feedback carries no taste signal beyond popularity)
   */
  tasteSelection?: number;
  /** include timestamps (default true) */
  timestamps?: boolean;
  /** return the implicit-feedback view: ratings ≥ this threshold (true: 3.5) become 1s, the rest are dropped */
  implicit?: boolean | number;
  seed?: number | string;
}

/** The hidden model behind the ratings, for tests and teaching. */
export interface SyntheticTruth {
  rank: number;
  /** [numUsers, rank] row-major */
  userFactors: Float32Array;
  /** [numItems, rank] row-major */
  itemFactors: Float32Array;
  userBias: Float32Array;
  itemBias: Float32Array;
  /** weight of the factor term: z = a_u + b_i + interactionScale·(p_u·q_i)/√rank + noise */
  interactionScale: number;
  noiseStd: number;
  /** z cut points between consecutive star values */
  thresholds: Float64Array;
  /** relative popularity weight per item */
  itemWeights: Float64Array;
}

export type SyntheticRatings = RatingsDataset & { truth: SyntheticTruth };

// variance split of the latent score z (sums to 1)
const VAR_USER_BIAS = 0.15;
const VAR_ITEM_BIAS = 0.2;
const VAR_INTERACTION = 0.3;
const VAR_NOISE = 0.35;
/** correlation of item bias with (log) popularity: popular movies are rated a bit higher */
const BIAS_POPULARITY_CORR = 0.3;
// timestamps span ML-20M's: 1995-01-09 .. 2015-03-31
const T_START = 789_652_800;
const T_END = 1_427_760_000;

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

function resolveSize(opts: MovieLensLikeOptions): ScalePreset {
  const name = opts.preset ?? 'small';
  const base: ScalePreset | undefined = PRESETS[name];
  if (!base) throw new Error(`movielensLike: unknown preset '${name}' (known: ${Object.keys(PRESETS).join(', ')})`);
  const s = opts.scale ?? 1;
  if (!(s > 0)) throw new Error(`movielensLike: scale must be > 0, got ${s}`);
  // users and ratings scale with s (every user keeps MovieLens's activity); the catalog
  // with √s, so a small scale stays a plausible, denser data set rather than a full matrix
  const lin = (x: number) => Math.max(1, Math.round(x * s));
  const sq = (x: number) => Math.max(1, Math.round(x * Math.sqrt(s)));
  const users = opts.users ?? lin(base.users);
  const items = opts.items ?? sq(base.items);
  const ratings = opts.ratings ?? lin(base.ratings);
  const itemIdSpace = opts.itemIdSpace ?? Math.max(items, sq(base.itemIdSpace));
  const size = { users, items, ratings, itemIdSpace, stars: opts.stars ?? base.stars };
  for (const k of ['users', 'items', 'ratings', 'itemIdSpace'] as const) {
    if (!(Number.isInteger(size[k]) && size[k] > 0)) throw new Error(`movielensLike: ${k} must be a positive integer, got ${size[k]}`);
  }
  if (itemIdSpace < items) throw new Error(`movielensLike: itemIdSpace (${itemIdSpace}) is smaller than items (${items})`);
  if (ratings < Math.max(users, items)) {
    throw new Error(`movielensLike: ${ratings} ratings cannot give each of ${users} users and ${items} items at least one`);
  }
  if (ratings > users * items) throw new Error(`movielensLike: ${ratings} ratings exceed users × items = ${users * items}`);
  return size;
}

/** A sorted sample of `n` distinct ids from 1..space that includes `space` itself. */
function sampleIds(n: number, space: number, rng: RandomStream): Int32Array {
  const ids = new Int32Array(n);
  // Knuth's selection sampling over 1..space-1 for n-1 ids, then the largest id
  let need = n - 1;
  let k = 0;
  for (let id = 1; id < space && need > 0; id++) {
    if (rng.next() * (space - id) < need) {
      ids[k++] = id;
      need--;
    }
  }
  ids[k] = space;
  return ids;
}

/** Ratings per user: min + log-normal extra, scaled to the exact total, capped. */
function userActivity(users: number, total: number, min: number, cap: number, rng: RandomStream): Int32Array {
  const w = new Float64Array(users);
  for (let u = 0; u < users; u++) w[u] = Math.exp(1.4 * rng.normal());
  const counts = new Int32Array(users).fill(min);
  let assigned = users * min;
  // share out the rest in proportion to the weights; what the cap cuts off goes round
  // again to the users below it (so the cap does not lift everyone's minimum)
  for (let round = 0; round < 20 && total - assigned >= users; round++) {
    const rest = total - assigned;
    let wOpen = 0;
    for (let u = 0; u < users; u++) if (counts[u] < cap) wOpen += w[u];
    for (let u = 0; u < users; u++) {
      if (counts[u] >= cap) continue;
      const add = Math.min(cap - counts[u], Math.floor((rest * w[u]) / wOpen));
      counts[u] += add;
      assigned += add;
    }
  }
  // hand out what rounding left, one rating at a time, in a shuffled order
  const order = new Int32Array(users);
  for (let u = 0; u < users; u++) order[u] = u;
  rng.shuffle(order);
  while (assigned < total) {
    for (let k = 0; k < users && assigned < total; k++) {
      const u = order[k];
      if (counts[u] < cap) {
        counts[u]++;
        assigned++;
      }
    }
  }
  return counts;
}

/** Cut points in z between consecutive star values, from target shares. */
function thresholdsFor(shares: readonly number[]): Float64Array {
  const t = new Float64Array(shares.length - 1);
  let cum = 0;
  for (let i = 0; i < t.length; i++) {
    cum += shares[i];
    t[i] = normalQuantile(cum);
  }
  return t;
}

export function movielensLike(opts: MovieLensLikeOptions = {}): SyntheticRatings {
  const size = resolveSize(opts);
  const { users: U, items: I, ratings: R, itemIdSpace } = size;
  const k = opts.rank ?? 16;
  const seed = opts.seed;
  const stream = (name: string) => randomStream(`movielensLike/${name}`, seed);
  const minPerUser = Math.min(opts.minPerUser ?? 20, Math.floor(R / U));
  const cap = Math.min(I, Math.max(Math.ceil(R / U), minPerUser, Math.floor(0.35 * I)));

  // 1-2. item ids and popularity (older = lower ids tend to be more popular)
  const rawItemIds = sampleIds(I, itemIdSpace, stream('ids'));
  const popRng = stream('popularity');
  const key = new Float64Array(I);
  for (let i = 0; i < I; i++) key[i] = i / I + 0.7 * popRng.next();
  const byKey = Array.from({ length: I }, (_, i) => i).sort((x, y) => key[x] - key[y]);
  const rank = new Int32Array(I);
  byKey.forEach((item, r) => { rank[item] = r; });
  const itemWeights = new Float64Array(I);
  const r0 = 0.003 * I;
  for (let i = 0; i < I; i++) itemWeights[i] = Math.pow(rank[i] + 1 + r0, -0.8) * Math.exp(-rank[i] / (0.13 * I));
  const popularity = new AliasTable(itemWeights);

  // 3. activity
  const counts = userActivity(U, R, minPerUser, cap, stream('activity'));

  // 4. hidden taste model
  const factorRng = stream('factors');
  const P = new Float32Array(U * k);
  const Q = new Float32Array(I * k);
  for (let x = 0; x < P.length; x++) P[x] = factorRng.normal();
  for (let x = 0; x < Q.length; x++) Q[x] = factorRng.normal();
  const userBias = new Float32Array(U);
  for (let u = 0; u < U; u++) userBias[u] = Math.sqrt(VAR_USER_BIAS) * factorRng.normal();
  const itemBias = new Float32Array(I);
  {
    // standardized log popularity, mixed into the item bias
    let m = 0;
    let s = 0;
    for (let i = 0; i < I; i++) m += Math.log(itemWeights[i]);
    m /= I;
    for (let i = 0; i < I; i++) s += (Math.log(itemWeights[i]) - m) ** 2;
    s = Math.sqrt(s / I) || 1;
    const rho = BIAS_POPULARITY_CORR;
    for (let i = 0; i < I; i++) {
      const popZ = (Math.log(itemWeights[i]) - m) / s;
      itemBias[i] = Math.sqrt(VAR_ITEM_BIAS) * (rho * popZ + Math.sqrt(1 - rho * rho) * factorRng.normal());
    }
    // center the bias under the popularity draw, so the popular (higher-rated) items do not
    // shift the overall mean away from the target distribution
    let wsum = 0;
    let wb = 0;
    for (let i = 0; i < I; i++) { wsum += itemWeights[i]; wb += itemWeights[i] * itemBias[i]; }
    for (let i = 0; i < I; i++) itemBias[i] -= wb / wsum;
  }
  const interactionScale = Math.sqrt(VAR_INTERACTION);
  const noiseStd = Math.sqrt(VAR_NOISE);
  const shares = size.stars === 'half' ? RATING_SHARES_ML20M : RATING_SHARES_ML1M;
  const thresholds = thresholdsFor(shares);
  const starMin = size.stars === 'half' ? 0.5 : 1;
  const starStep = size.stars === 'half' ? 0.5 : 1;

  // 5. choices: every item once (coverage), then popularity draws per user
  const offset = new Int32Array(U + 1);
  for (let u = 0; u < U; u++) offset[u + 1] = offset[u] + counts[u];
  const filled = new Int32Array(U);
  const itemsCol = new Int32Array(R);
  const choiceRng = stream('choices');
  {
    const activity = new AliasTable(counts);
    const order = new Int32Array(I);
    for (let i = 0; i < I; i++) order[i] = i;
    choiceRng.shuffle(order);
    let scan = 0;
    for (let t = 0; t < I; t++) {
      let u = -1;
      for (let tries = 0; tries < 64; tries++) {
        const c = activity.sample(choiceRng);
        if (filled[c] < counts[c]) { u = c; break; }
      }
      // rare: the drawn users were full; take the next user with room
      while (u === -1) {
        if (filled[scan] < counts[scan]) u = scan;
        else scan = (scan + 1) % U;
      }
      itemsCol[offset[u] + filled[u]++] = order[t];
    }
  }
  const usersCol = new Int32Array(R);
  const ratingsCol = new Float32Array(R);
  const withTime = opts.timestamps ?? true;
  const timesCol = withTime ? new Int32Array(R) : undefined;
  const stamp = new Int32Array(I).fill(-1);
  const noiseRng = stream('noise');
  const invSqrtK = 1 / Math.sqrt(k);
  const tasteSelection = opts.tasteSelection ?? 1;
  const timeRng = stream('time');
  for (let u = 0; u < U; u++) {
    const a = offset[u];
    const n = counts[u];
    for (let p = a; p < a + filled[u]; p++) stamp[itemsCol[p]] = u;
    let f = filled[u];
    let tries = 0;
    const maxTries = 50 * n + 1000;
    const pu0 = u * k;
    while (f < n && tries < maxTries) {
      const j = popularity.sample(choiceRng);
      tries++;
      if (stamp[j] === u) continue;
      if (tasteSelection > 0) {
        // users mostly watch what suits them: accept a popular candidate with probability
        // exp(γ·(affinity − 2)) (affinity ≈ N(0,1)), so which items a user has carries taste
        // beyond popularity — what implicit-feedback models learn from
        let dot = 0;
        for (let d = 0; d < k; d++) dot += P[pu0 + d] * Q[j * k + d];
        if (choiceRng.next() > Math.exp(tasteSelection * (dot * invSqrtK - 2))) continue;
      }
      stamp[j] = u;
      itemsCol[a + f++] = j;
    }
    // a very heavy user exhausted the popular items: take unrated ones in a random sweep
    for (let j = choiceRng.int(I), seen = 0; f < n && seen < I; j = (j + 1) % I, seen++) {
      if (stamp[j] !== u) { stamp[j] = u; itemsCol[a + f++] = j; }
    }
    const mine = itemsCol.subarray(a, a + n);
    mine.sort();
    // ratings from the hidden model; timestamps within the user's active span
    const t0 = T_START + timeRng.next() * (T_END - T_START);
    const span = Math.min(T_END - t0, 86400 * Math.exp(Math.log(20) + 1.5 * timeRng.normal()));
    const pu = u * k;
    for (let p = 0; p < n; p++) {
      const i = mine[p];
      const qi = i * k;
      let dot = 0;
      for (let d = 0; d < k; d++) dot += P[pu + d] * Q[qi + d];
      const z = userBias[u] + itemBias[i] + interactionScale * dot * invSqrtK + noiseStd * noiseRng.normal();
      let level = 0;
      while (level < thresholds.length && z > thresholds[level]) level++;
      usersCol[a + p] = u;
      ratingsCol[a + p] = starMin + level * starStep;
      if (timesCol) timesCol[a + p] = Math.floor(t0 + timeRng.next() * span);
    }
  }

  // 6. genres and titles
  const { itemGenres, mainGenre } = makeGenres(Q, I, k, stream('genres'));
  const { titles, years } = makeTitles(mainGenre, stream('titles'));

  const ds: SyntheticRatings = {
    name: `movielensLike(${opts.preset ?? 'small'}${opts.scale ? ` ×${opts.scale}` : ''}, seed ${seed ?? 'run'})`,
    numUsers: U,
    numItems: I,
    users: usersCol,
    items: itemsCol,
    ratings: ratingsCol,
    timestamps: timesCol,
    userIds: IdMap.range(U, 1),
    itemIds: new IdMap(rawItemIds),
    itemTitles: titles,
    itemGenres,
    genreNames: [...MOVIELENS_GENRES],
    itemYears: years,
    ratingScale: { min: starMin, max: 5, step: starStep },
    truth: { rank: k, userFactors: P, itemFactors: Q, userBias, itemBias, interactionScale, noiseStd, thresholds, itemWeights },
  };
  if (opts.implicit === undefined || opts.implicit === false) return ds;
  return toImplicit(ds, { threshold: opts.implicit === true ? 3.5 : opts.implicit });
}
