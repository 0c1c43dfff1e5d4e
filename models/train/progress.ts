/**
 * What training shows while it runs, besides the log lines:
 *
 * - `ProgressBar`: one line on a TTY, redrawn in place at most 10 times a second —
 *
 *     Epoch[0]  45/91 [=============>................]  ETA 3s  212,345 samples/s  loss 0.9312  rmse 0.9650
 *
 *   and at the end of each epoch the final state stays as the epoch's summary line (elapsed
 *   time instead of ETA). The speed leaves out the run's first batch: it pays for compiling
 *   kernels and growing buffers (4–5× slower than the rest), which is not the training speed.
 *   Not a TTY (a pipe, a file, CI): nothing is drawn; the log lines say it all.
 * - `MetricsLog`: a callback writing one JSON line per epoch and per logged batch (the
 *   records `sparsegrad plot` reads; viz/curves.ts documents the format).
 */
import type { BatchReport, Callback, EpochLogs } from './callbacks.js';

/** The part of a Node stream the bar uses (process.stderr), so tests can pass their own. */
export interface BarStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const defaultStream = (): BarStream | null => (typeof process !== 'undefined' && process.stderr ? process.stderr : null);

/** Seconds as '3s', '1m05s', '2h03m'. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  if (sec < 60) return `${sec < 10 ? sec.toFixed(1) : Math.round(sec)}s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m}m${String(Math.round(sec - 60 * m)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

const formatRate = (r: number) => Math.round(r).toLocaleString('en-US');
const formatMetric = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''));

export class ProgressBar {
  private readonly stream: BarStream | null;
  private readonly tty: boolean;
  private label = '';
  private total: number | null = null;
  private done = 0;
  private epochStart = 0;
  /** when the timed part began (after the run's first batch) and what it has counted */
  private timedStart = 0;
  private timedSamples = 0;
  private timedBatches = 0;
  private warm = false;
  private lastDraw = 0;
  private drawn = false;
  private values: () => Record<string, number> = () => ({});

  constructor(stream: BarStream | null | undefined = defaultStream()) {
    this.stream = stream ?? null;
    this.tty = !!this.stream?.isTTY;
  }

  /** A new epoch of `total` batches (null when not known yet). */
  start(label: string, total: number | null, now = performance.now()): void {
    this.label = label;
    this.total = total;
    this.done = 0;
    this.epochStart = now;
    this.timedStart = now;
    this.timedSamples = 0;
    this.timedBatches = 0;
    this.drawn = false;
  }

  /** After each batch: its rows, and the running values to show (called only when drawing). */
  step(samples: number, values: () => Record<string, number>, now = performance.now()): void {
    this.done++;
    this.values = values;
    if (!this.warm) {
      // the run's first batch: restart the clock after it
      this.warm = true;
      this.timedStart = now;
    } else {
      this.timedSamples += samples;
      this.timedBatches++;
    }
    if (!this.tty || (now - this.lastDraw < 100 && this.done !== this.total)) return;
    this.lastDraw = now;
    this.draw(this.line(now, false));
  }

  /** Samples per second so far this epoch, without the warm-up batch (null before there is a measurement). */
  samplesPerSec(now = performance.now()): number | null {
    const t = (now - this.timedStart) / 1000;
    return this.timedBatches > 0 && t > 0 ? this.timedSamples / t : null;
  }

  /** Erases the bar before a log line; the next step draws it again. */
  clear(): void {
    if (this.tty && this.drawn) this.stream!.write('\r\x1b[K');
    this.drawn = false;
  }

  /** The epoch's last state, left on screen as its summary. */
  finish(now = performance.now()): void {
    if (!this.tty || this.done === 0) return;
    this.draw(this.line(now, true));
    this.stream!.write('\n');
    this.drawn = false;
  }

  /** The bar's text (also what tests read). */
  line(now: number, final: boolean): string {
    const total = this.total ?? (final ? this.done : null);
    const count = total ? `${String(this.done).padStart(String(total).length)}/${total}` : `${this.done}`;
    const rate = this.samplesPerSec(now);
    const perBatch = this.timedBatches > 0 ? (now - this.timedStart) / 1000 / this.timedBatches : null;
    const time = final ? formatDuration((now - this.epochStart) / 1000)
      : total && perBatch !== null ? `ETA ${formatDuration((total - this.done) * perBatch)}` : '';
    const values = Object.entries(this.values()).filter(([, v]) => Number.isFinite(v)).map(([k, v]) => `${k} ${formatMetric(v)}`);
    const tail = [time, rate !== null ? `${formatRate(rate)} samples/s` : '', ...values].filter(Boolean).join('  ');
    const cols = this.stream?.columns || 100;
    // a steady width: room for a typical tail (60 columns), at most 30, at least 10
    const width = Math.max(10, Math.min(30, cols - 1 - `${this.label}  ${count} `.length - 4 - Math.max(60, tail.length)));
    let bar = '';
    if (total) {
      const filled = Math.min(width, Math.round((this.done / total) * width));
      const arrow = filled < width ? 1 : 0;
      const full = Math.max(0, filled - arrow);
      bar = `[${'='.repeat(full)}${arrow ? '>' : ''}${'.'.repeat(width - full - arrow)}]`;
    }
    return `${this.label}  ${count}${bar ? ` ${bar}` : ''}  ${tail}`.slice(0, Math.max(20, cols - 1));
  }

  private draw(text: string): void {
    this.stream!.write(`\r${text}\x1b[K`);
    this.drawn = true;
  }
}

/**
 * A callback that writes the metrics log: one JSON line per logged batch
 * (`{"type":"batch","epoch":0,"batch":25,"batches":100,"values":{…},"samplesPerSec":…}`) and
 * per epoch (`{"type":"epoch", …history entry}`). `write` gets each line without the newline.
 */
export class MetricsLog implements Callback {
  constructor(private readonly write: (line: string) => void) {}

  onBatchReport(report: BatchReport): void {
    this.write(JSON.stringify({ type: 'batch', ...report }));
  }

  onEpochEnd(logs: EpochLogs): void {
    this.write(JSON.stringify({ type: 'epoch', ...logs }));
  }
}
