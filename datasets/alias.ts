/**
 * Walker's alias method: O(1) draws from a fixed discrete distribution after O(n) setup.
 * Used for popularity-weighted item choice (the synthetic generator, the popularity
 * negative sampler): a binary search over a CDF would cost ~15 steps per draw, and the
 * generator makes tens of millions of draws.
 */
import type { RandomStream } from '../core/random.js';

export class AliasTable {
  readonly n: number;
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;

  /** `weights` need not sum to 1; they must be ≥ 0 with a positive sum. */
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = weights[i];
      if (!(w >= 0 && Number.isFinite(w))) throw new Error(`AliasTable: weight ${i} is ${w}; weights must be finite and ≥ 0`);
      total += w;
    }
    if (!(total > 0)) throw new Error(`AliasTable: the ${n} weights sum to ${total}; need a positive sum`);
    this.n = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    // scaled weights: mean 1; split into "small" (< 1) and "large" (≥ 1) work lists
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[nl - 1];
      this.prob[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) {
        nl--;
        small[ns++] = l;
      }
    }
    // leftovers are 1 up to rounding
    while (nl > 0) this.prob[large[--nl]] = 1;
    while (ns > 0) this.prob[small[--ns]] = 1;
  }

  /** One draw, using one uniform number from `rng`. */
  sample(rng: RandomStream): number {
    const x = rng.next() * this.n;
    const i = Math.floor(x);
    return x - i < this.prob[i] ? i : this.alias[i];
  }
}
