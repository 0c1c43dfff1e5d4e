/**
 * fitRows: the training loop of the user-level models (MultiLabel, AutoEncoder, MultVAE).
 *
 * Why not `fit`: these models eat CSR rows of users and their targets are CSR rows too
 * (the items to reconstruct or predict), while fit's metrics compare dense Float32Array
 * labels with predictions. Their quality is a ranking question instead — Recall@K and
 * NDCG@K on held-out users, each epoch — so this loop evaluates with `evaluateRanking`
 * and can keep the weights of the best epoch (Liang et al. select the model with the best
 * validation NDCG@100). Logs follow fit's MXNet style:
 *   Epoch[0] Batch [20] Speed: 5321.10 samples/sec loss=812.3
 *   Epoch[0] Train-loss=790.1
 *   Epoch[0] Time cost=3.214
 *   Epoch[0] Validation-ndcg@100=0.3012
 */
import { MixedPrecision } from '../optim/amp.js';
import { CSR } from '../../core/csr.js';
import { tidy } from '../../core/engine.js';
import { stream } from '../../core/random.js';
import type { Tensor } from '../../core/tensor.js';
import type { Optimizer } from '../optim/optimizer.js';
import { makeOptimizer, TrainingDivergedError, type FitOptions } from './fit.js';
import { evaluateRanking, type EvaluateRankingOptions, type RankingScorer, type RankingSplit } from './ranking.js';
import type { EpochLogs, FitContext } from './callbacks.js';
import type { Batch, BatchSource, Trainable } from './types.js';
import { ProgressBar } from './progress.js';

/** A batch as datasets' UserRowIterator yields it. */
export interface RowBatch {
  input: CSR;
  target?: CSR;
  size: number;
}

/**
 * Training rows: a user×item matrix (targets = the rows), input/target matrices, or an
 * iterable of batches — `Batch`es with a CSR input, or `{input, target?, size}` as
 * sg.datasets.UserRowIterator yields them.
 */
export type RowData = CSR | { input: CSR; target?: CSR } | BatchSource | Iterable<RowBatch>;

/** UserRowIterator's `{input, target}` → a Batch `{inputs: {rows}, label}`. */
function asBatch(b: Batch | RowBatch): Batch {
  if ('inputs' in b) return b;
  if (b.input instanceof CSR) return { inputs: { rows: b.input }, label: b.target, size: b.size };
  throw new Error('fitRows: a batch must be {inputs: {rows: CSR}, label?} or {input: CSR, target?, size}');
}

/** The loop options shared with `fit` (callbacks, logging, progress, amp) plus the row-model ones. */
export interface FitRowsOptions extends Pick<FitOptions, 'callbacks' | 'batchEndEvery' | 'log' | 'verbose' | 'progress' | 'amp'> {
  epochs?: number;
  /** users per batch (default 500, as Liang et al.; the DSSTNE case uses 256) */
  batchSize?: number;
  /** shuffle the users each epoch with the run's 'shuffle' stream (default true) */
  shuffle?: boolean;
  /** default Adam, lr 1e-3 */
  optimizer?: FitOptions['optimizer'];
  /** evaluated after every epoch with evaluateRanking */
  evalSplit?: RankingSplit;
  evalOptions?: EvaluateRankingOptions;
  /** keep the weights of the epoch with the best value of this validation metric (e.g. 'ndcg@100') */
  keepBest?: string;
}

export interface FitRowsHistory {
  epochs: EpochLogs[];
  optimizer: Optimizer;
  /** the epoch whose weights the model holds at the end when `keepBest` was set */
  bestEpoch: number;
  stoppedEarly: boolean;
}

function* csrBatches(input: CSR, target: CSR | undefined, batchSize: number, shuffle: boolean): Generator<Batch> {
  const order = Int32Array.from({ length: input.rows }, (_, i) => i);
  if (shuffle) stream('shuffle').shuffle(order);
  for (let b = 0; b < input.rows; b += batchSize) {
    const rows = order.subarray(b, Math.min(input.rows, b + batchSize));
    const x = input.selectRows(rows);
    yield { inputs: { rows: x }, label: target ? target.selectRows(rows) : undefined, size: rows.length };
  }
}

function batchSource(data: RowData, batchSize: number, shuffle: boolean): () => Iterable<Batch | RowBatch> | AsyncIterable<Batch | RowBatch> {
  if (data instanceof CSR) return () => csrBatches(data, undefined, batchSize, shuffle);
  const pair = data as { input?: unknown; target?: unknown };
  if (pair.input instanceof CSR) {
    const { input, target } = data as { input: CSR; target?: CSR };
    if (target && (target.rows !== input.rows || target.cols !== input.cols)) {
      throw new Error(`fitRows: target ${target.rows}×${target.cols} does not match input ${input.rows}×${input.cols}`);
    }
    return () => csrBatches(input, target, batchSize, shuffle);
  }
  const source = data as BatchSource & { reset?: () => void };
  return () => {
    if (typeof source.reset === 'function') source.reset();
    return source as Iterable<Batch | RowBatch> | AsyncIterable<Batch | RowBatch>;
  };
}

function snapshot(model: Trainable): Map<string, Float32Array | Float64Array | Int32Array> {
  return new Map([...model.stateDict()].map(([k, t]) => [k, t.dataSync()]));
}

