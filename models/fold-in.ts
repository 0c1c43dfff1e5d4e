/**
 * Fold-in: scoring a user the model was not trained on, from the items they have, with the
 * item side fixed — how the id-based models (MF, ImplicitMF, EmbeddingModel) join the
 * user-row models (Mult-VAE, EASE, ItemKNN), which score anyone from their row, in the
 * held-out-user protocol.
 *
 * The user's vector is the minimiser of the model's own training objective for that user
 * alone, items fixed, so folding in a training user gives back (nearly) the vector training
 * found. θ = [p_u; b_u] (b_u only where the model has user biases), x_i = [q_i; 1]:
 *
 *   MatrixFactorization (explicit ratings r_ui in the row)
 *     min Σ_i (r_ui − μ − b_i − x_i·θ)² + λ·n_u·‖θ‖²       (Funk-SVD: λ per rating)
 *     a (d+1)×(d+1) linear solve: (Σ x_i x_iᵀ + λ n_u I) θ = Σ x_i (r_ui − μ − b_i)
 *   SVDpp: the same solve for p_u with the row's implicit term z = |row|^-½ Σ_{j∈row} y_j
 *     (its items stand for N(u)) taken out of the targets, r_ui − μ − b_i − q_i·z; the
 *     vector returned is then the user's whole factor p_u + z, so it scores like MF's.
 *   ImplicitMF, EmbeddingModel with dot scoring (clicks in the row)
 *     min Σ_{i ∈ row} softplus(−z_i) + w Σ_{j ∉ row} softplus(z_j) + λ‖θ‖²,  z = x·θ + c
 *     (c = the item's and global biases): the expectation of the negative-sampling loss,
 *     w = sampleRatio·|row| / |not in row| (each positive came with `sampleRatio` uniform
 *     negatives); Newton's method on θ (a few iterations, each a (d+1)² solve).
 *   ImplicitMF, EmbeddingModel with dot scoring, trained with BPR (θ = p_u: b_u cancels)
 *     min w Σ_{i ∈ row} Σ_{j ∉ row} softplus(z_j − z_i) + λ‖θ‖²,  z = q·θ + b
 *     the expectation of the BPR loss, w = sampleRatio / |not in row| (each positive came in
 *     `sampleRatio` triples with a uniform negative); Newton's method, the Hessian
 *     w Σ h_ij (q_i − q_j)(q_i − q_j)ᵀ assembled from per-item sums (O(|row|·|not in row|·d)
 *     per iteration, not ·d²).
 *
 * Everything is float64 on the host: a user is d+1 numbers.
 */
import type { CSR } from '../core/csr.js';
import { MatrixFactorization } from './mf.js';
import { SVDpp } from './svdpp.js';
import { ImplicitMF } from './implicit-mf.js';
import { EmbeddingModel } from './embedding-model.js';
import type { RankingScorer } from './train/ranking.js';
import { topK, type TopK } from './serving.js';

export type FoldInModel = MatrixFactorization | SVDpp | ImplicitMF | EmbeddingModel;

export interface FoldInOptions {
  /** L2 on θ (default: MF's `reg`; 1 for the logistic models — their training stops early, unregularised, and 1 matched trained users' scores best, correlation ≥ 0.99 on planted data) */
  reg?: number;
  /** negatives per positive the model was trained with (default 5, NegativeSamplingIterator's; BPR: triples per positive, default 1) */
  sampleRatio?: number;
  /** Newton iterations for the logistic models (default 15) */
  iterations?: number;
}

interface Tables {
  q: Float32Array | Float64Array;
  dim: number;
  n: number;
  /** per-item constant added to the logit or rating (item bias + global terms) */
  c: Float64Array;
  /** whether θ has a user-bias entry */
  userBias: boolean;
  /** SVD++'s Y [n, dim]: the row's items add |row|^-½ Σ y_j to the user's factor */
  implicit: Float32Array | null;
  kind: 'ratings' | 'logistic' | 'bpr';
}

