/**
 * UserRowIterator: batches of whole user rows as CSR, for models that read a user's full
 * history at once (AutoEncoder, Mult-VAE, the DSSTNE-style multi-label model). A batch of
 * 500 ML-20M users is ~70k non-zeros as CSR instead of a 500 × 20,108 dense matrix.
 *
 *   for (const b of new UserRowIterator(split.valid.input, { batchSize: 500, targets: split.valid.target }))
 *     score(model.forwardBatch(b), b.label);     // b.inputs.rows: the users' rows, b.label: their targets
 *
 * The batches are the one `Batch` type (input 'rows', the target rows as label), so fitRows
 * and the models read them as they are; `fitRows(model, matrix)` cuts its batches with it.
 */
import type { CSR } from '../../core/csr.js';
import { randomStream, type RandomStream } from '../../core/random.js';
import type { Batch, Counts } from './batch.js';
import { checkIteratorState, type IteratorState } from './state.js';

/** A batch of user rows: `inputs.rows` [size, numItems], `label` the same rows of `targets`. */
export type UserRowBatch = Batch<'rows', CSR, CSR> & Counts & {
  /** @deprecated the same CSR as `inputs.rows` */
  input: CSR;
  /** @deprecated the same CSR as `label` */
  target?: CSR;
  /** @deprecated the same positions as `index` */
  rows: Int32Array;
};

export interface UserRowIteratorOptions {
  batchSize: number;
  shuffle?: boolean;
  seed?: number | string;
  /** a matrix with the same rows (held-out items to predict) */
  targets?: CSR;
  /** 'keep' (default) a short last batch or 'discard' it */
  lastBatch?: 'keep' | 'discard';
}

export class UserRowIterator implements Iterable<UserRowBatch> {
  readonly matrix: CSR;
  readonly targets?: CSR;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly lastBatch: 'keep' | 'discard';
  epoch = 0;
  private readonly order: Int32Array;
  private rng: RandomStream;
  private readonly seed?: number | string;
  /** the shuffle stream's state when this epoch's order was drawn (null without shuffling) */
  private epochStart: object | null = null;
  private cursor = 0;

  constructor(matrix: CSR, opts: UserRowIteratorOptions) {
    if (opts.targets && opts.targets.rows !== matrix.rows) {
      throw new Error(`UserRowIterator: targets has ${opts.targets.rows} rows but the input matrix has ${matrix.rows}`);
    }
    if (!(Number.isInteger(opts.batchSize) && opts.batchSize > 0)) throw new Error(`UserRowIterator: batchSize must be a positive integer, got ${opts.batchSize}`);
    this.matrix = matrix;
    this.targets = opts.targets;
    this.batchSize = opts.batchSize;
    this.shuffle = opts.shuffle ?? false;
    this.lastBatch = opts.lastBatch ?? 'keep';
    this.seed = opts.seed;
    this.rng = randomStream('UserRowIterator', opts.seed);
    this.order = new Int32Array(matrix.rows);
    this.reorder(null);
  }

  get numBatches(): number {
    const n = this.matrix.rows;
    const full = Math.floor(n / this.batchSize);
    return this.lastBatch === 'discard' || n % this.batchSize === 0 ? full : full + 1;
  }

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
    return { kind: 'UserRowIterator', epoch: this.epoch, cursor: this.cursor, epochStart: this.epochStart };
  }

  /** Continues from a `state()` of an iterator over the same data, batch size and seed. */
  restore(s: unknown): void {
    const v = checkIteratorState(s, 'UserRowIterator', this.matrix.rows);
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
    if (start) this.rng = randomStream('UserRowIterator', this.seed, start);
    this.epochStart = this.rng.state();
    this.rng.shuffle(this.order);
  }


  next(): UserRowBatch | null {
    const n = this.matrix.rows;
    if (this.cursor >= n) return null;
    const size = Math.min(this.batchSize, n - this.cursor);
    if (size < this.batchSize && this.lastBatch === 'discard') {
      this.cursor = n;
      return null;
    }
    const rows = this.order.slice(this.cursor, this.cursor + size);
    this.cursor += size;
    const input = this.matrix.selectRows(rows);
    const batch: UserRowBatch = { inputs: { rows: input }, size, pad: 0, index: rows, input, rows };
    if (this.targets) batch.label = batch.target = this.targets.selectRows(rows);
    return batch;
  }

  *[Symbol.iterator](): Iterator<UserRowBatch> {
    if (this.cursor > 0) this.reset();
    for (let b = this.next(); b !== null; b = this.next()) yield b;
  }
}
