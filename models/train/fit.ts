/**
 * The training loop. For each batch: forward, loss, backward, optimizer step, all inside
 * `tidy` so memory stays flat; metrics from the batch's predictions; MXNet-style log lines
 *   Epoch[0] Batch [250] Speed: 145962.10 samples/sec rmse=1.51
 *   Epoch[0] Train-rmse=1.23
 *   Epoch[0] Time cost=12.345
 *   Epoch[0] Validation-rmse=0.95
 * and a progress bar on a TTY. A NaN/inf loss stops training with the epoch, the batch
 * and a hint, instead of silently training on garbage.
 */
import { tidy, noGrad } from '../../core/engine.js';
import type { Tensor } from '../../core/tensor.js';
import { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Adam } from '../optim/adam.js';
import { AdaGrad } from '../optim/adagrad.js';
import { makeMetric, type Metric } from './metrics.js';
import { ProgressBar } from './progress.js';
import type { Callback, EpochLogs, FitContext } from './callbacks.js';
import type { Batch, BatchSource, Trainable } from './types.js';
import { MixedPrecision, type LossScalerOptions } from '../optim/amp.js';
import { mse } from '../../ops/losses.js';
import { tensor } from '../../ops/creation.js';

export interface OptimizerSpec {
  name: 'sgd' | 'adam' | 'adagrad';
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  lazy?: boolean;
}

export interface FitOptions {
  epochs?: number;
  optimizer?: Optimizer | OptimizerSpec | 'sgd' | 'adam' | 'adagrad';
  /**
   * The training loss: the model's own (`model.computeLoss`, the default), 'mse' against the
   * batch's dense labels, or a function of the predictions and the batch.
   */
  loss?: 'mse' | LossFn;
  metrics?: string[];
  evalData?: BatchSource;
  callbacks?: Callback[];
  /** log a Batch line every N batches (default 250, 0 = never) */
  batchEndEvery?: number;
  /** where log lines go (default console.log); `verbose: false` silences them */
  log?: (line: string) => void;
  verbose?: boolean;
  /** progress bar on a TTY (default true) */
  progress?: boolean;
  /** mixed precision: float16 compute, float32 master weights, dynamic loss scaling */
  amp?: boolean | LossScalerOptions;
}

export interface FitHistory {
  epochs: EpochLogs[];
  amp?: MixedPrecision;
  optimizer: Optimizer;
  stoppedEarly: boolean;
}

export class TrainingDivergedError extends Error {}

export type LossFn = (pred: Tensor, batch: Batch) => Tensor;

export const LOSS_NAMES = ['mse'] as const;

function makeLoss(model: Trainable, spec: FitOptions['loss']): LossFn {
  if (spec === undefined) return (pred, batch) => model.computeLoss(pred, batch);
  if (typeof spec === 'function') return spec;
  if (spec === 'mse') return (pred, batch) => mse(pred, tensor(labelValues(batch), [pred.size]));
  throw new Error(`fit: unknown loss '${String(spec)}' (valid: ${LOSS_NAMES.join(', ')}, or a function (pred, batch) => Tensor)`);
}

export function makeOptimizer(spec: FitOptions['optimizer'], params: Tensor[]): Optimizer {
  if (spec instanceof Optimizer) return spec;
  const s: OptimizerSpec = typeof spec === 'string' ? { name: spec } : spec ?? { name: 'adam' };
  switch (s.name) {
    case 'sgd': return new SGD(params, s);
    case 'adam': return new Adam(params, s);
    case 'adagrad': return new AdaGrad(params, s);
    default: throw new Error(`unknown optimizer '${(s as { name: string }).name}' (valid: sgd, adam, adagrad)`);
  }
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

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(6).replace(/\.?0+$/, '') || '0' : String(v));

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

