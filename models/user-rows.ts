/**
 * The base of the user-level models (MultiLabel, AutoEncoder, MultVAE): the input is a
 * user's whole item row as a CSR batch, the output a score for every item.
 *
 * These models have no user ids: a user *is* their row, so a new user is served by passing
 * their items (`recommendFor(items)`), and a held-out user is evaluated by folding in part of
 * their row. `setUserRows(matrix)` attaches a user×item matrix so the Recommender API
 * (`scoreItems(user)`, `recommend(user, k)`) works by index; it is data, not a weight, and is
 * not saved in checkpoints.
 *
 * Batches: `{inputs: {rows: CSR}, label?: CSR}` (the input may also be called 'input' or
 * 'items'); without a label the targets are the input rows themselves. Train them with
 * `fitRows` (models/train/fit-rows.ts): `fit` expects dense Float32Array labels.
 */
import { CSR } from '../core/csr.js';
import { noGrad, tidy } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { Recommender, type RecommendOptions } from './recommender.js';
import { topK, type TopK } from './serving.js';
import type { Batch } from './train/types.js';

const INPUT_NAMES = ['rows', 'input', 'items', 'x'];

/** The CSR rows of a batch: a known input name, else the only CSR input. */
export function rowsInput(model: string, batch: Batch): CSR {
  for (const name of INPUT_NAMES) {
    const v = batch.inputs[name];
    if (v instanceof CSR) return v;
  }
  const csrs = Object.values(batch.inputs).filter((v): v is CSR => v instanceof CSR);
  if (csrs.length === 1) return csrs[0];
  throw new Error(`${model}: the batch needs the users' item rows as a CSR input named 'rows' (it has: ${Object.keys(batch.inputs).join(', ') || 'nothing'})`);
}

/** The targets of a batch: a CSR label, else the input rows (reconstruct what the user has). */
export function rowsTarget(model: string, batch: Batch, input: CSR): CSR {
  if (batch.label === undefined) return input;
  if (!(batch.label instanceof CSR)) throw new Error(`${model}: the label must be a CSR of target items per user, got ${batch.label.constructor.name}`);
  if (batch.label.rows !== input.rows || batch.label.cols !== input.cols) {
    throw new Error(`${model}: label ${batch.label.rows}×${batch.label.cols} does not match the input rows ${input.rows}×${input.cols}`);
  }
  return batch.label;
}

/** Each row scaled to unit L2 norm (empty rows stay empty); the CSR structure is shared. */
export function normalizeRows(x: CSR): CSR {
  const values = new Float32Array(x.nnz);
  for (let r = 0; r < x.rows; r++) {
    const a = x.indptr[r];
    const b = x.indptr[r + 1];
    let s = 0;
    for (let p = a; p < b; p++) s += x.values[p] * x.values[p];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let p = a; p < b; p++) values[p] = x.values[p] * inv;
  }
  return new CSR(x.indptr, x.indices, values, x.shape, false);
}

/** A CSR with one row holding `items` (value 1 each), for serving a user who is not in the data. */
export function rowOf(items: Iterable<number>, numItems: number, model: string): CSR {
  const ids = Int32Array.from(new Set(items)).sort();
  for (const i of ids) {
    if (!(Number.isInteger(i) && i >= 0 && i < numItems)) throw new Error(`${model}: item index ${i} is not in the model (0 … ${numItems - 1})`);
  }
  return new CSR(Int32Array.from([0, ids.length]), ids, new Float32Array(ids.length).fill(1), [1, numItems], false);
}

export abstract class UserRowModel extends Recommender {
  /** the user×item matrix scoreItems(user) reads rows from (not saved) */
  userRows: CSR | null = null;

  get numUsers(): number {
    return this.userRows ? this.userRows.rows : 0;
  }

  protected override checkUser(userIndex: number): void {
    if (!this.userRows) {
      throw new Error(`${this.constructor.name}: user ${userIndex} asked by index, but no user rows are attached: call setUserRows(matrix) first, or recommendFor(items)`);
    }
    super.checkUser(userIndex);
  }

  /** Attaches the users' item rows, so models can be asked by user index. */
  setUserRows(rows: CSR): this {
    if (rows.cols !== this.numItems) {
      throw new Error(`${this.constructor.name}.setUserRows: the matrix has ${rows.cols} item columns, the model ${this.numItems}`);
    }
    this.userRows = rows;
    return this;
  }

  /** Logits [batch, numItems] for CSR input rows (dropout etc. follow training/eval mode). */
  abstract logits(input: CSR): Tensor;

  protected checkRows(x: CSR): void {
    if (x.cols !== this.numItems) {
      throw new Error(`${this.constructor.name}: input rows have ${x.cols} item columns, the model has ${this.numItems} items`);
    }
  }

  forwardBatch(batch: Batch): Tensor {
    const x = rowsInput(this.constructor.name, batch);
    this.checkRows(x);
    return this.logits(x);
  }

  predictionValues(pred: Tensor): Float32Array {
    return Float32Array.from(pred.dataSync());
  }

  /** Scores [rows × numItems] in evaluation mode; `input` defaults to the attached user rows. */
  scoreBatch(users: Int32Array, input: CSR | null): Float32Array {
    let x = input;
    if (!x) {
      if (!this.userRows) throw new Error(`${this.constructor.name}: no input rows given and none attached (call setUserRows(matrix) first)`);
      x = this.userRows.selectRows(users);
    }
    this.checkRows(x);
    const rows = x;
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => tidy(() => Float32Array.from(this.logits(rows).dataSync())));
    } finally {
      this.train(wasTraining);
    }
  }

  scoreItems(userIndex: number): Float32Array {
    this.checkUser(userIndex);
    return this.scoreBatch(Int32Array.of(userIndex), null);
  }

  /** Top-k for a user index; by default the items in the user's row are excluded. */
  override recommend(userIndex: number, k = 10, opts: RecommendOptions = {}): TopK {
    this.checkUser(userIndex);
    const r = this.userRows!;
    const own = r.indices.subarray(r.indptr[userIndex], r.indptr[userIndex + 1]);
    return topK(this.scoreItems(userIndex), k, opts.exclude ?? own);
  }

  /** Top-k for anyone, from the items they have (which are excluded unless `exclude` is given). */
  recommendFor(items: Iterable<number>, k = 10, opts: RecommendOptions = {}): TopK {
    const row = rowOf(items, this.numItems, this.constructor.name);
    return topK(this.scoreBatch(Int32Array.of(0), row), k, opts.exclude ?? row.indices);
  }
}