function tables(model: FoldInModel): Tables {
  const n = model.numItems;
  const c = new Float64Array(n);
  if (model instanceof EmbeddingModel) {
    if (model.config.scoring !== 'dot' || model.config.loss === 'cosine') {
      throw new Error(`foldIn: EmbeddingModel with scoring '${model.config.scoring}' and loss '${model.config.loss}' is not supported (dot scoring with the logistic or BPR loss is)`);
    }
    const bpr = model.config.loss === 'bpr';
    const off = bpr ? 0 : model.offset.dataSync()[0];
    const b = model.bias?.dataSync();
    for (let i = 0; i < n; i++) c[i] = off + (b ? b[i] : 0);
    return { q: model.item.weight.dataSync() as Float32Array, dim: model.config.dim, n, c, userBias: false, implicit: null, kind: bpr ? 'bpr' : 'logistic' };
  }
  if (model instanceof ImplicitMF && model.config.loss === 'bpr') {
    // s_ui = p_u·q_i + b_i: the user and global biases cancel in BPR's differences
    const bi = model.itemBias?.dataSync();
    if (bi) for (let i = 0; i < n; i++) c[i] = bi[i];
    return { q: model.item.weight.dataSync() as Float32Array, dim: model.config.dim, n, c, userBias: false, implicit: null, kind: 'bpr' };
  }
  if (model.config.biases) {
    const mu = model.globalBias!.dataSync()[0];
    const bi = model.itemBias!.dataSync();
    for (let i = 0; i < n; i++) c[i] = mu + bi[i];
  }
  return {
    q: model.item.weight.dataSync() as Float32Array, dim: model.config.dim, n, c, userBias: model.config.biases,
    implicit: model instanceof SVDpp ? model.implicit.weight.dataSync() as Float32Array : null,
    kind: model instanceof ImplicitMF ? 'logistic' : 'ratings',
  };
}

/** Solves the symmetric positive-definite system A x = b in place (Cholesky); returns x (in b). */
function solveSPD(a: Float64Array, b: Float64Array, m: number): Float64Array {
  for (let j = 0; j < m; j++) {
    let s = a[j * m + j];
    for (let k = 0; k < j; k++) s -= a[j * m + k] * a[j * m + k];
    if (!(s > 0)) throw new Error('foldIn: the normal equations are not positive definite (raise reg)');
    const l = Math.sqrt(s);
    a[j * m + j] = l;
    for (let i = j + 1; i < m; i++) {
      let t = a[i * m + j];
      for (let k = 0; k < j; k++) t -= a[i * m + k] * a[j * m + k];
      a[i * m + j] = t / l;
    }
  }
  for (let i = 0; i < m; i++) {
    let t = b[i];
    for (let k = 0; k < i; k++) t -= a[i * m + k] * b[k];
    b[i] = t / a[i * m + i];
  }
  for (let i = m - 1; i >= 0; i--) {
    let t = b[i];
    for (let k = i + 1; k < m; k++) t -= a[k * m + i] * b[k];
    b[i] = t / a[i * m + i];
  }
  return b;
}

/**
 * One Newton step of a fold-in objective plus λ‖θ‖²: adds the ridge's gradient and curvature
 * to g and h (h holds only its lower triangle; mirrored here), θ −= h⁻¹g. Returns the step's
 * squared length and the new θ's.
 */
function newtonStep(theta: Float64Array, g: Float64Array, h: Float64Array, reg: number, m: number): { size: number; norm: number } {
  for (let u = 0; u < m; u++) {
    g[u] += 2 * reg * theta[u];
    h[u * m + u] += 2 * reg;
    for (let v = 0; v < u; v++) h[v * m + u] = h[u * m + v];
  }
  const step = solveSPD(h, g, m);
  let size = 0;
  let norm = 0;
  for (let u = 0; u < m; u++) { theta[u] -= step[u]; size += step[u] * step[u]; norm += theta[u] * theta[u]; }
  return { size, norm };
}

/**
 * Folds in users from their rows and scores them: a RankingScorer for evaluateRanking on
 * held-out users (`scoreBatch(users, input)` folds in `input`'s rows), and `recommendFor`.
 */
export class FoldIn implements RankingScorer {
  readonly numItems: number;
  private readonly t: Tables;
  private readonly reg: number;
  private readonly sampleRatio: number;
  private readonly iterations: number;

