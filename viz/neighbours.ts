/**
 * Nearest neighbours by brute force, and how well a 2-D map keeps them.
 *
 * Exact k-NN is O(n² · dim): for the few thousand items a map shows (2,000 × 25 dims is 10⁸
 * multiply-adds, a fraction of a second) that beats building an index, and it is exact, so
 * the preservation score below measures the map, not an approximation.
 */

export interface Neighbours {
  /** [n, k] row-major: the k nearest points of each point, nearest first (itself excluded) */
  indices: Int32Array;
  /** [n, k] their squared distances */
  distances: Float64Array;
  k: number;
}

/** Rows of `x` [n, dim] scaled to unit length (zero rows stay zero): cosine becomes Euclidean. */
export function normalizeRows(x: ArrayLike<number>, n: number, dim: number): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += x[i * dim + d] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[i * dim + d] = x[i * dim + d] * inv;
  }
  return out;
}

/** The k nearest neighbours of every row of `x` [n, dim] by squared Euclidean distance. */
export function nearestNeighbours(x: ArrayLike<number>, n: number, dim: number, k: number): Neighbours {
  k = Math.min(k, n - 1);
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    // the k best so far, kept sorted (insertion): most candidates are rejected by one compare
    const best = indices.subarray(i * k, (i + 1) * k);
    const bestD = distances.subarray(i * k, (i + 1) * k).fill(Infinity);
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const t = x[i * dim + d] - x[j * dim + d];
        s += t * t;
      }
      if (s >= bestD[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && bestD[p - 1] > s) {
        bestD[p] = bestD[p - 1];
        best[p] = best[p - 1];
        p--;
      }
      bestD[p] = s;
      best[p] = j;
    }
  }
  return { indices, distances, k };
}

/**
 * Neighbourhood preservation: the share of each point's k nearest neighbours in the
 * original space that are also among its k nearest on the map, averaged over points
 * (1 = every neighbourhood kept; a random layout scores about k / (n − 1)).
 */
export function neighbourhoodPreservation(original: Neighbours, map: Neighbours, k = Math.min(original.k, map.k)): number {
  const n = original.indices.length / original.k;
  let kept = 0;
  const mine = new Set<number>();
  for (let i = 0; i < n; i++) {
    mine.clear();
    for (let t = 0; t < k; t++) mine.add(map.indices[i * map.k + t]);
    for (let t = 0; t < k; t++) if (mine.has(original.indices[i * original.k + t])) kept++;
  }
  return kept / (n * k);
}
