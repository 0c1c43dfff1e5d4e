/**
 * NegativeSamplingIterator: implicit feedback as binary classification. Each positive
 * (user, item) comes out with label 1, followed by `sampleRatio` negatives (user, j) with
 * label 0, where j is never one of the user's positives, as in the seed talk's
 * NegativeSamplingDataIter (sampleRatio 5).
 *
 * How negatives are drawn: each user's positives are a sorted row of a CSR (membership by
 * binary search, no per-user hash sets). A candidate j is drawn uniformly (or by popularity)
 * and rejected if positive; a user with most of the catalog would reject too often, so
 * after a few tries j is drawn exactly uniformly from the user's non-positives by rank
 * ("the r-th item not in the row", found by binary search). A user who has every item
 * gets no negatives (counted in `usersWithoutNegatives`).
 *
 * Output batch k holds the base batch's positives, each followed by its negatives:
 * rows = positives × (1 + sampleRatio). Rows of padded positives (base lastBatch 'pad')
 * come last and are counted in `pad`, not `size`.
 *
 * PairwiseSamplingIterator (below) draws the same negatives for a pairwise loss (BPR):
 * each positive (u, i) comes out as `negatives` triples (u, i, j), one row per triple,
 * inputs `user`, `item` (the positive) and `negative`, label 1 ("i ranks above j").
 */
import type { CSR } from '../../core/csr.js';
import { randomStream, type RandomStream } from '../../core/random.js';
import { AliasTable } from '../alias.js';
import { buildCSR } from '../matrix.js';
import type { InteractionData } from '../types.js';
import type { IteratorState } from './state.js';
import { BatchIterator, type ColumnBatch, type LastBatch } from './batch.js';

export interface NegativeSamplingOptions {
  /** negatives per positive (default 5) */
  sampleRatio?: number;
  /** 'uniform' (default) or 'popularity' (∝ count^popularityExponent among the positives) */
  sampler?: 'uniform' | 'popularity';
  /** default 1; word2vec uses 0.75 */
  popularityExponent?: number;
  seed?: number | string;
  /** positives to exclude (default: the positives iterated); pass all known interactions */
  exclude?: Pick<InteractionData, 'users' | 'items'>;
  numUsers?: number;
  numItems?: number;
  // when built from a data set: the positives' batching
  batchSize?: number;
  shuffle?: boolean;
  lastBatch?: LastBatch;
}

/** A batch of (user, item) pairs with their 0/1 labels. */
export type PairBatch = ColumnBatch<'user' | 'item'>;

/** Tries of rejection sampling before switching to the exact draw from the complement. */
const MAX_REJECTIONS = 16;

export class NegativeSamplingIterator implements Iterable<PairBatch> {
  readonly base: BatchIterator<'user' | 'item'>;
  readonly sampleRatio: number;
  readonly numUsers: number;
  readonly numItems: number;
  /** users' positives, rows sorted */
  readonly positives: CSR;
  /** users whose positives cover every item (they get no negatives) */
  readonly usersWithoutNegatives: number;
  private rng: RandomStream;
  private readonly seed?: number | string;
  private readonly alias: AliasTable | null;

  /** `source`: a data set (its rows are the positives) or a BatchIterator with inputs user and item. */
  constructor(source: InteractionData | BatchIterator<'user' | 'item'>, opts: NegativeSamplingOptions = {}) {
    if (source instanceof BatchIterator) {
      if (!source.inputs.user || !source.inputs.item) throw new Error("NegativeSamplingIterator: the base iterator needs inputs named 'user' and 'item'");
      this.base = source;
    } else {
      this.base = new BatchIterator({
        inputs: { user: source.users, item: source.items },
        batchSize: opts.batchSize ?? 1024,
        shuffle: opts.shuffle ?? true,
        seed: opts.seed,
        lastBatch: opts.lastBatch,
      });
    }
    const users = this.base.inputs.user as Int32Array;
    const items = this.base.inputs.item as Int32Array;
    const ex = opts.exclude ?? { users, items };
    const maxOf = (a: Int32Array) => a.reduce((m, v) => (v > m ? v : m), -1);
    const src = source instanceof BatchIterator ? undefined : source;
    this.numUsers = opts.numUsers ?? src?.numUsers ?? Math.max(maxOf(users), maxOf(ex.users)) + 1;
    this.numItems = opts.numItems ?? src?.numItems ?? Math.max(maxOf(items), maxOf(ex.items)) + 1;
    this.sampleRatio = opts.sampleRatio ?? 5;
    if (!(Number.isInteger(this.sampleRatio) && this.sampleRatio >= 0)) {
      throw new Error(`NegativeSamplingIterator: sampleRatio must be a non-negative integer, got ${this.sampleRatio}`);
    }
    this.positives = buildCSR(ex.users, ex.items, null, [this.numUsers, this.numItems], 'max');
    let full = 0;
    for (let u = 0; u < this.numUsers; u++) if (this.positives.indptr[u + 1] - this.positives.indptr[u] >= this.numItems) full++;
    this.usersWithoutNegatives = full;
    this.seed = opts.seed;
    this.rng = randomStream('negatives', opts.seed);
    if ((opts.sampler ?? 'uniform') === 'popularity') {
      const e = opts.popularityExponent ?? 1;
      const w = new Float64Array(this.numItems);
      for (let k = 0; k < ex.items.length; k++) w[ex.items[k]]++;
      for (let i = 0; i < w.length; i++) w[i] = Math.pow(w[i], e);
      this.alias = new AliasTable(w);
    } else this.alias = null;
  }