  constructor(readonly model: FoldInModel, opts: FoldInOptions = {}) {
    this.t = tables(model);
    this.numItems = this.t.n;
    const mfReg = model instanceof MatrixFactorization && !(model instanceof ImplicitMF) ? model.config.reg : 0;
    this.reg = opts.reg ?? (this.t.kind === 'ratings' ? Math.max(mfReg, 1e-6) : 1);
    this.sampleRatio = opts.sampleRatio ?? (this.t.kind === 'bpr' ? 1 : 5);
    this.iterations = opts.iterations ?? 15;
    if (!(this.reg > 0)) throw new Error(`foldIn: reg must be > 0, got ${this.reg}`);
  }

  /** θ = [p (dim); b_u (when the model has user biases)] for row r of `rows` (SVD++: p = p_u + the row's implicit term). */
  userVector(rows: CSR, r: number): Float64Array {
    if (rows.cols !== this.numItems) throw new Error(`foldIn: rows have ${rows.cols} item columns, the model ${this.numItems}`);
    if (this.t.kind === 'ratings') return this.ridge(rows, r);
    return this.t.kind === 'bpr' ? this.bpr(rows, r) : this.logistic(rows, r);
  }

  private features(i: number, x: Float64Array): void {
    const { q, dim, userBias } = this.t;
    for (let k = 0; k < dim; k++) x[k] = q[i * dim + k];
    if (userBias) x[dim] = 1;
  }

