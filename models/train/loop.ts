/**
 * The training loop `fit` and `fitRows` share: epochs of steps (step.ts), callbacks, speed
 * windows, the progress bar, MXNet-style log lines, an epoch report, validation and
 * keep-best. The two entry points differ only in what they hand it: where the batches come
 * from, what to measure on the training predictions (fit: rmse and friends against dense
 * labels; fitRows: nothing but the loss) and how to validate (fit: the same metrics on
 * evalData; fitRows: ranking metrics on held-out users).
 *
 *   Epoch[0] Batch [250] Speed: 145962.10 samples/sec rmse=1.51     every `batchEndEvery` batches
 *   Epoch[0] Train-rmse=1.23
 *   Epoch[0] Time cost=12.345
 *   Epoch[0] Validation-rmse=0.95
 *
 * A NaN/inf loss stops training with the epoch, the batch and a hint, before that step's
 * gradients are applied, instead of silently training on garbage.
 */
import { MixedPrecision, type LossScalerOptions } from '../optim/amp.js';
import { Optimizer } from '../optim/optimizer.js';
import { SGD } from '../optim/sgd.js';
import { Adam } from '../optim/adam.js';
import { AdaGrad } from '../optim/adagrad.js';
import type { Tensor } from '../../core/tensor.js';
import { CSR } from '../../core/csr.js';
import { makeMetric, type Metric } from './metrics.js';
import { ProgressBar } from './progress.js';
import { trainStep, type LossFn } from './step.js';
import type { Callback, EpochLogs, FitContext } from './callbacks.js';
import type { Batch, Trainable } from './types.js';
import { DivergenceGuard, type DivergenceOptions } from './divergence.js';
import { applyState, captureState } from './resume.js';
import { registeredName } from '../registry.js';
import { WeightAverage } from './ema.js';

/** Thrown when the loss becomes NaN or ±Infinity; the message names the epoch, the batch and the learning rate. */
export class TrainingDivergedError extends Error {}

export interface OptimizerSpec {
  name: 'sgd' | 'adam' | 'adagrad';
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  lazy?: boolean;
}

/** Options of the loop itself, shared by fit and fitRows. */
export interface LoopSettings {
  epochs?: number;
  optimizer?: Optimizer | OptimizerSpec | 'sgd' | 'adam' | 'adagrad';
  callbacks?: Callback[];
  /** log a Batch line every N batches (fit's default 250, fitRows' 50; 0 = never) */
  batchEndEvery?: number;
  /** where log lines go (default console.log); `verbose: false` silences them */
  log?: (line: string) => void;
  verbose?: boolean;
  /** progress bar on a TTY (default true) */
  progress?: boolean;
  /** mixed precision: float16 compute, float32 master weights, dynamic loss scaling */
  amp?: boolean | LossScalerOptions;
  /** the loss-explosion guard (divergence.ts; default on, 10×), or false */
  divergence?: false | DivergenceOptions;
  /**
   * continue a run from a checkpoint: the loaded model's `trainingState` (with its
   * `restoredOptimizer` as the optimizer, the same seed and the same data); `epochs` counts
   * the epochs of the whole run (resume.ts)
   */
  resume?: unknown;
  /**
   * weight averaging: validate, checkpoint, keep and hand back an exponential moving average
   * of the weights with this decay per applied update (e.g. 0.99), bias-corrected (ema.ts)
   */
  ema?: number;
}

/** The optimizer of the options: an instance, a name or a spec (default Adam). */
export function makeOptimizer(spec: LoopSettings['optimizer'], params: Tensor[]): Optimizer {
  if (spec instanceof Optimizer) return spec;
  const s: OptimizerSpec = typeof spec === 'string' ? { name: spec } : spec ?? { name: 'adam' };
  switch (s.name) {
    case 'sgd': return new SGD(params, s);
    case 'adam': return new Adam(params, s);
    case 'adagrad': return new AdaGrad(params, s);
    default: throw new Error(`unknown optimizer '${(s as { name: string }).name}' (valid: sgd, adam, adagrad)`);
  }
}

