/**
 * SVD++ (Koren 2008): biased MF plus what a user's *choice* of items says about them.
 *
 *   r̂_ui = μ + b_u + b_i + q_i · (p_u + |N(u)|^-½ Σ_{j∈N(u)} y_j)
 *
 * N(u) is the set of items u rated in the training data — who rated what, not how. Each item
 * has a second vector y_j, and a user is p_u plus the normalised sum of the y_j of their
 * items, so a user with few ratings (a small p_u that regularisation keeps near 0) is still
 * placed by their history.
 *
 * Built from existing ops, nothing new: the histories are a CSR [numUsers, numItems] whose
 * row u holds |N(u)|^-½ at u's items. A batch takes the rows of its distinct users, and
 * `matmul(rows, Y, {sparseGrad: true})` (ops/matmul.ts, CSR × dense) gives their implicit
 * sums in one sparse-times-dense product; its backward, Xᵀ·dy, is RowSparse over exactly the
 * items in those histories, so a step updates only those y_j (lazily, like p, q and biases).
 *
 * Regularisation is Funk-SVD's, as in MatrixFactorization and Surprise's SVDpp: each rating
 * adds reg·(‖p_u‖² + ‖q_i‖² + b_u² + b_i²) and implicitReg·Σ_{j∈N(u)} ‖y_j‖², the latter
 * only on the y rows the batch touched (a `gatherDot` of those rows with themselves, whose
 * gradient is RowSparse too).
 *
 * The histories travel with the weights (buffers `history.indptr` / `history.indices`), so
 * a loaded checkpoint predicts exactly as the trained model; `config.historyNnz` sizes them
 * when a checkpoint rebuilds the model. A user with an empty history is plain biased MF; an
 * id the model does not know at all gets the baseline μ + b_i in evaluation, as MF's do
 * (models/rating-eval.ts).
 */
