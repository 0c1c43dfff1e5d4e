/**
 * The loss-explosion guard: stops a run whose loss has blown up, for every optimizer.
 *
 * A non-finite loss always stops (step.ts). That alone misses the common failure: Adam with
 * far too large a learning rate keeps every number finite while the loss climbs to 1e26 and
 * the validation RMSE to 1e13 — and a checkpoint written at the end of that epoch would
 * replace a good one. So the guard follows a smoothed loss (an exponential moving average
 * over about ten batches, so one bad batch does not trip it) and stops when it is both
 *
 *   - more than `factor` times (default 10×) the lowest smoothed loss so far, and
 *   - above the first batch's loss (where training started),
 *
 * i.e. the run is far worse than it has been and worse than doing nothing. The second
 * condition keeps a loss that has fallen near zero (1e-6 → 1e-4 is 100×) from tripping it.
 * Losses that can be negative are only checked for being finite.
 *
 * The check runs before the step's gradients are applied, so the weights are those of the
 * step before. It throws `TrainingDivergedError`; the CLI writes checkpoints only at the end
 * of a completed epoch, so a diverged run never replaces a better checkpoint.
 */

export interface DivergenceOptions {
  /** how many times its best the smoothed loss may grow (default 10) */
  factor?: number;
  /** weight of the newest batch in the moving average (default 0.1: about 10 batches) */
  smoothing?: number;
}

/** What a checkpoint keeps of the guard, so a resumed run is judged against the same best. */
export interface DivergenceState {
  first: number | null;
  smoothed: number | null;
  best: number | null;
  bestAt: string | null;
}

export class DivergenceGuard {
  readonly factor: number;
  readonly smoothing: number;
  private first: number | null = null;
  private smoothed: number | null = null;
  private best: number | null = null;
  private bestAt: string | null = null;

  constructor(opts: DivergenceOptions = {}) {
    this.factor = opts.factor ?? 10;
    this.smoothing = opts.smoothing ?? 0.1;
    if (!(this.factor > 1)) throw new Error(`divergence: factor must be > 1, got ${this.factor}`);
    if (!(this.smoothing > 0 && this.smoothing <= 1)) throw new Error(`divergence: smoothing must be in (0, 1], got ${this.smoothing}`);
  }

  /** Records a (finite) batch loss; returns why the run diverged, or null. `where`: "epoch 2, batch 17". */
  check(loss: number, where: string): string | null {
    if (this.first === null) this.first = loss;
    this.smoothed = this.smoothed === null ? loss : this.smoothed + this.smoothing * (loss - this.smoothed);
    const s = this.smoothed;
    if (this.best === null || s < this.best) {
      this.best = s;
      this.bestAt = where;
      return null;
    }
    if (this.best > 0 && s > this.factor * this.best && s > this.first) {
      return `the loss exploded: its moving average ${fmt(s)} is over ${this.factor}× its best ${fmt(this.best)} (${this.bestAt}) ` +
        `and above the first batch's ${fmt(this.first)}`;
    }
    return null;
  }

  state(): DivergenceState {
    return { first: this.first, smoothed: this.smoothed, best: this.best, bestAt: this.bestAt };
  }

  restore(s: DivergenceState): void {
    const num = (v: unknown) => (v === null || (typeof v === 'number' && Number.isFinite(v)) ? v : invalid());
    const invalid = (): never => { throw new Error(`divergence: invalid saved state ${JSON.stringify(s)?.slice(0, 200)}`); };
    if (typeof s !== 'object' || s === null) invalid();
    this.first = num(s.first) as number | null;
    this.smoothed = num(s.smoothed) as number | null;
    this.best = num(s.best) as number | null;
    this.bestAt = s.bestAt === null || typeof s.bestAt === 'string' ? s.bestAt : invalid();
  }
}

const fmt = (v: number) => (Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toPrecision(5));
