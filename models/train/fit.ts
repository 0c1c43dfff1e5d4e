/**
 * fit: training of the models whose batches have dense labels (ratings, clicks): the shared
 * loop (loop.ts) with streaming metrics of the predictions (rmse, mae, accuracy) each batch
 * and the same metrics on `evalData` after each epoch. Also `evaluate` and `predict`, which
 * run a model over batches in evaluation mode without gradients.
 */
import { tidy, noGrad } from '../../core/engine.js';
import { makeMetric } from './metrics.js';
import type { Batch, BatchSource, Trainable } from './types.js';
import { mse } from '../../ops/losses.js';
import { tensor } from '../../ops/creation.js';
import { formatValue, logger, makeOptimizer, trainLoop, type LoopSettings, type TrainHistory } from './loop.js';
import type { LossFn } from './step.js';

export { TrainingDivergedError, makeOptimizer, type OptimizerSpec, type LoopSettings } from './loop.js';
export type { LossFn } from './step.js';

export interface FitOptions extends LoopSettings {
  /**
   * The training loss: the model's own (the default), 'mse' against the batch's dense
   * labels, or a function of the predictions and the batch.
   */
  loss?: 'mse' | LossFn;
  metrics?: string[];
  evalData?: BatchSource;
  /**
   * keep the weights of the epoch with the best value of this validation metric ('rmse',
   * 'accuracy', or one a callback adds, e.g. RankingCallback's 'ndcg@10'); lower is better
   * for errors, higher for the rest
   */
  keepBest?: string;
  /** with keepBest: stop after this many epochs without a better validation value (default 0: never) */
  patience?: number;
}

/** What fit returns (the loop's history: epochs, optimizer, amp state, stoppedEarly, bestEpoch). */
export type FitHistory = TrainHistory;

export const LOSS_NAMES = ['mse'] as const;

function makeLoss(spec: FitOptions['loss']): LossFn | undefined {
  if (spec === undefined) return undefined;
  if (typeof spec === 'function') return spec;
  if (spec === 'mse') return (pred, batch) => mse(pred, tensor(labelValues(batch), [pred.size]));
  throw new Error(`fit: unknown loss '${String(spec)}' (valid: ${LOSS_NAMES.join(', ')}, or a function (pred, batch) => Tensor)`);
}

async function* batchesOf(source: BatchSource): AsyncGenerator<Batch> {
  const resettable = source as { reset?: () => void };
  if (typeof resettable.reset === 'function') resettable.reset();
  if (Symbol.asyncIterator in (source as object)) {
    for await (const b of source as AsyncIterable<Batch>) yield b;
  } else {
    for (const b of source as Iterable<Batch>) yield b;
  }
}

function labelValues(batch: Batch): Float32Array {
  if (!(batch.label instanceof Float32Array)) throw new Error('fit: this model needs dense Float32Array labels in each batch');
  return batch.label;
}

/** Runs the model over `data` without gradients; returns metric values and predictions. */
export async function evaluate(model: Trainable, data: BatchSource, metricNames: string[] = ['rmse']): Promise<Record<string, number>> {
  const metrics = metricNames.map(makeMetric);
  const wasTraining = model.training;
  model.eval();
  try {
    for await (const batch of batchesOf(data)) {
      const values = noGrad(() => tidy(() => model.predictionValues(model.forwardBatch(batch))));
      const n = batch.size ?? values.length;
      for (const m of metrics) m.update(values, labelValues(batch), n);
    }
  } finally {
    model.train(wasTraining);
  }
  return Object.fromEntries(metrics.map((m) => [m.name, m.value()]));
}

/** Predictions for every real row of every batch, concatenated. */
export async function predict(model: Trainable, data: BatchSource): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    for await (const batch of batchesOf(data)) {
      const values = noGrad(() => tidy(() => model.predictionValues(model.forwardBatch(batch))));
      parts.push(values.subarray(0, batch.size ?? values.length));
    }
  } finally {
    model.train(wasTraining);
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Metrics where higher is better (everything else is an error: lower is better). */
const HIGHER_IS_BETTER = /^(accuracy|recall|precision|ndcg|map|hit|auc)/;

export async function fit(model: Trainable, data: BatchSource, opts: FitOptions = {}): Promise<FitHistory> {
  if (opts.keepBest && !opts.evalData && !opts.callbacks?.length) {
    throw new Error(`fit: keepBest '${opts.keepBest}' needs evalData (or a callback that adds validation values) to measure it on`);
  }
  if (opts.patience && !opts.keepBest) throw new Error(`fit: patience ${opts.patience} needs keepBest (the validation metric to watch)`);
  const metricNames = opts.metrics ?? ['rmse'];
  const log = logger(opts);
  return trainLoop(model, {
    caller: 'fit',
    epochs: opts.epochs ?? 1,
    optimizer: makeOptimizer(opts.optimizer, model.parameters()),
    batches: () => batchesOf(data),
    numBatches: (data as { numBatches?: number }).numBatches,
    callbacks: opts.callbacks,
    log,
    batchEndEvery: opts.batchEndEvery ?? 250,
    progress: opts.progress,
    amp: opts.amp,
    loss: makeLoss(opts.loss),
    metrics: metricNames,
    labels: labelValues,
    validate: opts.evalData && (async (epoch, values) => {
      for (const [k, v] of Object.entries(await evaluate(model, opts.evalData!, metricNames))) {
        values[`val-${k}`] = v;
        log(`Epoch[${epoch}] Validation-${k}=${formatValue(v)}`);
      }
    }),
    keepBest: opts.keepBest
      ? { monitor: `val-${opts.keepBest}`, mode: HIGHER_IS_BETTER.test(opts.keepBest) ? 'max' : 'min', label: opts.keepBest, patience: opts.patience }
      : undefined,
    divergence: opts.divergence,
    resume: opts.resume,
    ema: opts.ema,
    source: data,
  });
}
