/**
 * BatchIterator: named input columns + a label, cut into batches, like MXNet's NDArrayIter.
 *
 *   const it = new BatchIterator({ inputs: { user, item }, label: ratings, batchSize: 25000, shuffle: true, seed: 1 });
 *   for (let epoch = 0; epoch < 5; epoch++) for (const b of it) train(b.inputs.user, b.inputs.item, b.label);
 *
 * Each `for…of` is one epoch (the next one reshuffles); `next()`/`reset()` do the same by
 * hand. Every batch holds fresh typed arrays (safe to keep, or to hand to prefetch).
 *
 * The last, short batch (`lastBatch`):
 * - 'keep' (default): a smaller batch, `size` < batchSize;
 * - 'pad': filled up to batchSize with samples from the start of the epoch, as MXNet does:
 *   the arrays hold `size` real rows followed by `pad` padding rows (metrics count `size`);
 * - 'discard': dropped.
 */
import type { CSR } from '../../core/csr.js';
import { randomStream, type RandomStream } from '../../core/random.js';
import { checkIteratorState, type IteratorState } from './state.js';
import type { InteractionData } from '../types.js';

export type Column = Int32Array | Float32Array;
export type LastBatch = 'pad' | 'discard' | 'keep';
/** A batch input: an id or feature column, or CSR rows (each user's items). */
export type BatchInput = Column | CSR;
/** Labels: dense (a rating or a 0/1 click per row) or CSR (each user's items to predict). */
export type BatchLabel = Float32Array | CSR;

/**
 * One batch: what every iterator yields, every model reads and `fit`/`fitRows` consume.
 * The type parameters narrow it (BatchIterator's batches hold columns and dense labels).
 */
export interface Batch<K extends string = string, I extends BatchInput = BatchInput, L extends BatchLabel = BatchLabel> {
  /** named inputs: ids ('user', 'item'), side features, CSR rows ('rows') */
  inputs: Record<K, I>;
  /** labels, when the batch has them (user-row models without one reconstruct their input) */
  label?: L;
  /** real rows: the first `size` entries of every input (default: all of them) */
  size?: number;
  /** padding rows after them (lastBatch 'pad'); arrays have size + pad entries */
  pad?: number;
  /** which samples (row positions in the source) make up the batch */
  index?: Int32Array;
}

/** What the iterators fill in on top of a Batch: every count. */
export interface Counts {
  size: number;
  pad: number;
  index: Int32Array;
}

/** A BatchIterator's batch: columns, dense labels, counts. */
export type ColumnBatch<K extends string = string> = Batch<K, Column, Float32Array> & Counts;

export interface BatchIteratorOptions<K extends string> {
  inputs: Record<K, Column>;
  label?: Float32Array;
  batchSize: number;
  shuffle?: boolean;
  seed?: number | string;
  lastBatch?: LastBatch;
}

export class BatchIterator<K extends string = string> implements Iterable<ColumnBatch<K>> {
  readonly inputs: Record<K, Column>;
  readonly label?: Float32Array;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly lastBatch: LastBatch;
  readonly numSamples: number;
  /** epochs started so far - 1 (0 during the first) */
  epoch = 0;
  private readonly order: Int32Array;
  private rng: RandomStream;
  private readonly seed?: number | string;
  /** the shuffle stream's state when this epoch's order was drawn (null without shuffling) */
  private epochStart: object | null = null;
  private cursor = 0;