export async function fitRows(model: Trainable & RankingScorer, data: RowData, opts: FitRowsOptions = {}): Promise<FitRowsHistory> {
  if (opts.keepBest && !opts.evalSplit) throw new Error(`fitRows: keepBest '${opts.keepBest}' needs an evalSplit to measure it on`);
  const epochs = opts.epochs ?? 1;
  const batchSize = opts.batchSize ?? 500;
  const log = opts.verbose === false ? () => {} : opts.log ?? ((line: string) => console.log(line));
  const every = opts.batchEndEvery ?? 50;
  const optimizer = makeOptimizer(opts.optimizer ?? { name: 'adam', lr: 1e-3 }, model.parameters());
  const ctx: FitContext = { optimizer, stop: false, log };
  const callbacks = opts.callbacks ?? [];
  const batches = batchSource(data, batchSize, opts.shuffle ?? true);
  const bar = new ProgressBar(opts.progress === false ? null : undefined);
  const history: FitRowsHistory = { epochs: [], optimizer, bestEpoch: -1, stoppedEarly: false };
  let best = -Infinity;
  let bestState: Map<string, Float32Array | Float64Array | Int32Array> | null = null;
  let batchesPerEpoch: number | null = null;
  const amp = opts.amp ? new MixedPrecision(model, optimizer, typeof opts.amp === 'object' ? opts.amp : {}) : null;

  for (let epoch = 0; epoch < epochs && !ctx.stop; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
    model.train();
    const start = performance.now();
    let windowStart = start;
    let windowSamples = 0;
    let windowLoss = 0;
    let windowBatches = 0;
    let samples = 0;
    let lossSum = 0;
    let batchIndex = 0;
    for await (const item of batches() as AsyncIterable<Batch | RowBatch>) {
      const batch = asBatch(item);
      const lossValue = tidy(() => {
        const pred = amp ? amp.forward(batch) : model.forwardBatch(batch);
        const loss: Tensor = model.computeLoss(pred, batch);
        const v = loss.item();
        if (!Number.isFinite(v)) {
          throw new TrainingDivergedError(`fitRows: the loss of ${model.constructor.name} became ${v} at epoch ${epoch}, batch ${batchIndex}; ` +
            `lower the learning rate (now ${optimizer.lr}) or check the inputs`);
        }
        if (amp) amp.backwardAndStep(loss);
        else {
          loss.backward(undefined, { checkFinite: false });
          optimizer.step();
          optimizer.zeroGrad();
        }
        return v;
      });
      const n = batch.size ?? 0;
      samples += n;
      windowSamples += n;
      lossSum += lossValue;
      windowLoss += lossValue;
      windowBatches++;
      batchIndex++;
      for (const cb of callbacks) await cb.onBatchEnd?.(batchIndex, { loss: lossValue, samples: n }, ctx);
      const now = performance.now();
      const speed = (windowSamples / (now - windowStart)) * 1000;
      bar.update(`Epoch[${epoch}]`, batchIndex, batchesPerEpoch, `${speed.toFixed(0)} samples/sec`);
      if (every > 0 && batchIndex % every === 0) {
        bar.clear();
        log(`Epoch[${epoch}] Batch [${batchIndex}] Speed: ${speed.toFixed(2)} samples/sec loss=${(windowLoss / windowBatches).toFixed(4)}`);
        windowStart = now;
        windowSamples = 0;
        windowLoss = 0;
        windowBatches = 0;
      }
    }
    bar.clear();
    batchesPerEpoch = batchIndex;
    const timeSec = (performance.now() - start) / 1000;
    const values: Record<string, number> = { loss: lossSum / Math.max(batchIndex, 1) };
    log(`Epoch[${epoch}] Train-loss=${values.loss.toFixed(4)}`);
    log(`Epoch[${epoch}] Time cost=${timeSec.toFixed(3)}`);
    if (amp) log(`Epoch[${epoch}] ${amp.report()}`);
    if (opts.evalSplit) {
      const r = evaluateRanking(model, opts.evalSplit, opts.evalOptions);
      for (const [k, v] of Object.entries(r.metrics)) {
        values[`val-${k}`] = v;
        log(`Epoch[${epoch}] Validation-${k}=${v.toFixed(6)}`);
      }
      if (opts.keepBest) {
        const v = r.metrics[opts.keepBest];
        if (v === undefined) throw new Error(`fitRows: keepBest '${opts.keepBest}' is not among the validation metrics (${Object.keys(r.metrics).join(', ')})`);
        if (v > best) {
          best = v;
          history.bestEpoch = epoch;
          bestState = snapshot(model);
        }
      }
    }
    const logs: EpochLogs = { epoch, values, timeSec, samplesPerSec: samples / timeSec };
    history.epochs.push(logs);
    for (const cb of callbacks) await cb.onEpochEnd?.(logs, ctx);
  }
  if (bestState) {
    model.loadStateDict(bestState);
    log(`fitRows: restored the weights of epoch ${history.bestEpoch} (${opts.keepBest}=${best.toFixed(6)})`);
  } else {
    history.bestEpoch = history.epochs.length - 1;
  }
  history.stoppedEarly = ctx.stop;
  return history;
}
