/**
 * fitRows: training of the user-level models (MultiLabel, AutoEncoder, MultVAE) — the loop
 * `fit` uses (loop.ts), fed with CSR batches of user rows, validated by ranking.
 *
 * Why not plain `fit`: these models eat CSR rows of users and their targets are CSR rows too
 * (the items to reconstruct or predict), while fit's metrics compare dense Float32Array
 * labels with predictions. Their quality is a ranking question instead — Recall@K and
 * NDCG@K on held-out users, each epoch — so this loop evaluates with `evaluateRanking`
 * and keeps the weights of the best epoch (Liang et al. select the model with the best
 * validation NDCG@100).
 *
 * Defaults that work on small and large data alike: users per batch from the data
 * (`rowBatchSize`: ~10 updates an epoch on ml-100k, Liang's ~500 on ML-20M); with an
 * `evalSplit`, up to 200 epochs, keep-best on NDCG@100 and early stopping after 20 epochs
 * without a better one; without one, 50 epochs. A model with `planRun` (MultVAE: β's
 * anneal) is told the updates the run plans. Logs follow fit's MXNet style, with the loss
 * as the train measure:
 *   Epoch[0] Batch [20] Speed: 5321.10 samples/sec loss=812.3
 *   Epoch[0] Train-loss=790.1
 *   Epoch[0] Time cost=3.214
 *   Epoch[0] Validation-ndcg@100=0.3012
 */
import { CSR } from '../../core/csr.js';
import { UserRowIterator } from '../../datasets/iterators/userrows.js';
import { logger, makeOptimizer, trainLoop, type LoopSettings, type TrainHistory } from './loop.js';
import { evaluateRanking, type EvaluateRankingOptions, type RankingScorer, type RankingSplit } from './ranking.js';
import type { Batch, BatchSource, Trainable } from './types.js';

/** @deprecated the old shape of UserRowIterator's batches (still accepted): use a Batch {inputs: {rows}, label} */
export interface RowBatch {
  input: CSR;
  target?: CSR;
  size: number;
}

/**
 * Training rows: a user×item matrix (targets = the rows), input/target matrices, or an
 * iterable of batches with a CSR input (as sg.datasets.UserRowIterator yields them).
 */
export type RowData = CSR | { input: CSR; target?: CSR } | BatchSource | Iterable<RowBatch>;

/** A batch as the models read it (the legacy `{input, target}` shape converted). */
function asBatch(b: Batch | RowBatch): Batch {
  if ('inputs' in b) return b;
  if (b.input instanceof CSR) return { inputs: { rows: b.input }, label: b.target, size: b.size };
  throw new Error('fitRows: a batch must be {inputs: {rows: CSR}, label?} or {input: CSR, target?, size}');
}

/** The loop's options (callbacks, logging, progress, amp) plus the row-model ones. */
export interface FitRowsOptions extends LoopSettings {
  /** users per batch (default: rowBatchSize(users) for a matrix, 500 — Liang et al.'s — for other sources) */
  batchSize?: number;
  /** shuffle the users each epoch (default true; UserRowIterator's stream, from the run seed) */
  shuffle?: boolean;
  /** default Adam, lr 1e-3 */
  optimizer?: LoopSettings['optimizer'];
  /** evaluated after every epoch with evaluateRanking */
  evalSplit?: RankingSplit;
  evalOptions?: EvaluateRankingOptions;
  /**
   * keep the weights of the epoch with the best value of this validation metric (default
   * with an evalSplit: NDCG at the largest cut-off, 'ndcg@100'; false: keep the last epoch)
   */
  keepBest?: string | false;
  /** with keepBest: stop after this many epochs without a better value (default 20 with an evalSplit; 0 = never) */
  patience?: number;
}

/**
 * Users per batch for a matrix of `users` rows: about ten updates an epoch on small data
 * (ml-100k: 64), Liang et al.'s 500 on large (ML-20M) — a power of two in [32, 512].
 */