  constructor(opts: BatchIteratorOptions<K>) {
    const names = Object.keys(opts.inputs) as K[];
    if (names.length === 0) throw new Error('BatchIterator: inputs is empty; give at least one named column');
    const n = opts.inputs[names[0]].length;
    for (const k of names) {
      if (opts.inputs[k].length !== n) throw new Error(`BatchIterator: input '${k}' has ${opts.inputs[k].length} rows but '${names[0]}' has ${n}`);
    }
    if (opts.label && opts.label.length !== n) throw new Error(`BatchIterator: label has ${opts.label.length} rows but the inputs have ${n}`);
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize > 0)) throw new Error(`BatchIterator: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.inputs = opts.inputs;
    this.label = opts.label;
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.lastBatch = opts.lastBatch ?? 'keep';
    this.numSamples = n;
    this.seed = opts.seed;
    this.rng = randomStream('BatchIterator', opts.seed);
    this.order = new Int32Array(n);
    this.reorder(null);
  }

  /** (user, item) inputs and rating labels of a data set. */
  static fromRatings(data: InteractionData, opts: Omit<BatchIteratorOptions<'user' | 'item'>, 'inputs' | 'label'>): BatchIterator<'user' | 'item'> {
    return new BatchIterator({ ...opts, inputs: { user: data.users, item: data.items }, label: data.ratings });
  }

  /** Batches per epoch. */
  get numBatches(): number {
    const full = Math.floor(this.numSamples / this.batchSize);
    return this.lastBatch === 'discard' || this.numSamples % this.batchSize === 0 ? full : full + 1;
  }

  /** Starts the next epoch (reshuffling when shuffle is on). */
  reset(): void {
    this.epoch++;
    this.cursor = 0;
    this.reorder(null);
  }

  /**
   * Where the iteration stands, as JSON, for resumable training (models/train/resume.ts):
   * each epoch's order is a shuffle of 0…n-1 by the stream's state at the epoch's start, so
   * that state, the epoch and the cursor restore the iteration exactly, mid-epoch too.
   */
  state(): IteratorState {
    return { kind: 'BatchIterator', epoch: this.epoch, cursor: this.cursor, epochStart: this.epochStart };
  }

  /** Continues from a `state()` of an iterator over the same data, batch size and seed. */
  restore(s: unknown): void {
    const v = checkIteratorState(s, 'BatchIterator', this.numSamples);
    if ((v.epochStart === null) === this.shuffle) throw new Error(`restore: the state is of an iterator ${this.shuffle ? 'without' : 'with'} shuffling`);
    this.epoch = v.epoch;
    this.cursor = v.cursor;
    this.reorder(v.epochStart);
  }

  /** The epoch's order: 0…n-1, shuffled by the stream from `start` (a state) when shuffling. */
  private reorder(start: object | null): void {
    for (let i = 0; i < this.order.length; i++) this.order[i] = i;
    this.epochStart = null;
    if (!this.shuffle) return;
    if (start) this.rng = randomStream('BatchIterator', this.seed, start);
    this.epochStart = this.rng.state();
    this.rng.shuffle(this.order);
  }


  /** The next batch of this epoch, or null at its end. */
  next(): ColumnBatch<K> | null {
    const n = this.numSamples;
    const start = this.cursor;
    if (start >= n) return null;
    const real = Math.min(this.batchSize, n - start);
    if (real < this.batchSize && this.lastBatch === 'discard') {
      this.cursor = n;
      return null;
    }
    const rows = real < this.batchSize && this.lastBatch === 'pad' ? this.batchSize : real;
    const index = new Int32Array(rows);
    index.set(this.order.subarray(start, start + real));
    // padding wraps around to the start of the epoch's order
    for (let k = real; k < rows; k++) index[k] = this.order[(k - real) % n];
    this.cursor = start + real;
    return this.gather(index, rows - real);
  }

  /** Copies the rows `index` of every column into a new batch (the last `pad` of them padding). */
  gather(index: Int32Array, pad = 0): ColumnBatch<K> {
    const inputs = {} as Record<K, Column>;
    for (const k of Object.keys(this.inputs) as K[]) inputs[k] = take(this.inputs[k], index);
    const batch: ColumnBatch<K> = { inputs, size: index.length - pad, pad, index };
    if (this.label) batch.label = take(this.label, index) as Float32Array;
    return batch;
  }

  *[Symbol.iterator](): Iterator<ColumnBatch<K>> {
    if (this.cursor > 0) this.reset();
    for (let b = this.next(); b !== null; b = this.next()) yield b;
  }
}

/** column[index] into a new array of the same type. */
export function take<T extends Column>(column: T, index: Int32Array): T {
  const out = new (column.constructor as { new (n: number): T })(index.length);
  for (let k = 0; k < index.length; k++) out[k] = column[index[k]];
  return out;
}