  private ridge(rows: CSR, r: number): Float64Array {
    const m = this.t.dim + (this.t.userBias ? 1 : 0);
    const a = new Float64Array(m * m);
    const b = new Float64Array(m);
    const x = new Float64Array(m);
    const n = rows.indptr[r + 1] - rows.indptr[r];
    const { dim, q, implicit } = this.t;
    const z = new Float64Array(dim);
    if (implicit && n > 0) {
      for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) for (let k = 0; k < dim; k++) z[k] += implicit[rows.indices[p] * dim + k];
      for (let k = 0; k < dim; k++) z[k] /= Math.sqrt(n);
    }
    for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) {
      const i = rows.indices[p];
      this.features(i, x);
      let y = rows.values[p] - this.t.c[i];
      for (let k = 0; k < dim; k++) y -= q[i * dim + k] * z[k];
      for (let u = 0; u < m; u++) {
        b[u] += x[u] * y;
        for (let v = 0; v < m; v++) a[u * m + v] += x[u] * x[v];
      }
    }
    for (let u = 0; u < m; u++) a[u * m + u] += this.reg * Math.max(n, 1);
    const theta = solveSPD(a, b, m);
    for (let k = 0; k < dim; k++) theta[k] += z[k];
    return theta;
  }

  private logistic(rows: CSR, r: number): Float64Array {
    const { n, c } = this.t;
    const m = this.t.dim + (this.t.userBias ? 1 : 0);
    const pos = new Uint8Array(n);
    let nPos = 0;
    for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) { if (!pos[rows.indices[p]]) nPos++; pos[rows.indices[p]] = 1; }
    const w = nPos > 0 && n > nPos ? (this.sampleRatio * nPos) / (n - nPos) : 0;
    const theta = new Float64Array(m);
    const x = new Float64Array(m);
    for (let it = 0; it < this.iterations; it++) {
      const h = new Float64Array(m * m);
      const g = new Float64Array(m);
      for (let i = 0; i < n; i++) {
        const wi = pos[i] ? 1 : w;
        if (wi === 0) continue;
        this.features(i, x);
        let z = c[i];
        for (let k = 0; k < m; k++) z += x[k] * theta[k];
        const s = 1 / (1 + Math.exp(-z));
        const gi = wi * (s - pos[i]);
        const hi = wi * s * (1 - s);
        for (let u = 0; u < m; u++) {
          g[u] += gi * x[u];
          const hu = hi * x[u];
          for (let v = 0; v <= u; v++) h[u * m + v] += hu * x[v];
        }
      }
      if (newtonStep(theta, g, h, this.reg, m).size < 1e-16) break;
    }
    return theta;
  }

  private bpr(rows: CSR, r: number): Float64Array {
    const { n, c, q } = this.t;
    const d = this.t.dim;
    const isPos = new Uint8Array(n);
    for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) isPos[rows.indices[p]] = 1;
    const P: number[] = [];
    const N: number[] = [];
    for (let i = 0; i < n; i++) (isPos[i] ? P : N).push(i);
    const theta = new Float64Array(d);
    if (P.length === 0 || N.length === 0) return theta; // no pairs: nothing to rank by but the item biases
    const w = this.sampleRatio / N.length;
    const z = new Float64Array(n);
    const colA = new Float64Array(n); // Σ_i a_ij per negative j
    const colH = new Float64Array(n); // Σ_i h_ij per negative j
    const m = new Float64Array(d);
    for (let it = 0; it < this.iterations; it++) {
      for (let k = 0; k < n; k++) {
        let s = c[k];
        for (let t = 0; t < d; t++) s += q[k * d + t] * theta[t];
        z[k] = s;
      }
      colA.fill(0);
      colH.fill(0);
      const g = new Float64Array(d);
      const h = new Float64Array(d * d);
      for (const i of P) {
        // a_ij = σ(z_j − z_i) (the loss's slope), h_ij = a(1 − a) (its curvature), over the negatives j
        let rowA = 0;
        let rowH = 0;
        m.fill(0); // Σ_j h_ij q_j
        for (const j of N) {
          const a = 1 / (1 + Math.exp(z[i] - z[j]));
          const hij = a * (1 - a);
          rowA += a;
          rowH += hij;
          colA[j] += a;
          colH[j] += hij;
          if (hij !== 0) for (let t = 0; t < d; t++) m[t] += hij * q[j * d + t];
        }
        // g −= w·A_i q_i;  H += w·(R_i q_i q_iᵀ − q_i m_iᵀ − m_i q_iᵀ)
        for (let u = 0; u < d; u++) {
          const qu = q[i * d + u];
          g[u] -= w * rowA * qu;
          for (let v = 0; v <= u; v++) h[u * d + v] += w * (rowH * qu * q[i * d + v] - qu * m[v] - m[u] * q[i * d + v]);
        }
      }
      for (const j of N) {
        // g += w·A'_j q_j;  H += w·C_j q_j q_jᵀ
        if (colA[j] === 0 && colH[j] === 0) continue;
        for (let u = 0; u < d; u++) {
          const qu = q[j * d + u];
          g[u] += w * colA[j] * qu;
          const hu = w * colH[j] * qu;
          for (let v = 0; v <= u; v++) h[u * d + v] += hu * q[j * d + v];
        }
      }
      const { size, norm } = newtonStep(theta, g, h, this.reg, d);
      // each iteration costs |row|·|not in row|·d: stop once θ moves by under 1e-6 of its length (the ranking no longer changes)
      if (size < 1e-12 * (1 + norm)) break;
    }
    return theta;
  }

  /** Scores of every item for a folded-in θ (the model's own score: rating or logit). */
  scoresOf(theta: Float64Array): Float32Array {
    const { q, dim, n, c, userBias } = this.t;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let s = c[i] + (userBias ? theta[dim] : 0);
      for (let k = 0; k < dim; k++) s += q[i * dim + k] * theta[k];
      out[i] = s;
    }
    return out;
  }

  /** Scores [rows × items] of the users whose rows `input` holds (`users` is not used: they are not in the model). */
  scoreBatch(_users: Int32Array, input: CSR | null): Float32Array {
    if (!input) throw new Error('foldIn: scoreBatch needs the users\' input rows (their fold-in items)');
    const out = new Float32Array(input.rows * this.numItems);
    for (let r = 0; r < input.rows; r++) out.set(this.scoresOf(this.userVector(input, r)), r * this.numItems);
    return out;
  }

  /** Top-k for someone the model never saw, from their items (ratings for MF: pass a one-row CSR). */
  recommendFor(row: CSR, k = 10): TopK {
    const s = this.scoresOf(this.userVector(row, 0));
    return topK(s, k, row.indices.subarray(row.indptr[0], row.indptr[1]));
  }
}

/** `new FoldIn(model, opts)`. */
export function foldIn(model: FoldInModel, opts: FoldInOptions = {}): FoldIn {
  return new FoldIn(model, opts);
}