/** The log function of the options: `log`, console.log, or nothing with `verbose: false`. */
export function logger(opts: LoopSettings): (line: string) => void {
  return opts.verbose === false ? () => {} : opts.log ?? ((line: string) => console.log(line));
}

/** Which epoch's weights to keep: the best value of `monitor` in the epoch logs. */
export interface KeepBest {
  /** an epoch value, e.g. 'val-ndcg@100' or 'val-rmse' */
  monitor: string;
  mode: 'min' | 'max';
  /** how the caller's option named it (for messages; default: monitor) */
  label?: string;
  /** early stopping: end the run after this many epochs without a new best (0 or absent: never) */
  patience?: number;
}

/** What fit or fitRows hands the loop (their options resolved). */
export interface LoopSpec {
  /** 'fit' or 'fitRows': how messages start */
  caller: string;
  epochs: number;
  optimizer: Optimizer;
  /** the batches of one epoch (called once per epoch) */
  batches: () => Iterable<Batch> | AsyncIterable<Batch>;
  /** batches per epoch when the source knows (the progress bar's n/N before an epoch has ended) */
  numBatches?: number;
  callbacks?: Callback[];
  log: (line: string) => void;
  /** a Batch [n] line every this many batches (0 = never) */
  batchEndEvery: number;
  progress?: boolean;
  amp?: boolean | LossScalerOptions;
  /** replaces the model's own loss */
  loss?: LossFn;
  /** streaming metrics of the training predictions against `labels(batch)` */
  metrics?: string[];
  labels?: (batch: Batch) => ArrayLike<number>;
  /** the Batch and Train lines report the mean loss (for models without label metrics) */
  reportLoss?: boolean;
  /** after each epoch's training: adds `val-…` values (and logs them) */
  validate?: (epoch: number, values: Record<string, number>) => void | Promise<void>;
  keepBest?: KeepBest;
  divergence?: false | DivergenceOptions;
  resume?: unknown;
  /** the data source, whose state()/restore() (when it has them) a checkpoint carries */
  source?: unknown;
  /** weight averaging's decay per update (LoopSettings.ema) */
  ema?: number;
}

export interface TrainHistory {
  epochs: EpochLogs[];
  optimizer: Optimizer;
  /** the mixed-precision state (loss scale, skipped steps) when `amp` was on */
  amp?: MixedPrecision;
  stoppedEarly: boolean;
  /** the epoch whose weights the model holds at the end (the last one without keepBest) */
  bestEpoch: number;
}

/** Numbers in log lines: up to 6 decimals, trailing zeros dropped. */
export const formatValue = (v: number) => (Number.isFinite(v) ? v.toFixed(6).replace(/\.?0+$/, '') || '0' : String(v));

/** A running mean of the batches' losses (what fitRows reports). */
class MeanLoss {
  private sum = 0;
  private n = 0;
  add(v: number): void { this.sum += v; this.n++; }
  value(): number { return this.sum / Math.max(this.n, 1); }
  reset(): void { this.sum = 0; this.n = 0; }
}

/** Rows in a batch: its `size`, else the predictions' count, else its first input's rows. */
function rowsOf(batch: Batch, values: Float32Array | null): number {
  if (batch.size !== undefined) return batch.size;
  if (values) return values.length;
  const first = Object.values(batch.inputs)[0];
  return first instanceof CSR ? first.rows : first?.length ?? 0;
}

/** The name a model goes by in messages: its registered name. */
export function modelName(model: Trainable): string {
  return registeredName(model);
}

type WeightSnapshot = Map<string, Float32Array | Float64Array | Int32Array>;
const snapshot = (model: Trainable): WeightSnapshot => new Map([...model.stateDict()].map(([k, t]) => [k, t.dataSync()]));