import type { Tensor } from '../core/tensor.js';
import { CSR } from '../core/csr.js';
import { noGrad, tidy } from '../core/engine.js';
import { uniqueSorted } from '../core/unique.js';
import { buildCSR } from '../datasets/matrix.js';
import { add, mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { gather } from '../ops/gather.js';
import { gatherDot } from '../ops/fused.js';
import { matmul } from '../ops/matmul.js';
import { reshape } from '../ops/layout.js';
import { tensor } from '../ops/creation.js';
import { Embedding } from './nn/layers.js';
import { MatrixFactorization, MF_RATING_DEFAULTS, type MFConfig } from './mf.js';
import { idsInput } from './inputs.js';
import type { Batch, StepOutput } from './train/types.js';

export interface SVDppConfig extends MFConfig {
  /** Funk-SVD L2 per rating on the y_j of the rating's user's history (default: `reg`) */
  implicitReg?: number;
  /** entries of the histories (set by the model, to rebuild it from a checkpoint) */
  historyNnz?: number;
}

export interface SVDppData {
  /** who rated what in the training data: [numUsers, numItems], values ignored */
  history?: CSR;
}

/**
 * The defaults `SVDpp.forRatings` uses, chosen on ml-100k's u1.base 90/10 split (validation
 * RMSE 0.8852 with the recipe's lr 0.001; README, "Defaults on real data"): MF's reg and
 * init, fewer factors (the histories carry much of the user), a light implicitReg.
 */
export const SVDPP_RATING_DEFAULTS = { ...MF_RATING_DEFAULTS, dim: 25, implicitReg: 0.01 } as const;

export class SVDpp extends MatrixFactorization {
  declare readonly config: MatrixFactorization['config'] & { implicitReg: number; historyNnz: number };
  /** Y: one implicit-feedback vector per item */
  readonly implicit: Embedding;
  /** row u: |N(u)|^-½ at each item u rated in training */
  private history: CSR;

  constructor(cfg: SVDppConfig, data: SVDppData = {}) {
    // SVD++ is biased MF plus the implicit term: biases are not optional
    super({ ...cfg, biases: true });
    const h = data.history;
    const nnz = h ? h.nnz : cfg.historyNnz ?? -1;
    Object.assign(this.config, { implicitReg: cfg.implicitReg ?? this.config.reg, historyNnz: nnz });
    if (!(this.config.implicitReg >= 0)) throw new Error(`SVDpp: implicitReg must be a number ≥ 0, got ${this.config.implicitReg}`);
    if (!h && !(Number.isInteger(nnz) && nnz >= 0)) throw new Error('SVDpp: give the training histories (new SVDpp(config, {history}) or SVDpp.forRatings(train))');
    if (h && (h.rows !== this.numUsers || h.cols !== this.numItems)) {
      throw new Error(`SVDpp: history is ${h.rows}×${h.cols}, expected numUsers × numItems = ${this.numUsers}×${this.numItems}`);
    }
    const { numUsers, numItems, dim, sparseGrad, initStd, seed } = this.config;
    this.implicit = this.addModule('implicit', new Embedding({
      num: numItems, dim, sparseGrad, init: { kind: 'normal', std: initStd }, seed: seed === undefined ? undefined : seed + 2,
    }));
    const indptr = h ? Int32Array.from(h.indptr) : new Int32Array(numUsers + 1);
    const indices = h ? Int32Array.from(h.indices) : new Int32Array(nnz);
    this.addBuffer('history.indptr', tensor(indptr, [numUsers + 1], 'int32'));
    this.addBuffer('history.indices', tensor(indices, [nnz], 'int32'));
    this.history = normalisedHistory(indptr, indices, numUsers, numItems);
  }

  /**
   * SVD++ for rating data with the defaults chosen on real data: the global bias starting at
   * the mean of `data`'s ratings and N(u) = the items each user rated in `data` (pass the
   * training part only: never validation or test ratings); `overrides` win.
   */
  static override forRatings(data: { numUsers: number; numItems: number; users: Int32Array; items: Int32Array; ratings: ArrayLike<number> }, overrides: Partial<SVDppConfig> = {}): SVDpp {
    let mean = 0;
    for (let e = 0; e < data.ratings.length; e++) mean += data.ratings[e];
    mean = data.ratings.length ? mean / data.ratings.length : 0;
    const history = buildCSR(data.users, data.items, null, [data.numUsers, data.numItems], 'max');
    return new SVDpp({ numUsers: data.numUsers, numItems: data.numItems, globalMean: mean, ...SVDPP_RATING_DEFAULTS, ...overrides }, { history });
  }

  /** The items of user u's training history (N(u)), sorted. */
  historyOf(userIndex: number): Int32Array {
    this.checkUser(userIndex);
    return this.history.indices.slice(this.history.indptr[userIndex], this.history.indptr[userIndex + 1]);
  }

  override loadStateDict(values: Map<string, Float32Array | Float64Array | Int32Array>): void {
    super.loadStateDict(values);
    const indptr = Int32Array.from(values.get('history.indptr')!);
    const indices = Int32Array.from(values.get('history.indices')!);
    // checked like any CSR (a checkpoint's buffers are data from a file)
    new CSR(indptr, indices, new Float32Array(indices.length), [this.numUsers, this.numItems]);
    this.history = normalisedHistory(indptr, indices, this.numUsers, this.numItems);
  }

  /**
   * |N(u)|^-½ Σ_{j∈N(u)} y_j for each pair's user [B, dim]: one CSR × Y product over the
   * batch's distinct users, then a row per pair.
   */
  implicitSum(users: Int32Array): Tensor {
    const { unique, inverse } = uniqueSorted(users);
    const z = matmul(this.history.selectRows(unique), this.implicit.weight, { sparseGrad: this.config.sparseGrad });
    return gather(z, inverse, { sparseGrad: false });
  }

  /** μ + b_u + b_i + q_i · (p_u + |N(u)|^-½ Σ y_j) for index arrays of users and items [B]. */
  override predictPairs(users: Int32Array, items: Int32Array): Tensor {
    const sg = this.config.sparseGrad;
    const u = add(this.user.forward(users), this.implicitSum(users));
    const dot = sum(mul(this.item.forward(items), u), 1);
    return add(add(add(dot, gather(this.userBias!, users, { sparseGrad: sg })), gather(this.itemBias!, items, { sparseGrad: sg })), this.globalBias!);
  }

  /** MF's loss (MSE + reg·penalty) plus implicitReg · mean over the pairs of Σ_{j∈N(u)} ‖y_j‖². */
  override trainingStep(batch: Batch): StepOutput {
    const out = super.trainingStep(batch);
    if (!(this.config.implicitReg > 0)) return out;
    const users = idsInput('SVDpp', batch, 'user');
    return { ...out, loss: add(out.loss, mul(this.implicitPenalty(users), this.config.implicitReg)) };
  }

  /**
   * mean over the pairs of Σ_{j∈N(u)} ‖y_j‖² = Σ_j c_j ‖y_j‖², c_j = (pairs whose user has
   * j) / B: the touched rows' squared norms (gatherDot of Y with itself on those rows, so the
   * gradient 2·c_j·y_j lands on those rows only).
   */
  implicitPenalty(users: Int32Array): Tensor {
    const { indptr, indices } = this.history;
    const c = new Float64Array(this.numItems);
    for (const u of users) for (let k = indptr[u]; k < indptr[u + 1]; k++) c[indices[k]]++;
    let n = 0;
    for (let j = 0; j < c.length; j++) if (c[j] > 0) n++;
    const rows = new Int32Array(n);
    const weights = new Float32Array(n);
    for (let j = 0, k = 0; j < c.length; j++) {
      if (c[j] > 0) {
        rows[k] = j;
        weights[k++] = c[j] / users.length;
      }
    }
    const y = this.implicit.weight;
    return sum(mul(gatherDot(y, y, rows, rows, { sparseGrad: this.config.sparseGrad }), tensor(weights, [n])));
  }

  override scoreItems(userIndex: number): Float32Array {
    this.checkUser(userIndex);
    return noGrad(() => tidy(() => {
      const ids = Int32Array.of(userIndex);
      const u = add(this.user.forward(ids), this.implicitSum(ids)); // [1, dim]
      const s = reshape(matmul(u, this.item.weight, { transposeB: true }), [this.numItems]);
      // the predicted rating itself, as MF's scoreItems with biases
      return Float32Array.from(add(add(add(s, this.itemBias!), gather(this.userBias!, ids)), this.globalBias!).dataSync());
    }));
  }
}

/** The history CSR with |N(u)|^-½ at each of u's items (0-length rows stay empty). */
function normalisedHistory(indptr: Int32Array, indices: Int32Array, numUsers: number, numItems: number): CSR {
  const values = new Float32Array(indices.length);
  for (let u = 0; u < numUsers; u++) {
    const n = indptr[u + 1] - indptr[u];
    if (n > 0) values.fill(1 / Math.sqrt(n), indptr[u], indptr[u + 1]);
  }
  return new CSR(indptr, indices, values, [numUsers, numItems], false);
}
