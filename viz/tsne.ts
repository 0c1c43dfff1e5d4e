/**
 * t-SNE (van der Maaten & Hinton 2008) with the Barnes-Hut approximation (van der Maaten
 * 2014): a 2-D layout in which points that are near in the original space stay near.
 *
 * 1. Affinities. Each point i spreads a Gaussian over its 3·perplexity nearest neighbours,
 *    its width chosen by binary search so that the distribution's perplexity (2^entropy) is
 *    the requested one: dense regions get narrow Gaussians, sparse ones wide. p(j|i) and
 *    p(i|j) are averaged into one symmetric, sparse P that sums to 1.
 * 2. The map. Points y_i in 2-D get affinities q_ij ∝ 1 / (1 + |y_i − y_j|²), a Student-t
 *    with heavy tails, so moderately distant points may sit far apart and clusters separate.
 *    Gradient descent on KL(P‖Q): ∂/∂y_i = 4 Σ_j (p_ij − q_ij) (1 + |y_i − y_j|²)⁻¹ (y_i − y_j).
 *    The attraction (the p_ij part) touches only P's non-zeros; the repulsion (the q_ij
 *    part) involves every pair, so Barnes-Hut sums it over a quadtree: a cell far enough
 *    away (its width / distance < θ) acts as one point at its centre of mass. O(n log n).
 * 3. Optimisation as in the papers: PCA initialisation (Kobak & Berens 2019: keeps the
 *    global arrangement reproducible), early exaggeration (P × 12 for 250 iterations, so
 *    clusters form before they settle), momentum 0.5 → 0.8, per-coordinate adaptive gains,
 *    learning rate max(n / 12, 50) (Belkina et al. 2019).
 *
 * Why our own and not a package: about 250 readable lines, deterministic for a seed, no
 * dependency for something the CLI calls once per picture.
 */
import { nearestNeighbours, type Neighbours } from './neighbours.js';
import { pca2 } from './pca.js';

export interface TsneOptions {
  /** effective number of neighbours each point attends to (default 30, at most (n − 1) / 3) */
  perplexity?: number;
  /** gradient steps (default 1000) */
  iterations?: number;
  /** Barnes-Hut accuracy: smaller is more exact and slower (default 0.5; 0 = exact) */
  theta?: number;
  earlyExaggeration?: number;
  exaggerationIterations?: number;
  /** default max(n / earlyExaggeration, 50) */
  learningRate?: number;
  /** neighbours of the input already computed (squared distances), e.g. to reuse for scoring */
  neighbours?: Neighbours;
  /** called every 50 iterations with the iteration number */
  onProgress?: (iteration: number, iterations: number) => void;
}

export interface TsneResult {
  /** [n, 2] row-major map coordinates */
  coords: Float64Array;
  /** KL(P‖Q) of the final map (lower is better) */
  kl: number;
}

/** Lays out the rows of `x` [n, dim] in 2-D. */
export function tsne(x: ArrayLike<number>, n: number, dim: number, opts: TsneOptions = {}): TsneResult {
  if (n < 4) throw new Error(`tsne: needs at least 4 points, got ${n}`);
  const perplexity = Math.min(opts.perplexity ?? 30, (n - 1) / 3);
  const iterations = opts.iterations ?? 1000;
  const theta = opts.theta ?? 0.5;
  const exaggeration = opts.earlyExaggeration ?? 12;
  const exaggerationIterations = Math.min(opts.exaggerationIterations ?? 250, iterations);
  const lr = opts.learningRate ?? Math.max(n / exaggeration, 50);

  const knn = opts.neighbours && opts.neighbours.k >= Math.floor(3 * perplexity)
    ? opts.neighbours : nearestNeighbours(x, n, dim, Math.floor(3 * perplexity));
  const P = jointProbabilities(knn, n, perplexity);

  // PCA start, scaled so the first coordinate has standard deviation 1e-4
  const y = pca2(x, n, dim);
  let sd = 0;
  for (let i = 0; i < n; i++) sd += y[2 * i] ** 2;
  sd = Math.sqrt(sd / n) || 1;
  for (let t = 0; t < 2 * n; t++) y[t] *= 1e-4 / sd;

  const velocity = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const grad = new Float64Array(2 * n);
  for (let it = 0; it < iterations; it++) {
    const early = it < exaggerationIterations;
    klGradient(P, y, n, early ? exaggeration : 1, theta, grad);
    const momentum = early ? 0.5 : 0.8;
    for (let t = 0; t < 2 * n; t++) {
      // a coordinate whose gradient keeps its sign speeds up, one that flips slows down
      gains[t] = Math.sign(grad[t]) === Math.sign(velocity[t]) ? Math.max(gains[t] * 0.8, 0.01) : gains[t] + 0.2;
      velocity[t] = momentum * velocity[t] - lr * gains[t] * grad[t];
      y[t] += velocity[t];
    }
    recentre(y, n);
    if (opts.onProgress && (it % 50 === 49 || it === iterations - 1)) opts.onProgress(it + 1, iterations);
  }
  return { coords: y, kl: klDivergence(P, y, n) };
}

