/**
 * EASE (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): an item×item
 * weight matrix B, scores = x_u · B for a user's (binary) item row x_u, found in closed form:
 *
 *   min_B ‖X − XB‖² + λ‖B‖²   subject to diag(B) = 0
 *   P = (XᵀX + λI)⁻¹,   B_ij = −P_ij / P_jj  (i ≠ j),   B_jj = 0
 *
 * The zero diagonal keeps an item from predicting itself; λ (`lambda`) is the only
 * hyper-parameter. It is solved on the CPU in float64 whatever the backend: the Gram matrix
 * XᵀX and its inverse are dense, **items² × 8 bytes** (1,682 items: 23 MB; ML-20M's 26,744:
 * 5.7 GB, over the 2 GiB this implementation allows — prune the catalog first) and the
 * inverse costs items³ multiply-adds (Gauss–Jordan; seconds for a few thousand items). The
 * result is kept as a float32 buffer [items, items] on the active backend, so serving is one
 * `matmul(CSR rows, B)` and a checkpoint stores B (items² × 4 bytes).
 *
 * Like the other user-row models, a user *is* their row: any user, seen in training or not,
 * is scored from the items they have (fold-in needs nothing more).
 */
import type { CSR } from '../core/csr.js';
import type { Tensor } from '../core/tensor.js';
import { zeros } from '../ops/creation.js';
import { matmul } from '../ops/matmul.js';
import { topK, type TopK } from './serving.js';
import { UserRowModel } from './user-rows.js';
import type { StepOutput } from './train/types.js';
import { itemGram } from './item-similarity.js';

export interface EASEConfig {
  numItems: number;
  /** L2 weight λ (default 300, chosen on ml-100k's validation users; Steck used 500 on ML-20M) */
  lambda?: number;
}

export const EASE_DEFAULTS = { lambda: 300 } as const;

export class EASE extends UserRowModel {
  readonly config: Required<EASEConfig>;
  /** B [items, items]; zeros until `fit` */
  readonly weights: Tensor;

  constructor(cfg: EASEConfig) {
    super();
    this.config = { numItems: cfg.numItems, lambda: cfg.lambda ?? EASE_DEFAULTS.lambda };
    const { numItems, lambda } = this.config;
    if (!(Number.isInteger(numItems) && numItems > 0)) throw new Error(`EASE: numItems must be a positive integer, got ${numItems}`);
    if (!(lambda > 0)) throw new Error(`EASE: lambda must be > 0, got ${lambda}`);
    this.weights = this.addBuffer('weights', zeros([numItems, numItems]));
  }

  get numItems(): number { return this.config.numItems; }

  /** Solves for B from the users' rows `x` [users, items] (binary clicks); returns this. */
  fit(x: CSR): this {
    this.checkRows(x);
    const b = easeWeights(itemGram(x), this.numItems, this.config.lambda);
    this.weights.assign(b);
    return this;
  }

  logits(input: CSR): Tensor {
    return matmul(input, this.weights);
  }

  trainingStep(): StepOutput {
    throw new Error('EASE is solved in closed form: call model.fit(userItemMatrix), not the gradient training loop');
  }

  /** The items with the largest weights B[item, j]: what having `item` recommends most. */
  override similarItems(itemIndex: number, k = 10): TopK {
    this.checkItem(itemIndex);
    const n = this.numItems;
    const row = this.weights.dataSync().subarray(itemIndex * n, (itemIndex + 1) * n);
    return topK(row, k, [itemIndex]);
  }

  itemVectors() {
    return { values: this.weights.dataSync(), dim: this.numItems };
  }
}

/**
 * B from the Gram matrix (consumed: it becomes P in place): add λ to the diagonal, invert
 * (Gauss–Jordan, no pivoting: XᵀX + λI is symmetric positive definite), B_ij = −P_ij / P_jj.
 */
export function easeWeights(gram: Float64Array, n: number, lambda: number): Float64Array {
  if (gram.length !== n * n) throw new Error(`easeWeights: the Gram matrix has ${gram.length} entries, ${n}×${n} needs ${n * n}`);
  for (let i = 0; i < n; i++) gram[i * n + i] += lambda;
  invertInPlace(gram, n);
  const p = gram;
  const diag = new Float64Array(n);
  for (let j = 0; j < n; j++) diag[j] = p[j * n + j];
  for (let i = 0; i < n; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) p[row + j] = i === j ? 0 : -p[row + j] / diag[j];
  }
  return p;
}

/** In-place Gauss–Jordan inverse of a symmetric positive-definite n×n matrix (row-major). */
export function invertInPlace(a: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    const pivot = a[rk + k];
    if (!(pivot > 0) || !Number.isFinite(pivot)) {
      throw new Error(`invertInPlace: pivot ${pivot} at row ${k}: the matrix is not positive definite (raise λ)`);
    }
    const d = 1 / pivot;
    a[rk + k] = 1;
    for (let j = 0; j < n; j++) a[rk + j] *= d;
    for (let i = 0; i < n; i++) {
      if (i === k) continue;
      const ri = i * n;
      const f = a[ri + k];
      if (f === 0) continue;
      a[ri + k] = 0;
      for (let j = 0; j < n; j++) a[ri + j] -= f * a[rk + j];
    }
  }
}

/** Builds an EASE model over `x`'s columns and fits it (the one-liner). */
export function fitEASE(x: CSR, cfg: Partial<EASEConfig> = {}): EASE {
  return new EASE({ numItems: x.cols, ...cfg }).fit(x);
}
