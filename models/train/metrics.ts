/**
 * Metrics. Streaming ones (mse, rmse, mae, accuracy) accumulate over batches; the plain
 * functions compute over whole arrays. Ranking metrics live in ranking.ts.
 */

export interface Metric {
  readonly name: string;
  update(pred: ArrayLike<number>, label: ArrayLike<number>, count?: number): void;
  value(): number;
  reset(): void;
}

class SquaredError implements Metric {
  private sum = 0;
  private n = 0;
  constructor(readonly name: 'mse' | 'rmse') {}
  update(pred: ArrayLike<number>, label: ArrayLike<number>, count = pred.length): void {
    for (let i = 0; i < count; i++) {
      const d = pred[i] - label[i];
      this.sum += d * d;
    }
    this.n += count;
  }
  value(): number {
    const m = this.n ? this.sum / this.n : NaN;
    return this.name === 'rmse' ? Math.sqrt(m) : m;
  }
  reset(): void { this.sum = 0; this.n = 0; }
}

class AbsoluteError implements Metric {
  readonly name = 'mae';
  private sum = 0;
  private n = 0;
  update(pred: ArrayLike<number>, label: ArrayLike<number>, count = pred.length): void {
    for (let i = 0; i < count; i++) this.sum += Math.abs(pred[i] - label[i]);
    this.n += count;
  }
  value(): number { return this.n ? this.sum / this.n : NaN; }
  reset(): void { this.sum = 0; this.n = 0; }
}

/** Fraction of exact matches (classification: predicted class value = label value). */
class Accuracy implements Metric {
  readonly name = 'accuracy';
  private hits = 0;
  private n = 0;
  update(pred: ArrayLike<number>, label: ArrayLike<number>, count = pred.length): void {
    for (let i = 0; i < count; i++) if (Math.abs(pred[i] - label[i]) < 1e-6) this.hits++;
    this.n += count;
  }
  value(): number { return this.n ? this.hits / this.n : NaN; }
  reset(): void { this.hits = 0; this.n = 0; }
}

export const METRIC_NAMES = ['mse', 'rmse', 'mae', 'accuracy'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export function makeMetric(name: string): Metric {
  switch (name) {
    case 'mse': return new SquaredError('mse');
    case 'rmse': return new SquaredError('rmse');
    case 'mae': return new AbsoluteError();
    case 'accuracy': return new Accuracy();
    default: throw new Error(`unknown metric '${name}' (valid: ${METRIC_NAMES.join(', ')})`);
  }
}

function check(pred: ArrayLike<number>, label: ArrayLike<number>, name: string): void {
  if (pred.length !== label.length) throw new Error(`${name}: ${pred.length} predictions but ${label.length} labels`);
  if (pred.length === 0) throw new Error(`${name}: no predictions`);
}

export function mse(pred: ArrayLike<number>, label: ArrayLike<number>): number {
  check(pred, label, 'mse');
  const m = new SquaredError('mse');
  m.update(pred, label);
  return m.value();
}

export function rmse(pred: ArrayLike<number>, label: ArrayLike<number>): number {
  return Math.sqrt(mse(pred, label));
}

export function accuracy(pred: ArrayLike<number>, label: ArrayLike<number>): number {
  check(pred, label, 'accuracy');
  const m = new Accuracy();
  m.update(pred, label);
  return m.value();
}

// the ranking metrics, so `sg.metrics` holds every metric (definitions in ranking.ts)
export { recallAtK, precisionAtK, hitRateAtK, apAtK, mapAtK, ndcgAtK, auc } from './ranking.js';
