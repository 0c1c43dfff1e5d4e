/**
 * The CLI's checkpoint policy: the file at `--out` always holds the **best** epoch so far by
 * the validation metric, never a worse one. After each epoch the callback compares the
 * monitored value with the best before it: better → save (temp file + rename) and say so;
 * not better → say which epoch the file still holds. fit's `keepBest` restores the same
 * epoch's weights in memory at the end, so `--test` scores what was saved.
 */
import * as sg from '../index.js';
import { print } from './format.js';

export interface BestCheckpointOptions {
  /** the epoch value to watch, e.g. 'val-rmse' or 'val-ndcg@100' */
  monitor: string;
  mode: 'min' | 'max';
  /** writes the checkpoint (the model and whatever else the command saves with it) */
  save: (ctx: sg.train.FitContext, epoch: number) => void;
  out: string;
}

export class BestCheckpoint implements sg.train.Callback {
  best = NaN;
  bestEpoch = -1;

  constructor(readonly opts: BestCheckpointOptions) {}

  /** For train --resume: which epoch the file holds (models/train/resume.ts saves it with the run). */
  state(): { best: number | null; bestEpoch: number } {
    return { best: Number.isFinite(this.best) ? this.best : null, bestEpoch: this.bestEpoch };
  }

  restore(s: unknown): void {
    const v = s as { best?: unknown; bestEpoch?: unknown };
    if (!(Number.isSafeInteger(v?.bestEpoch) && (v.best === null || typeof v.best === 'number'))) throw new Error('BestCheckpoint: invalid saved state');
    this.best = v.best === null ? NaN : (v.best as number);
    this.bestEpoch = v.bestEpoch as number;
  }

  /** The metric's name as the log lines print it (val-rmse → Validation-rmse). */
  get label(): string {
    return this.opts.monitor.replace(/^val-/, 'Validation-');
  }

  onEpochEnd(logs: sg.train.EpochLogs, ctx: sg.train.FitContext): void {
    const v = logs.values[this.opts.monitor];
    if (v === undefined) throw new Error(`BestCheckpoint: no '${this.opts.monitor}' in the epoch values (${Object.keys(logs.values).join(', ')})`);
    const better = this.bestEpoch < 0 || (this.opts.mode === 'min' ? v < this.best : v > this.best);
    if (better) {
      this.best = v;
      this.bestEpoch = logs.epoch;
      this.opts.save(ctx, logs.epoch);
      print(`Epoch[${logs.epoch}] Saved ${this.opts.out} (best so far: ${this.label}=${v.toFixed(6)})`);
    } else {
      print(`Epoch[${logs.epoch}] ${this.label}=${v.toFixed(6)} is not better than epoch ${this.bestEpoch}'s ${this.best.toFixed(6)}: ${this.opts.out} keeps epoch ${this.bestEpoch}`);
    }
  }

  /** What a diverged or finished run says about the file. */
  kept(): string {
    return this.bestEpoch >= 0
      ? `the best checkpoint (epoch ${this.bestEpoch}, ${this.label}=${this.best.toFixed(6)}) is kept in ${this.opts.out}`
      : `no epoch completed, so ${this.opts.out} was not written (an earlier file there is left as it was)`;
  }
}