  get numBatches(): number {
    return this.base.numBatches;
  }

  reset(): void {
    this.base.reset();
  }

  /** The base iterator's state and the negatives stream's, for resumable training (see BatchIterator.state). */
  state(): { kind: 'NegativeSamplingIterator'; base: IteratorState; negatives: object } {
    return { kind: 'NegativeSamplingIterator', base: this.base.state(), negatives: this.rng.state() };
  }

  restore(s: unknown): void {
    const v = s as { kind?: unknown; base?: unknown; negatives?: unknown };
    if (typeof v !== 'object' || v === null || v.kind !== 'NegativeSamplingIterator' || typeof v.negatives !== 'object' || v.negatives === null) {
      throw new Error(`NegativeSamplingIterator.restore: not a NegativeSamplingIterator state (${JSON.stringify(s)?.slice(0, 120)})`);
    }
    this.base.restore(v.base);
    this.rng = randomStream('negatives', this.seed, v.negatives);
  }

  /** Is item j one of user u's positives? (binary search in the sorted row) */
  isPositive(u: number, j: number): boolean {
    const idx = this.positives.indices;
    let lo = this.positives.indptr[u];
    let hi = this.positives.indptr[u + 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (idx[mid] < j) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.positives.indptr[u + 1] && idx[lo] === j;
  }

  /** One negative item for user u, or -1 when u has every item. */
  sampleNegative(u: number): number {
    const a = this.positives.indptr[u];
    const deg = this.positives.indptr[u + 1] - a;
    const n = this.numItems;
    if (deg >= n) return -1;
    // rejection is cheap while the user has few of the items
    if (deg * 2 <= n || this.alias) {
      for (let t = 0; t < MAX_REJECTIONS; t++) {
        const j = this.alias ? this.alias.sample(this.rng) : this.rng.int(n);
        if (!this.isPositive(u, j)) return j;
      }
    }
    // exact: the r-th item (0-based) not in the row. With the row sorted, the answer is
    // r + (number of positives below it); binary search the row for that count.
    const r = this.rng.int(n - deg);
    const idx = this.positives.indices;
    let lo = 0;
    let hi = deg;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      // idx[a+mid] - mid = how many non-positives lie below idx[a+mid]
      if (idx[a + mid] - mid <= r) lo = mid + 1;
      else hi = mid;
    }
    return r + lo;
  }

  /** The next batch of positives and their negatives, or null at the end of the epoch. */
  next(): PairBatch | null {
    const b = this.base.next();
    return b ? this.expand(b) : null;
  }

  private expand(b: PairBatch): PairBatch {
    const R = this.sampleRatio;
    const nPos = b.size + b.pad;
    const pu = b.inputs.user;
    const pi = b.inputs.item;
    const user = new Int32Array(nPos * (1 + R));
    const item = new Int32Array(nPos * (1 + R));
    const label = new Float32Array(nPos * (1 + R));
    let k = 0;
    let real = 0;
    for (let p = 0; p < nPos; p++) {
      if (p === b.size) real = k; // padded positives start here
      const u = pu[p];
      user[k] = u;
      item[k] = pi[p];
      label[k++] = 1;
      for (let s = 0; s < R; s++) {
        const j = this.sampleNegative(u);
        if (j === -1) break;
        user[k] = u;
        item[k] = j;
        label[k++] = 0;
      }
    }
    if (b.pad === 0) real = k;
    const trim = <T extends Int32Array | Float32Array>(a: T) => (k === a.length ? a : (a.subarray(0, k) as T));
    return {
      inputs: { user: trim(user), item: trim(item) },
      label: trim(label),
      size: real,
      pad: k - real,
      index: b.index,
    };
  }

