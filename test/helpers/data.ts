/** Small in-test data helpers (the datasets/ iterators are tested on their own). */
import type { Batch } from '../../models/train/types.js';
import { randomStream } from '../../core/random.js';

export interface Triples {
  users: Int32Array;
  items: Int32Array;
  ratings: Float32Array;
}

/** Re-iterable batches over triples, in order (shuffled once with `seed` when given). */
export function batches(d: Triples, batchSize: number, seed?: number, extra: Record<string, Int32Array> = {}): Iterable<Batch> {
  const n = d.users.length;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  if (seed !== undefined) randomStream('test-batches', seed).shuffle(order);
  return {
    *[Symbol.iterator]() {
      for (let s = 0; s < n; s += batchSize) {
        const idx = order.subarray(s, Math.min(n, s + batchSize));
        const pick = <T extends Int32Array | Float32Array>(a: T) => a.constructor === Int32Array
          ? Int32Array.from(idx, (i) => a[i]) : Float32Array.from(idx, (i) => a[i]);
        const inputs: Record<string, Int32Array> = { user: pick(d.users) as Int32Array, item: pick(d.items) as Int32Array };
        for (const [k, v] of Object.entries(extra)) inputs[k] = pick(v) as Int32Array;
        yield { inputs, label: pick(d.ratings) as Float32Array, size: idx.length };
      }
    },
  };
}

/** Ratings r = a_u · b_i + noise for a hidden rank-k model; returns train/valid triples. */
export function plantedLowRank(users: number, items: number, k: number, n: number, seed: number, noise = 0.1): { train: Triples; valid: Triples; std: number } {
  const r = randomStream('planted', seed);
  const a = Float32Array.from({ length: users * k }, () => r.normal() / Math.sqrt(k) * 1.5);
  const b = Float32Array.from({ length: items * k }, () => r.normal());
  const U = new Int32Array(n);
  const I = new Int32Array(n);
  const R = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    U[e] = r.int(users);
    I[e] = r.int(items);
    let s = 0;
    for (let t = 0; t < k; t++) s += a[U[e] * k + t] * b[I[e] * k + t];
    R[e] = s + noise * r.normal();
  }
  const cut = Math.floor(n * 0.8);
  const part = (lo: number, hi: number): Triples => ({ users: U.slice(lo, hi), items: I.slice(lo, hi), ratings: R.slice(lo, hi) });
  let mean = 0;
  for (const v of R) mean += v;
  mean /= n;
  let variance = 0;
  for (const v of R) variance += (v - mean) ** 2;
  return { train: part(0, cut), valid: part(cut, n), std: Math.sqrt(variance / n) };
}
