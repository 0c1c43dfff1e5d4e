/** Callbacks for `fit`: early stopping, learning-rate schedules, checkpoints, custom hooks. */
import type { Optimizer } from '../optim/optimizer.js';

export interface EpochLogs {
  epoch: number;
  /** metric name → value, e.g. {'train-rmse': 0.9, 'val-rmse': 0.95, loss: 0.8} */
  values: Record<string, number>;
  timeSec: number;
  samplesPerSec: number;
}

/** What a `Batch [n]` log line reports (every `batchEndEvery` batches). */
export interface BatchReport {
  epoch: number;
  /** batches done in this epoch */
  batch: number;
  /** batches per epoch (null during the first epoch, when the source does not say) */
  batches: number | null;
  /** the metrics (and loss) over the batches since the previous report */
  values: Record<string, number>;
  /** over the same batches, the run's first (warm-up) batch left out */
  samplesPerSec: number;
}

export interface FitContext {
  optimizer: Optimizer;
  /** set to true to end training after this epoch */
  stop: boolean;
  log: (line: string) => void;
  /**
   * What a checkpoint needs to resume this run after the current epoch (resume.ts): save it
   * with `sg.save(model, path, {optimizer, training: ctx.trainingState()})`. Callbacks after
   * the one calling it have not run yet for this epoch, so checkpoint in the last callback.
   */
  trainingState?: () => unknown;
}

export interface Callback {
  onEpochBegin?(epoch: number, ctx: FitContext): void | Promise<void>;
  onBatchEnd?(batch: number, logs: { loss: number; samples: number }, ctx: FitContext): void | Promise<void>;
  /** called with each `Batch [n]` report (the metrics log writes them) */
  onBatchReport?(report: BatchReport, ctx: FitContext): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs, ctx: FitContext): void | Promise<void>;
}

/** Stops when `monitor` has not improved by `minDelta` for `patience` epochs. */
export class EarlyStopping implements Callback {
  private best = Infinity;
  private wait = 0;
  bestEpoch = -1;

  /** for resumed runs (resume.ts) */
  state(): { best: number | null; wait: number; bestEpoch: number } {
    return { best: Number.isFinite(this.best) ? this.best : null, wait: this.wait, bestEpoch: this.bestEpoch };
  }

  restore(s: unknown): void {
    const v = s as { best?: unknown; wait?: unknown; bestEpoch?: unknown };
    if (!(Number.isSafeInteger(v?.wait) && Number.isSafeInteger(v?.bestEpoch) && (v.best === null || typeof v.best === 'number'))) {
      throw new Error(`EarlyStopping: invalid saved state ${JSON.stringify(s)?.slice(0, 200)}`);
    }
    this.best = v.best === null ? Infinity : (v.best as number);
    this.wait = v.wait as number;
    this.bestEpoch = v.bestEpoch as number;
  }

  constructor(readonly opts: { monitor?: string; patience?: number; minDelta?: number; mode?: 'min' | 'max' } = {}) {}

  onEpochEnd(logs: EpochLogs, ctx: FitContext): void {
    const key = this.opts.monitor ?? 'val-rmse';
    const raw = logs.values[key];
    if (raw === undefined) throw new Error(`EarlyStopping: no value '${key}' in the epoch logs (have: ${Object.keys(logs.values).join(', ')})`);
    const v = this.opts.mode === 'max' ? -raw : raw;
    if (v < this.best - (this.opts.minDelta ?? 0)) {
      this.best = v;
      this.bestEpoch = logs.epoch;
      this.wait = 0;
    } else if (++this.wait >= (this.opts.patience ?? 2)) {
      ctx.log(`Early stopping at epoch ${logs.epoch}: ${key} has not improved since epoch ${this.bestEpoch}`);
      ctx.stop = true;
    }
  }
}

/** Sets the learning rate at the start of each epoch from `schedule(epoch, initialLr)`. */
export class LearningRateSchedule implements Callback {
  private initial: number | null = null;
  constructor(readonly schedule: (epoch: number, initialLr: number) => number) {}

  /** for resumed runs (resume.ts): the base rate the schedule scales */
  state(): { initial: number | null } {
    return { initial: this.initial };
  }

  restore(s: unknown): void {
    const v = (s as { initial?: unknown })?.initial;
    if (!(v === null || (typeof v === 'number' && v > 0))) throw new Error(`LearningRateSchedule: invalid saved state ${JSON.stringify(s)?.slice(0, 200)}`);
    this.initial = v;
  }

  onEpochBegin(epoch: number, ctx: FitContext): void {
    if (this.initial === null) this.initial = ctx.optimizer.lr;
    const lr = this.schedule(epoch, this.initial);
    if (!(lr > 0)) throw new Error(`LearningRateSchedule: schedule returned ${lr} for epoch ${epoch}`);
    ctx.optimizer.lr = lr;
  }
}

/** Step decay: lr · factor^floor(epoch / every). */
export const stepDecay = (factor: number, every: number) => (epoch: number, lr: number) => lr * Math.pow(factor, Math.floor(epoch / every));