export async function trainLoop(model: Trainable, o: LoopSpec): Promise<TrainHistory> {
  const { optimizer, log, caller } = o;
  const callbacks = o.callbacks ?? [];
  const metricNames = o.metrics ?? [];
  const ctx: FitContext = { optimizer, stop: false, log };
  const bar = new ProgressBar(o.progress === false ? null : undefined);
  const amp = o.amp ? new MixedPrecision(model, optimizer, typeof o.amp === 'object' ? o.amp : {}) : null;
  const history: TrainHistory = { epochs: [], optimizer, stoppedEarly: false, bestEpoch: -1 };
  if (amp) history.amp = amp;
  let best = o.keepBest?.mode === 'min' ? Infinity : -Infinity;
  let bestState: WeightSnapshot | null = null;
  let batchesPerEpoch: number | null = o.numBatches ?? null;
  const guard = o.divergence === false ? null : new DivergenceGuard(o.divergence ?? {});
  const ema = o.ema === undefined ? null : new WeightAverage(optimizer, o.ema);
  const parts = { source: o.source, guard, callbacks, ema };
  let first = 0;
  if (o.resume !== undefined) {
    const r = applyState(o.resume, parts, caller, o.epochs);
    first = r.epoch;
    if (r.best) { best = r.best.value; history.bestEpoch = r.best.epoch; }
    log(`${caller}: resuming at epoch ${first}`);
  }
  let current: Record<string, number> = {};
  let currentEpoch = first - 1;
  // for a checkpoint written in onEpochEnd: this epoch's keepBest candidate counts already
  ctx.trainingState = () => {
    let b = Number.isFinite(best) ? { value: best, epoch: history.bestEpoch } : null;
    const v = o.keepBest ? current[o.keepBest.monitor] : undefined;
    if (v !== undefined && (o.keepBest!.mode === 'max' ? v > best : v < best)) b = { value: v, epoch: currentEpoch };
    return captureState(currentEpoch, parts, b);
  };

  for (let epoch = first; epoch < o.epochs && !ctx.stop; epoch++) {
    // the average was in the model since the last validation: training resumes with the training weights
    ema?.swapOut();
    for (const cb of callbacks) await cb.onEpochBegin?.(epoch, ctx);
    model.train();
    const metrics: Metric[] = metricNames.map(makeMetric);
    const windowMetrics: Metric[] = metricNames.map(makeMetric);
    const epochLoss = new MeanLoss();
    const windowLoss = new MeanLoss();
    const start = performance.now();
    let windowStart = start;
    let windowSamples = 0;
    let samples = 0;
    let batchIndex = 0;
    bar.start(`Epoch[${epoch}]`, batchesPerEpoch, start);
    const running = () => ({ loss: epochLoss.value(), ...Object.fromEntries(metrics.map((m) => [m.name, m.value()])) });
    for await (const batch of o.batches() as AsyncIterable<Batch>) {
      const result = trainStep(model, batch, {
        optimizer, amp, loss: o.loss, predictions: metrics.length > 0,
        diverged: (v) => new TrainingDivergedError(`${caller}: the ${modelName(model)} loss became ${v} at epoch ${epoch}, batch ${batchIndex}; ` +
          `lower the learning rate (now ${optimizer.lr}) or check the inputs for NaN/inf`),
        guard: guard ? (v) => {
          const why = guard.check(v, `epoch ${epoch}, batch ${batchIndex}`);
          return why ? new TrainingDivergedError(`${caller}: ${why}, at epoch ${epoch}, batch ${batchIndex} (that step was not applied); ` +
            `lower the learning rate (now ${optimizer.lr})`) : null;
        } : undefined,
      });
      if (ema && result.applied) ema.update();
      const n = rowsOf(batch, result.values);
      if (result.values) {
        const labels = o.labels!(batch);
        for (const m of metrics) m.update(result.values, labels, n);
        for (const m of windowMetrics) m.update(result.values, labels, n);
      }
      epochLoss.add(result.loss);
      windowLoss.add(result.loss);
      samples += n;
      windowSamples += n;
      batchIndex++;
      for (const cb of callbacks) await cb.onBatchEnd?.(batchIndex, { loss: result.loss, samples: n }, ctx);
      const now = performance.now();
      bar.step(n, running, now);
      // the run's first batch compiles kernels and grows buffers: the speed starts after it
      if (epoch === 0 && batchIndex === 1 && o.batchEndEvery !== 1) { windowStart = now; windowSamples = 0; }
      if (o.batchEndEvery > 0 && batchIndex % o.batchEndEvery === 0) {
        const speed = (windowSamples / (now - windowStart)) * 1000;
        bar.clear();
        const shown = windowMetrics.map((m) => `${m.name}=${formatValue(m.value())}`);
        if (o.reportLoss) shown.push(`loss=${windowLoss.value().toFixed(4)}`);
        log(`Epoch[${epoch}] Batch [${batchIndex}] Speed: ${speed.toFixed(2)} samples/sec ${shown.join(' ')}`);
        const report = {
          epoch, batch: batchIndex, batches: batchesPerEpoch, samplesPerSec: speed,
          values: { loss: windowLoss.value(), ...Object.fromEntries(windowMetrics.map((m) => [m.name, m.value()])) },
        };
        for (const cb of callbacks) await cb.onBatchReport?.(report, ctx);
        windowMetrics.forEach((m) => m.reset());
        windowLoss.reset();
        windowStart = now;
        windowSamples = 0;
      }
    }
    bar.finish();
    batchesPerEpoch = batchIndex;
    const timeSec = (performance.now() - start) / 1000;

    // the epoch report
    const values: Record<string, number> = { loss: epochLoss.value() };
    if (o.reportLoss) log(`Epoch[${epoch}] Train-loss=${values.loss.toFixed(4)}`);
    for (const m of metrics) {
      values[`train-${m.name}`] = m.value();
      log(`Epoch[${epoch}] Train-${m.name}=${formatValue(m.value())}`);
    }
    log(`Epoch[${epoch}] Time cost=${timeSec.toFixed(3)}`);
    if (amp) {
      log(`Epoch[${epoch}] ${amp.report()}`);
      values['amp-scale'] = amp.scaler.scale;
      values['amp-skipped'] = amp.scaler.skipped;
    }
    // validation, callbacks (checkpoints) and keep-best see the averaged weights
    ema?.swapIn();
    if (o.validate) await o.validate(epoch, values);
    current = values;
    currentEpoch = epoch;
    const logs: EpochLogs = { epoch, values, timeSec, samplesPerSec: samples / timeSec };
    history.epochs.push(logs);
    for (const cb of callbacks) await cb.onEpochEnd?.(logs, ctx);
    if (o.keepBest) {
      const { monitor, mode, label = monitor } = o.keepBest;
      const v = values[monitor];
      if (v === undefined) {
        throw new Error(`${caller}: keepBest '${label}' is not among the validation metrics (${Object.keys(values).join(', ')})`);
      }
      if (mode === 'max' ? v > best : v < best) {
        best = v;
        bestState = snapshot(model);
        history.bestEpoch = epoch;
      }
      const patience = o.keepBest.patience ?? 0;
      if (patience > 0 && history.bestEpoch >= 0 && epoch - history.bestEpoch >= patience && !ctx.stop) {
        log(`${caller}: stopping early at epoch ${epoch}: ${label} has not improved for ${patience} epochs (best: epoch ${history.bestEpoch})`);
        ctx.stop = true;
      }
    }
  }
  // with ema the model holds the average of the last epoch here (or, just below, the best one's)
  if (bestState) {
    model.loadStateDict(bestState);
    log(`${caller}: restored the weights of epoch ${history.bestEpoch} (${o.keepBest!.label ?? o.keepBest!.monitor}=${best.toFixed(6)})`);
  } else {
    if (o.keepBest && first > 0 && history.bestEpoch >= 0 && history.bestEpoch < first) {
      log(`${caller}: the best epoch (${history.bestEpoch}) came before the resume; its weights are in the checkpoint that saved it, ` +
        `the model holds the last epoch's`);
    }
    history.bestEpoch = history.epochs.at(-1)?.epoch ?? first - 1;
  }
  history.stoppedEarly = ctx.stop;
  return history;
}
