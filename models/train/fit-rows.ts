/**
 * fitRows: training of the user-level models (MultiLabel, AutoEncoder, MultVAE) — the loop
 * `fit` uses (loop.ts), fed with CSR batches of user rows, validated by ranking.
 *
 * Why not plain `fit`: these models eat CSR rows of users and their targets are CSR rows too
 * (the items to reconstruct or predict), while fit's metrics compare dense Float32Array
 * labels with predictions. Their quality is a ranking question instead — Recall@K and
 * NDCG@K on held-out users, each epoch — so this loop evaluates with `evaluateRanking`
 * and can keep the weights of the best epoch (Liang et al. select the model with the best
 * validation NDCG@100). Logs follow fit's MXNet style, with the loss as the train measure:
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
  /** users per batch (default 500, as Liang et al.; the DSSTNE case uses 256) */
  batchSize?: number;
  /** shuffle the users each epoch (default true; UserRowIterator's stream, from the run seed) */
  shuffle?: boolean;
  /** default Adam, lr 1e-3 */
  optimizer?: LoopSettings['optimizer'];
  /** evaluated after every epoch with evaluateRanking */
  evalSplit?: RankingSplit;
  evalOptions?: EvaluateRankingOptions;
  /** keep the weights of the epoch with the best value of this validation metric (e.g. 'ndcg@100') */
  keepBest?: string;
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
  const source = rowSource(data, opts.batchSize ?? 500, opts.shuffle ?? true);
  const split = opts.evalSplit;
  return trainLoop(model, {
    caller: 'fitRows',
    epochs: opts.epochs ?? 1,
    optimizer: makeOptimizer(opts.optimizer ?? { name: 'adam', lr: 1e-3 }, model.parameters()),
    batches: async function* () {
      if (typeof source.reset === 'function') source.reset();
      for await (const b of source as AsyncIterable<Batch | RowBatch>) yield asBatch(b);
    },
    numBatches: (source as { numBatches?: number }).numBatches,
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
    keepBest: opts.keepBest ? { monitor: `val-${opts.keepBest}`, mode: 'max', label: opts.keepBest } : undefined,
    divergence: opts.divergence,
    resume: opts.resume,
    source,
  });
}
