/**
 * Serving helpers: top-K selection with a bounded min-heap (O(n log k), no full sort of
 * 26k+ scores per request) and cosine nearest neighbours over an embedding table.
 */

/**
 * The result of a top-K request: item indices and their scores, best first. Typed arrays
 * for speed; `JSON.stringify(result)` gives plain arrays, `{"indices":[72,…],"scores":[4.1,…]}`
 * (each float32 score written with the fewest digits that read back as the same float32).
 */
export class TopK {
  constructor(readonly indices: Int32Array, readonly scores: Float32Array) {}

  get length(): number {
    return this.indices.length;
  }

  toJSON(): { indices: number[]; scores: number[] } {
    return { indices: Array.from(this.indices), scores: Array.from(this.scores, shortestFloat32) };
  }
}

/** The shortest decimal that rounds back to the float32 `x` (4.1, not 4.099999904632568). */
export function shortestFloat32(x: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

/** The k highest scores (descending; ties broken by lower index), skipping `exclude`. */
export function topK(scores: ArrayLike<number>, k: number, exclude?: Iterable<number> | null): TopK {
  if (!(Number.isInteger(k) && k > 0)) throw new Error(`topK: k must be a positive integer, got ${k}`);
  const skip = new Set<number>(exclude ?? []);
  const heapIdx = new Int32Array(k);
  const heapVal = new Float64Array(k);
  let size = 0;
  // min-heap on (score, -index): the root is the weakest of the current best k
  const weaker = (a: number, b: number) => heapVal[a] < heapVal[b] || (heapVal[a] === heapVal[b] && heapIdx[a] > heapIdx[b]);
  const swap = (a: number, b: number) => {
    const ti = heapIdx[a]; heapIdx[a] = heapIdx[b]; heapIdx[b] = ti;
    const tv = heapVal[a]; heapVal[a] = heapVal[b]; heapVal[b] = tv;
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && weaker(l, m)) m = l;
      if (r < size && weaker(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let i = 0; i < scores.length; i++) {
    if (skip.has(i)) continue;
    const v = scores[i];
    if (Number.isNaN(v)) continue;
    if (size < k) {
      heapIdx[size] = i;
      heapVal[size] = v;
      let c = size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!weaker(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (v > heapVal[0]) {
      heapIdx[0] = i;
      heapVal[0] = v;
      siftDown(0);
    }
  }
  // pop in ascending order, fill from the back
  const indices = new Int32Array(size);
  const out = new Float32Array(size);
  for (let j = size - 1; j >= 0; j--) {
    indices[j] = heapIdx[0];
    out[j] = heapVal[0];
    size--;
    heapIdx[0] = heapIdx[size];
    heapVal[0] = heapVal[size];
    siftDown(0);
  }
  return new TopK(indices, out);
}

/** Cosine similarity of row `item` with every row of table [n, dim]; the row itself excluded. */
export function cosineNeighbours(table: ArrayLike<number>, dim: number, item: number, k: number): TopK {
  const n = table.length / dim;
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += table[r * dim + j] * table[r * dim + j];
    norms[r] = Math.sqrt(s);
  }
  const scores = new Float32Array(n);
  const base = item * dim;
  for (let r = 0; r < n; r++) {
    let dot = 0;
    for (let j = 0; j < dim; j++) dot += table[r * dim + j] * table[base + j];
    scores[r] = norms[r] && norms[item] ? dot / (norms[r] * norms[item]) : 0;
  }
  return topK(scores, k, [item]);
}