export function rowBatchSize(users: number): number {
  const b = 2 ** Math.round(Math.log2(Math.max(1, users / 10)));
  return Math.min(512, Math.max(32, b));
}

/** The rows of a matrix (or input/target pair), null for other sources. */
function rowsOf(data: RowData): number | null {
  const input = data instanceof CSR ? data : (data as { input?: unknown }).input;
  return input instanceof CSR ? input.rows : null;
}

/** What fitRows returns (the loop's history; `bestEpoch` is the kept epoch with keepBest). */
export type FitRowsHistory = TrainHistory;

/** The batches of `data`: a matrix (or input/target pair) is cut by a UserRowIterator. */
function rowSource(data: RowData, batchSize: number, shuffle: boolean): (Iterable<Batch | RowBatch> | AsyncIterable<Batch | RowBatch>) & { reset?: () => void } {
  const { input, target } = data instanceof CSR ? { input: data, target: undefined } : data as { input?: unknown; target?: CSR };
  if (!(input instanceof CSR)) return data as Iterable<Batch | RowBatch>;
  if (target && (target.rows !== input.rows || target.cols !== input.cols)) {
    throw new Error(`fitRows: target ${target.rows}×${target.cols} does not match input ${input.rows}×${input.cols}`);
  }
  return new UserRowIterator(input, { batchSize, shuffle, targets: target });
}

export async function fitRows(model: Trainable & RankingScorer, data: RowData, opts: FitRowsOptions = {}): Promise<FitRowsHistory> {
  if (opts.keepBest && !opts.evalSplit) throw new Error(`fitRows: keepBest '${opts.keepBest}' needs an evalSplit to measure it on`);
  const log = logger(opts);
  const rows = rowsOf(data);
  const batchSize = opts.batchSize ?? (rows !== null ? rowBatchSize(rows) : 500);
  const source = rowSource(data, batchSize, opts.shuffle ?? true);
  const split = opts.evalSplit;
  const keepBest = opts.keepBest === false ? undefined : opts.keepBest ?? (split ? `ndcg@${Math.max(...(opts.evalOptions?.k ?? [100]))}` : undefined);
  const patience = opts.patience ?? (keepBest ? 20 : 0);
  if (patience > 0 && !keepBest) throw new Error(`fitRows: patience ${patience} needs an evalSplit and keepBest (the validation metric to watch)`);
  const epochs = opts.epochs ?? (split ? 200 : 50);
  const numBatches = (source as { numBatches?: number }).numBatches;
  // the run's length, for schedules relative to it (the Mult-VAE's β)
  const planned = model as { planRun?: (plan: { updates: number }) => void };
  if (typeof planned.planRun === 'function' && numBatches) planned.planRun({ updates: epochs * numBatches });
  return trainLoop(model, {
    caller: 'fitRows',
    epochs,
    optimizer: makeOptimizer(opts.optimizer ?? { name: 'adam', lr: 1e-3 }, model.parameters()),
    batches: async function* () {
      if (typeof source.reset === 'function') source.reset();
      for await (const b of source as AsyncIterable<Batch | RowBatch>) yield asBatch(b);
    },
    numBatches,
    callbacks: opts.callbacks,
    log,
    batchEndEvery: opts.batchEndEvery ?? 50,
    progress: opts.progress,
    amp: opts.amp,
    reportLoss: true,
    validate: split && ((epoch, values) => {
      for (const [k, v] of Object.entries(evaluateRanking(model, split, opts.evalOptions).metrics)) {
        values[`val-${k}`] = v;
        log(`Epoch[${epoch}] Validation-${k}=${v.toFixed(6)}`);
      }
    }),
    keepBest: keepBest ? { monitor: `val-${keepBest}`, mode: 'max', label: keepBest, patience } : undefined,
    divergence: opts.divergence,
    resume: opts.resume,
    source,
    ema: opts.ema,
  });
}