/** Symmetric sparse affinities in CSR form; entries sum to 1. */
export interface Affinities {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/**
 * p(j|i) over each point's k neighbours [n, k]: a Gaussian whose precision β is found by
 * bisection so that the row's entropy is log(perplexity) (its perplexity e^H the requested one).
 */
export function conditionalProbabilities(knn: Neighbours, n: number, perplexity: number): Float64Array {
  const k = knn.k;
  const cond = new Float64Array(n * k);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    const d = knn.distances.subarray(i * k, (i + 1) * k);
    const p = cond.subarray(i * k, (i + 1) * k);
    const d0 = d[0]; // shifting by the smallest distance leaves p unchanged and avoids underflow
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let step = 0; step < 64; step++) {
      let sum = 0;
      let sumDP = 0;
      for (let t = 0; t < k; t++) {
        p[t] = Math.exp(-beta * (d[t] - d0));
        sum += p[t];
        sumDP += (d[t] - d0) * p[t];
      }
      const entropy = Math.log(sum) + (beta * sumDP) / sum;
      for (let t = 0; t < k; t++) p[t] /= sum;
      if (Math.abs(entropy - target) < 1e-5) break;
      // too much entropy: the Gaussian is too wide, so raise the precision
      if (entropy > target) { lo = beta; beta = hi === Infinity ? beta * 2 : (beta + hi) / 2; }
      else { hi = beta; beta = (beta + lo) / 2; }
    }
  }
  return cond;
}

/** P = (p(j|i) + p(i|j)) / 2n as a sparse symmetric matrix. */
export function jointProbabilities(knn: Neighbours, n: number, perplexity: number): Affinities {
  const k = knn.k;
  const cond = conditionalProbabilities(knn, n, perplexity);
  // symmetrise: (i, j, p(j|i)) and (j, i, p(j|i)) into per-row lists, duplicates summed
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = knn.indices[i * k + t];
      const v = cond[i * k + t] / (2 * n);
      rows[i].set(j, (rows[i].get(j) ?? 0) + v);
      rows[j].set(i, (rows[j].get(i) ?? 0) + v);
    }
  }
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) indptr[i + 1] = indptr[i] + rows[i].size;
  const indices = new Int32Array(indptr[n]);
  const values = new Float64Array(indptr[n]);
  for (let i = 0; i < n; i++) {
    let o = indptr[i];
    for (const [j, v] of rows[i]) { indices[o] = j; values[o] = v; o++; }
  }
  return { indptr, indices, values };
}

/**
 * The quadtree, in flat arrays (one slot per cell, children in four consecutive slots), so
 * a tree of thousands of cells is rebuilt every iteration without allocating objects.
 */
class QuadTree {
  size = 0;
  cx = new Float64Array(0);
  cy = new Float64Array(0);
  half = new Float64Array(0);
  count = new Int32Array(0);
  comX = new Float64Array(0);
  comY = new Float64Array(0);
  /** a leaf's point (−1 when the cell has children or is empty) */
  point = new Int32Array(0);
  /** the first of the four children, 0 for none (cell 0 is the root, never a child) */
  child = new Int32Array(0);

  /** Empties the tree and makes the root square centred at (cx, cy) with half-width `half`. */
  reset(cx: number, cy: number, half: number, capacity: number): void {
    if (this.cx.length < capacity) this.grow(capacity);
    this.size = 0;
    this.addCell(cx, cy, half);
  }

  private grow(capacity: number): void {
    const f = (a: Float64Array) => { const b = new Float64Array(capacity); b.set(a); return b; };
    const g = (a: Int32Array) => { const b = new Int32Array(capacity); b.set(a); return b; };
    this.cx = f(this.cx); this.cy = f(this.cy); this.half = f(this.half); this.comX = f(this.comX); this.comY = f(this.comY);
    this.count = g(this.count); this.point = g(this.point); this.child = g(this.child);
  }

  private addCell(cx: number, cy: number, half: number): number {
    if (this.size === this.cx.length) this.grow(this.size * 2);
    const c = this.size++;
    this.cx[c] = cx; this.cy[c] = cy; this.half[c] = half;
    this.count[c] = 0; this.comX[c] = 0; this.comY[c] = 0; this.point[c] = -1; this.child[c] = 0;
    return c;
  }

  private quadrant(c: number, x: number, y: number): number {
    return this.child[c] + (x >= this.cx[c] ? 1 : 0) + (y >= this.cy[c] ? 2 : 0);
  }