  *[Symbol.iterator](): Iterator<PairBatch> {
    for (const b of this.base) yield this.expand(b);
  }
}

export interface PairwiseSamplingOptions extends Omit<NegativeSamplingOptions, 'sampleRatio'> {
  /** triples per positive, each with its own sampled negative (default 1, Rendle et al.'s) */
  negatives?: number;
}

/** A batch of (user, positive item, negative item) triples; label 1 per triple. */
export type TripleBatch = ColumnBatch<'user' | 'item' | 'negative'>;

/**
 * Triples for a pairwise loss: every positive (u, i) of the base batch, `negatives` times,
 * each time with a negative j drawn by NegativeSamplingIterator's sampler (uniform or by
 * popularity, never one of u's positives or `exclude`'s). Rows = positives × negatives; a
 * user who has every item has no triples. Seeded like the sampler: the same seed gives the
 * same triples, batch for batch.
 */
export class PairwiseSamplingIterator implements Iterable<TripleBatch> {
  /** the negatives' sampler (its positives, its stream, its base iterator) */
  readonly sampler: NegativeSamplingIterator;
  readonly negatives: number;

  constructor(source: InteractionData | BatchIterator<'user' | 'item'>, opts: PairwiseSamplingOptions = {}) {
    this.negatives = opts.negatives ?? 1;
    if (!(Number.isInteger(this.negatives) && this.negatives >= 1)) {
      throw new Error(`PairwiseSamplingIterator: negatives must be a positive integer, got ${this.negatives}`);
    }
    this.sampler = new NegativeSamplingIterator(source, { ...opts, sampleRatio: 0 });
  }

  get base(): BatchIterator<'user' | 'item'> { return this.sampler.base; }
  get numBatches(): number { return this.sampler.numBatches; }
  get numUsers(): number { return this.sampler.numUsers; }
  get numItems(): number { return this.sampler.numItems; }

  reset(): void {
    this.sampler.reset();
  }

  state(): { kind: 'PairwiseSamplingIterator'; sampler: object } {
    return { kind: 'PairwiseSamplingIterator', sampler: this.sampler.state() };
  }

  restore(s: unknown): void {
    const v = s as { kind?: unknown; sampler?: unknown };
    if (typeof v !== 'object' || v === null || v.kind !== 'PairwiseSamplingIterator') {
      throw new Error(`PairwiseSamplingIterator.restore: not a PairwiseSamplingIterator state (${JSON.stringify(s)?.slice(0, 120)})`);
    }
    this.sampler.restore(v.sampler);
  }

  next(): TripleBatch | null {
    const b = this.sampler.base.next();
    return b ? this.expand(b) : null;
  }

  private expand(b: PairBatch): TripleBatch {
    const R = this.negatives;
    const nPos = b.size + b.pad;
    const pu = b.inputs.user;
    const pi = b.inputs.item;
    const user = new Int32Array(nPos * R);
    const item = new Int32Array(nPos * R);
    const negative = new Int32Array(nPos * R);
    let k = 0;
    let real = 0;
    for (let p = 0; p < nPos; p++) {
      if (p === b.size) real = k; // padded positives start here
      for (let s = 0; s < R; s++) {
        const j = this.sampler.sampleNegative(pu[p]);
        if (j === -1) break;
        user[k] = pu[p];
        item[k] = pi[p];
        negative[k++] = j;
      }
    }
    if (b.pad === 0) real = k;
    const trim = (a: Int32Array) => (k === a.length ? a : a.subarray(0, k));
    return {
      inputs: { user: trim(user), item: trim(item), negative: trim(negative) },
      label: new Float32Array(k).fill(1),
      size: real,
      pad: k - real,
      index: b.index,
    };
  }

  *[Symbol.iterator](): Iterator<TripleBatch> {
    for (const b of this.sampler.base) yield this.expand(b);
  }
}
