/**
 * The seed tutorial's two toy problems, before it moves to MovieLens:
 *
 * - `randomMatrix`: a 250×250 matrix of independent standard normals. Matrix
 *   factorization must NOT learn it: there is no structure, so validation error stays at
 *   the variance (~1) however long you train.
 * - `lowRank`: X = a·b with a [250, 25] and b [25, 250] standard normal (rank 25, entries
 *   of variance 25), optionally plus noise. A rank-25 factorization can fit it exactly
 *   (with Adam; plain SGD barely moves).
 *
 * Both then sample 35,000 (row, col, value) triples uniformly with replacement, so the same
 * cell can appear twice, exactly as the tutorial does.
 */
import { randomStream } from '../../core/random.js';
import type { InteractionData } from '../types.js';

export interface MatrixOptions {
  rows?: number;
  cols?: number;
  /** sampled triples (duplicates allowed) */
  samples?: number;
  seed?: number | string;
}

export interface LowRankOptions extends MatrixOptions {
  rank?: number;
  /** standard deviation of Gaussian noise added to every sampled value (default 0) */
  noise?: number;
}

/** Sampled triples plus the full matrix they came from (row-major). */
export interface SampledMatrix extends InteractionData {
  name: string;
  matrix: Float32Array;
}

function sample(name: string, matrix: Float32Array, rows: number, cols: number, n: number, seed: number | string | undefined, noise = 0): SampledMatrix {
  const rng = randomStream(`${name}/sample`, seed);
  const noiseRng = randomStream(`${name}/noise`, seed);
  const users = new Int32Array(n);
  const items = new Int32Array(n);
  const ratings = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    const r = rng.int(rows);
    const c = rng.int(cols);
    users[e] = r;
    items[e] = c;
    ratings[e] = matrix[r * cols + c] + (noise > 0 ? noise * noiseRng.normal() : 0);
  }
  return { name, numUsers: rows, numItems: cols, users, items, ratings, matrix };
}

export function randomMatrix(opts: MatrixOptions = {}): SampledMatrix {
  const rows = opts.rows ?? 250;
  const cols = opts.cols ?? 250;
  const rng = randomStream('randomMatrix/values', opts.seed);
  const m = new Float32Array(rows * cols);
  for (let i = 0; i < m.length; i++) m[i] = rng.normal();
  return sample('randomMatrix', m, rows, cols, opts.samples ?? 35000, opts.seed);
}

export function lowRank(opts: LowRankOptions = {}): SampledMatrix & { a: Float32Array; b: Float32Array; rank: number } {
  const rows = opts.rows ?? 250;
  const cols = opts.cols ?? 250;
  const k = opts.rank ?? 25;
  const rng = randomStream('lowRank/factors', opts.seed);
  const a = new Float32Array(rows * k);
  const b = new Float32Array(k * cols);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  for (let i = 0; i < b.length; i++) b[i] = rng.normal();
  const m = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < k; t++) {
      const art = a[r * k + t];
      for (let c = 0; c < cols; c++) m[r * cols + c] += art * b[t * cols + c];
    }
  }
  return { ...sample('lowRank', m, rows, cols, opts.samples ?? 35000, opts.seed, opts.noise ?? 0), a, b, rank: k };
}