  /** Adds point i at (x, y): each cell on its way counts it; a leaf that gets a second point splits. */
  insert(i: number, x: number, y: number, coords: Float64Array): void {
    let c = 0;
    for (let depth = 0; ; depth++) {
      const k = this.count[c];
      this.comX[c] = (this.comX[c] * k + x) / (k + 1);
      this.comY[c] = (this.comY[c] * k + y) / (k + 1);
      this.count[c] = k + 1;
      if (k === 0) { this.point[c] = i; return; }
      if (depth > 40) return; // identical points stay together in this leaf
      if (this.child[c] === 0) {
        const h = this.half[c] / 2;
        const first = this.addCell(this.cx[c] - h, this.cy[c] - h, h);
        this.addCell(this.cx[c] + h, this.cy[c] - h, h);
        this.addCell(this.cx[c] - h, this.cy[c] + h, h);
        this.addCell(this.cx[c] + h, this.cy[c] + h, h);
        this.child[c] = first;
        // the leaf's earlier point moves one level down
        const j = this.point[c];
        const jx = coords[2 * j];
        const jy = coords[2 * j + 1];
        const d = this.quadrant(c, jx, jy);
        this.count[d] = k; this.comX[d] = jx; this.comY[d] = jy; this.point[d] = j;
        this.point[c] = -1;
      }
      c = this.quadrant(c, x, y);
    }
  }
}

const tree = new QuadTree();
const stack = new Int32Array(4 * 41 + 8);

function buildTree(y: Float64Array, n: number): QuadTree {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, y[2 * i]); maxX = Math.max(maxX, y[2 * i]);
    minY = Math.min(minY, y[2 * i + 1]); maxY = Math.max(maxY, y[2 * i + 1]);
  }
  tree.reset((minX + maxX) / 2, (minY + maxY) / 2, Math.max(maxX - minX, maxY - minY) / 2 + 1e-9, 4 * n + 8);
  for (let i = 0; i < n; i++) tree.insert(i, y[2 * i], y[2 * i + 1], y);
  return tree;
}

/**
 * Repulsion on point i from every cell: adds Σ w²·(y_i − y_j) to f and returns Σ w, with
 * w = 1 / (1 + d²) taken once per far cell (× its count) instead of once per point.
 */
function repulse(t: QuadTree, i: number, xi: number, yi: number, theta2: number, f: Float64Array): number {
  let z = 0;
  let top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const c = stack[--top];
    let count = t.count[c];
    if (count === 0) continue;
    if (t.point[c] === i) {
      count--; // the point itself (a leaf may also hold identical copies of it)
      if (count === 0) continue;
    }
    const dx = xi - t.comX[c];
    const dy = yi - t.comY[c];
    const d2 = dx * dx + dy * dy;
    const width = 2 * t.half[c];
    if (t.child[c] === 0 || width * width < theta2 * d2) {
      const w = 1 / (1 + d2);
      f[0] += count * w * w * dx;
      f[1] += count * w * w * dy;
      z += count * w;
    } else {
      const first = t.child[c];
      stack[top++] = first; stack[top++] = first + 1; stack[top++] = first + 2; stack[top++] = first + 3;
    }
  }
  return z;
}

/** The KL gradient into `grad` [n, 2], attraction scaled by `exaggeration` (exported for tests). */
export function klGradient(P: Affinities, y: Float64Array, n: number, exaggeration: number, theta: number, grad: Float64Array): void {
  const tree = buildTree(y, n);
  const rep = new Float64Array(2 * n);
  const f = new Float64Array(2);
  let z = 0;
  for (let i = 0; i < n; i++) {
    f[0] = 0; f[1] = 0;
    z += repulse(tree, i, y[2 * i], y[2 * i + 1], theta * theta, f);
    rep[2 * i] = f[0];
    rep[2 * i + 1] = f[1];
  }
  for (let i = 0; i < n; i++) {
    let ax = 0;
    let ay = 0;
    for (let e = P.indptr[i]; e < P.indptr[i + 1]; e++) {
      const j = P.indices[e];
      const dx = y[2 * i] - y[2 * j];
      const dy = y[2 * i + 1] - y[2 * j + 1];
      const pw = P.values[e] / (1 + dx * dx + dy * dy);
      ax += pw * dx;
      ay += pw * dy;
    }
    grad[2 * i] = 4 * (exaggeration * ax - rep[2 * i] / z);
    grad[2 * i + 1] = 4 * (exaggeration * ay - rep[2 * i + 1] / z);
  }
}

function recentre(y: Float64Array, n: number): void {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) { mx += y[2 * i]; my += y[2 * i + 1]; }
  mx /= n; my /= n;
  for (let i = 0; i < n; i++) { y[2 * i] -= mx; y[2 * i + 1] -= my; }
}

/** KL(P‖Q) = Σ p log(p / q), with Q's normaliser from the tree (θ as in training). */
function klDivergence(P: Affinities, y: Float64Array, n: number): number {
  const tree = buildTree(y, n);
  const f = new Float64Array(2);
  let z = 0;
  for (let i = 0; i < n; i++) z += repulse(tree, i, y[2 * i], y[2 * i + 1], 0.25, f);
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let e = P.indptr[i]; e < P.indptr[i + 1]; e++) {
      const j = P.indices[e];
      const p = P.values[e];
      const q = 1 / (1 + (y[2 * i] - y[2 * j]) ** 2 + (y[2 * i + 1] - y[2 * j + 1]) ** 2) / z;
      if (p > 0) kl += p * Math.log(p / Math.max(q, 1e-300));
    }
  }
  return kl;
}
