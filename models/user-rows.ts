/**
 * The base of the user-level models (MultiLabel, AutoEncoder, MultVAE): the input is a
 * user's whole item row as a CSR batch, the output a score for every item.
 *
 * These models have no user ids: a user *is* their row, so a new user is served by passing
 * their items (`recommendFor(items)`), and a held-out user is evaluated by folding in part of
 * their row. `setUserRows(matrix)` attaches a user×item matrix so the Recommender API
 * (`scoreItems(user)`, `recommend(user, k)`) works by index; it is data, not a weight. A
 * checkpoint saved with `seen` (what `train` does) brings the users back: `load` attaches
 * those rows (`attachSeen`), the model's input is built from them (entries ≥
 * `meta.inputThreshold` when the rows hold ratings, as ratings ≥ 4 were the clicks it was
 * trained on) and `recommend` excludes every item in them.
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

/** A row matrix's entries ≥ threshold as 1s (all entries without a threshold). */
export function clicksOf(rows: CSR, threshold?: number | null): CSR {
  if (threshold === undefined || threshold === null) return rows.values.every((v) => v === 1) ? rows : new CSR(rows.indptr, rows.indices, new Float32Array(rows.nnz).fill(1), rows.shape, false);
  const indptr = new Int32Array(rows.rows + 1);
  const keep: number[] = [];
  for (let r = 0; r < rows.rows; r++) {
    for (let p = rows.indptr[r]; p < rows.indptr[r + 1]; p++) if (rows.values[p] >= threshold) keep.push(rows.indices[p]);
    indptr[r + 1] = keep.length;
  }
  return new CSR(indptr, Int32Array.from(keep), new Float32Array(keep.length).fill(1), rows.shape, false);
}

export abstract class UserRowModel extends Recommender {
  /** the user×item matrix scoreItems(user) reads rows from (not saved as weights) */
  userRows: CSR | null = null;
  /** the users' saved rows (a checkpoint's seen items), what `recommend` excludes */
  private seenRows: CSR | null = null;
  /** tells `load` that this model's users are the seen rows (it has no user table) */
  readonly usersFromRows = true;

  get numUsers(): number {
    return (this.userRows ?? this.seenRows)?.rows ?? 0;
  }

  /** Serves the users of `seen` (a checkpoint's rows): input = clicksOf(seen, meta.inputThreshold). */
  attachSeen(seen: CSR): this {
    if (seen.cols !== this.numItems) throw new Error(`${this.constructor.name}.attachSeen: the rows have ${seen.cols} item columns, the model ${this.numItems}`);
    this.seenRows = seen;
    this.userRows = null;
    return this;
  }

  /** The rows users are scored from (built from the attached seen rows on first use), or null. */
  inputRows(): CSR | null {
    if (!this.userRows && this.seenRows) {
      const t = this.meta.inputThreshold;
      this.userRows = clicksOf(this.seenRows, typeof t === 'number' ? t : null);
    }
    return this.userRows;
  }

  protected override checkUser(userIndex: number): void {
    if (!this.inputRows()) {
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
    this.seenRows = null;
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
      const rows = this.inputRows();
      if (!rows) throw new Error(`${this.constructor.name}: no input rows given and none attached (call setUserRows(matrix) first)`);
      x = rows.selectRows(users);
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

  /** Top-k for a user index; by default the items in the user's row (all seen items, when attached) are excluded. */
  override recommend(userIndex: number, k = 10, opts: RecommendOptions = {}): TopK {
    this.checkUser(userIndex);
    const r = this.seenRows ?? this.userRows!;
    const own = r.indices.subarray(r.indptr[userIndex], r.indptr[userIndex + 1]);
    return topK(this.scoreItems(userIndex), k, opts.exclude ?? own);
  }

  /** Top-k for anyone, from the items they have (which are excluded unless `exclude` is given). */
  recommendFor(items: Iterable<number>, k = 10, opts: RecommendOptions = {}): TopK {
    const row = rowOf(items, this.numItems, this.constructor.name);
    return topK(this.scoreBatch(Int32Array.of(0), row), k, opts.exclude ?? row.indices);
  }
}