export async function fit(model: Trainable, data: BatchSource, opts: FitOptions = {}): Promise<FitHistory> {
  const epochs = opts.epochs ?? 1;
  const metricNames = opts.metrics ?? ['rmse'];
  const log = opts.verbose === false ? () => {} : opts.log ?? ((line: string) => console.log(line));
  const every = opts.batchEndEvery ?? 250;
  const optimizer = makeOptimizer(opts.optimizer, model.parameters());
  const lossOf = makeLoss(model, opts.loss);
  const ctx: FitContext = { optimizer, stop: false, log };
  const callbacks = opts.callbacks ?? [];
  const bar = new ProgressBar(opts.progress === false ? null : undefined);
  const history: FitHistory = { epochs: [], optimizer, stoppedEarly: false };
  const amp = opts.amp ? new MixedPrecision(model, optimizer, typeof opts.amp === 'object' ? opts.amp : {}) : null;
  let batchesPerEpoch: number | null = null;

  for (let epoch = 0; epoch < epochs && !ctx.stop; epoch++) {
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
    model.train();
    const metrics: Metric[] = metricNames.map(makeMetric);
    const windowMetrics: Metric[] = metricNames.map(makeMetric);
    const start = performance.now();
    let windowStart = start;
    let windowSamples = 0;
    let samples = 0;
    let batchIndex = 0;
    let lossSum = 0;
    for await (const batch of batchesOf(data)) {
      const result = tidy(() => {
        const pred = amp ? amp.forward(batch) : model.forwardBatch(batch);
        const loss = lossOf(pred, batch);
        const lossValue = loss.item();
        if (!Number.isFinite(lossValue)) {
          throw new TrainingDivergedError(`fit: the loss became ${lossValue} at epoch ${epoch}, batch ${batchIndex}; ` +
            `lower the learning rate (now ${optimizer.lr}) or check the inputs for NaN/inf`);
        }
        if (amp) amp.backwardAndStep(loss);
        else {
          loss.backward(undefined, { checkFinite: false }); // checked just above
          optimizer.step();
          optimizer.zeroGrad();
        }
        return { lossValue, values: model.predictionValues(pred) };
      });
      const n = batch.size ?? result.values.length;
      const labels = labelValues(batch);
      for (const m of metrics) m.update(result.values, labels, n);
      for (const m of windowMetrics) m.update(result.values, labels, n);
      samples += n;
      windowSamples += n;
      lossSum += result.lossValue;
      batchIndex++;
      for (const cb of callbacks) await cb.onBatchEnd?.(batchIndex, { loss: result.lossValue, samples: n }, ctx);
      const now = performance.now();
      const speed = (windowSamples / (now - windowStart)) * 1000;
      bar.update(`Epoch[${epoch}]`, batchIndex, batchesPerEpoch, `${speed.toFixed(0)} samples/sec`);
      if (every > 0 && batchIndex % every === 0) {
        bar.clear();
        const mtxt = windowMetrics.map((m) => `${m.name}=${fmt(m.value())}`).join(' ');
        log(`Epoch[${epoch}] Batch [${batchIndex}] Speed: ${speed.toFixed(2)} samples/sec ${mtxt}`);
        windowMetrics.forEach((m) => m.reset());
        windowStart = now;
        windowSamples = 0;
      }
    }
    bar.clear();
    batchesPerEpoch = batchIndex;
    const timeSec = (performance.now() - start) / 1000;
    const values: Record<string, number> = { loss: lossSum / Math.max(batchIndex, 1) };
    for (const m of metrics) {
      values[`train-${m.name}`] = m.value();
      log(`Epoch[${epoch}] Train-${m.name}=${fmt(m.value())}`);
    }
    log(`Epoch[${epoch}] Time cost=${timeSec.toFixed(3)}`);
    if (amp) {
      log(`Epoch[${epoch}] ${amp.report()}`);
      values['amp-scale'] = amp.scaler.scale;
      values['amp-skipped'] = amp.scaler.skipped;
    }
    if (opts.evalData) {
      const val = await evaluate(model, opts.evalData, metricNames);
      for (const [k, v] of Object.entries(val)) {
        values[`val-${k}`] = v;
        log(`Epoch[${epoch}] Validation-${k}=${fmt(v)}`);
      }
    }
    const logs: EpochLogs = { epoch, values, timeSec, samplesPerSec: samples / timeSec };
    history.epochs.push(logs);
    for (const cb of callbacks) await cb.onEpochEnd?.(logs, ctx);
  }
  history.stoppedEarly = ctx.stop;
  if (amp) history.amp = amp;
  return history;
}
