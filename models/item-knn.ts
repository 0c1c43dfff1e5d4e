/**
 * ItemKNN: the classic item-based neighbourhood recommender (Sarwar et al. 2001; Deshpande &
 * Karypis 2004), the baseline every learned ranking model must beat.
 *
 *   s_ij   = cosine of items i and j over the users' binary rows (optionally shrunk:
 *            · c_ij / (c_ij + shrink), c_ij the users having both)
 *   S      = each item's k most similar items (the rest 0), a sparse [items, items] matrix
 *   score  = x_u · S: an item scores the summed similarity to the items the user has
 *
 * Fitted in one pass over the data (`model.fit(matrix)`), no gradients. S is kept as three
 * int32/float32 buffers (a CSR: items · k entries), so checkpoints store it and serving is a
 * sparse-times-sparse product on the host. A user is their row, so users who were not in
 * the training data are scored the same way (fold-in needs nothing more).
 */
import { CSR } from '../core/csr.js';
import type { Tensor } from '../core/tensor.js';
import { tensor } from '../ops/creation.js';
import { topK, type TopK } from './serving.js';
import { UserRowModel } from './user-rows.js';
import type { StepOutput } from './train/types.js';
import { cosineNeighbours } from './item-similarity.js';

export interface ItemKNNConfig {
  numItems: number;
  /** neighbours kept per item (default 20, chosen on ml-100k's validation users) */
  k?: number;
  /** similarity shrinkage (default 0: plain cosine) */
  shrink?: number;
  /** entries of S (set by fit; sizes the buffers when a checkpoint is loaded) */
  neighbourNnz?: number;
}

export const ITEM_KNN_DEFAULTS = { k: 20, shrink: 0 } as const;

export class ItemKNN extends UserRowModel {
  readonly config: Required<ItemKNNConfig>;
  private neighbours: CSR;

  constructor(cfg: ItemKNNConfig) {
    super();
    this.config = {
      numItems: cfg.numItems, k: cfg.k ?? ITEM_KNN_DEFAULTS.k, shrink: cfg.shrink ?? ITEM_KNN_DEFAULTS.shrink, neighbourNnz: cfg.neighbourNnz ?? 0,
    };
    const c = this.config;
    if (!(Number.isInteger(c.numItems) && c.numItems > 0)) throw new Error(`ItemKNN: numItems must be a positive integer, got ${c.numItems}`);
    if (!(Number.isInteger(c.k) && c.k > 0)) throw new Error(`ItemKNN: k must be a positive integer, got ${c.k}`);
    if (!(c.shrink >= 0)) throw new Error(`ItemKNN: shrink must be ≥ 0, got ${c.shrink}`);
    this.neighbours = new CSR(new Int32Array(c.numItems + 1), new Int32Array(c.neighbourNnz), new Float32Array(c.neighbourNnz), [c.numItems, c.numItems], false);
    this.registerBuffers();
  }

  get numItems(): number { return this.config.numItems; }

  /** The similarity matrix S (row i: item i's neighbours). */
  get similarities(): CSR { return this.neighbours; }

  private registerBuffers(): void {
    const s = this.neighbours;
    this.setBuffer('indptr', tensor(s.indptr, [s.indptr.length], 'int32'));
    this.setBuffer('indices', tensor(s.indices, [s.indices.length], 'int32'));
    this.setBuffer('values', tensor(s.values, [s.values.length], 'float32'));
  }

  /** Computes S from the users' rows `x` [users, items]; returns this. */
  fit(x: CSR): this {
    this.checkRows(x);
    this.neighbours = cosineNeighbours(x, { k: this.config.k, shrink: this.config.shrink });
    this.config.neighbourNnz = this.neighbours.nnz;
    this.registerBuffers();
    return this;
  }

  override loadStateDict(values: Map<string, Float32Array | Float64Array | Int32Array>): void {
    super.loadStateDict(values);
    const n = this.numItems;
    this.neighbours = new CSR(Int32Array.from(values.get('indptr')!), Int32Array.from(values.get('indices')!),
      Float32Array.from(values.get('values')!), [n, n]);
  }

  /** Scores [rows × items] = input · S, accumulated on the host (S is sparse). */
  override scoreBatch(users: Int32Array, input: CSR | null): Float32Array {
    const rows = input ? null : this.inputRows();
    const x = input ?? (rows ? rows.selectRows(users) : null);
    if (!x) throw new Error('ItemKNN: no input rows given and none attached (call setUserRows(matrix) first)');
    this.checkRows(x);
    const n = this.numItems;
    const s = this.neighbours;
    const out = new Float32Array(x.rows * n);
    for (let r = 0; r < x.rows; r++) {
      const o = r * n;
      for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) {
        const i = x.indices[p];
        const v = x.values[p];
        for (let q = s.indptr[i]; q < s.indptr[i + 1]; q++) out[o + s.indices[q]] += v * s.values[q];
      }
    }
    return out;
  }

  logits(input: CSR): Tensor {
    return tensor(this.scoreBatch(new Int32Array(0), input), [input.rows, this.numItems]);
  }

  trainingStep(): StepOutput {
    throw new Error('ItemKNN is fitted by counting: call model.fit(userItemMatrix), not the gradient training loop');
  }

  /** Item `item`'s stored neighbours, most similar first. */
  override similarItems(itemIndex: number, k = 10): TopK {
    this.checkItem(itemIndex);
    const s = this.neighbours;
    const row = new Float32Array(this.numItems).fill(NaN);
    for (let q = s.indptr[itemIndex]; q < s.indptr[itemIndex + 1]; q++) row[s.indices[q]] = s.values[q];
    return topK(row, k);
  }

  /** Dense rows of S (for the generic serving helpers; O(items²) — prefer similarItems). */
  itemVectors() {
    const n = this.numItems;
    const s = this.neighbours;
    const dense = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let q = s.indptr[i]; q < s.indptr[i + 1]; q++) dense[i * n + s.indices[q]] = s.values[q];
    return { values: dense, dim: n };
  }
}

/** Builds an ItemKNN over `x`'s columns and fits it. */
export function fitItemKNN(x: CSR, cfg: Partial<ItemKNNConfig> = {}): ItemKNN {
  return new ItemKNN({ numItems: x.cols, ...cfg }).fit(x);
}
