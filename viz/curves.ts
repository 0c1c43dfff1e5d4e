/**
 * Training curves from a metrics log (`sparsegrad train --log-file metrics.jsonl`): one
 * panel per metric (loss, rmse, ndcg@100, …), training and validation as lines over the
 * epochs trained, the logged batches as a thin line of the running value, and the best
 * validation epoch marked.
 *
 * The log is JSON lines, one object per record:
 *   {"type":"batch","epoch":0,"batch":25,"batches":100,"values":{"loss":0.93,"rmse":0.96},"samplesPerSec":512345}
 *   {"type":"epoch","epoch":0,"values":{"loss":0.8,"train-rmse":0.9,"val-rmse":0.95},"timeSec":1.2,"samplesPerSec":480000}
 * (an epoch record is one entry of fit()'s history.epochs, plus "type").
 */
import { escapeXml, GRID, INK, linearScale, MUTED, PALETTE, r2, svgFrame, text, textWidth, tickLabel } from './svg.js';

export interface EpochRecord {
  type: 'epoch';
  epoch: number;
  values: Record<string, number>;
  timeSec?: number;
  samplesPerSec?: number;
}

export interface BatchRecord {
  type: 'batch';
  epoch: number;
  /** batches done in this epoch */
  batch: number;
  /** batches per epoch, when known */
  batches?: number;
  values: Record<string, number>;
  samplesPerSec?: number;
}

export type MetricsRecord = EpochRecord | BatchRecord;

/** Parses a metrics log; a bad line is an error naming the file and the line. */
export function parseMetricsLog(textContent: string, file = 'metrics log'): MetricsRecord[] {
  const out: MetricsRecord[] = [];
  textContent.split('\n').forEach((line, k) => {
    if (line.trim() === '') return;
    let r: unknown;
    try {
      r = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${k + 1}: not JSON (${(e as Error).message}): ${line.slice(0, 80)}`);
    }
    const rec = r as Partial<MetricsRecord>;
    if ((rec.type !== 'epoch' && rec.type !== 'batch') || typeof rec.epoch !== 'number' || typeof rec.values !== 'object' || rec.values === null) {
      throw new Error(`${file}:${k + 1}: not a metrics record (needs "type": "epoch" or "batch", "epoch" and "values"): ${line.slice(0, 80)}`);
    }
    if (rec.type === 'batch' && typeof rec.batch !== 'number') throw new Error(`${file}:${k + 1}: a batch record needs "batch"`);
    out.push(rec as MetricsRecord);
  });
  return out;
}

/** Metrics where lower is better; everything else (accuracy, ndcg, recall, auc, …) is higher-better. */
export const lowerIsBetter = (metric: string): boolean => /loss|mse|rmse|mae|kl/i.test(metric);

export interface CurveSeries {
  label: string;
  points: [number, number][];
  kind: 'train' | 'val' | 'batch';
}

/** Groups every value into panels by metric name ('val-rmse' and 'train-rmse' both go to 'rmse'), 'loss' first. */
export function curvePanels(records: MetricsRecord[]): Map<string, CurveSeries[]> {
  const panels = new Map<string, Map<string, CurveSeries>>();
  const add = (metric: string, kind: CurveSeries['kind'], label: string, x: number, y: number) => {
    if (!Number.isFinite(y)) return;
    const panel = panels.get(metric) ?? new Map<string, CurveSeries>();
    panels.set(metric, panel);
    const s = panel.get(label) ?? { label, points: [], kind };
    panel.set(label, s);
    s.points.push([x, y]);
  };
  // batches per epoch, for records that do not say (the largest batch number seen)
  const perEpoch = new Map<number, number>();
  for (const r of records) if (r.type === 'batch') perEpoch.set(r.epoch, Math.max(perEpoch.get(r.epoch) ?? 0, r.batches ?? r.batch));
  for (const r of records) {
    for (const [key, value] of Object.entries(r.values)) {
      if (r.type === 'epoch') {
        const m = /^(train|val)-(.+)$/.exec(key);
        const metric = m ? m[2] : key;
        const kind = m?.[1] === 'val' ? 'val' : 'train';
        add(metric, kind, kind === 'val' ? 'validation' : 'training', r.epoch + 1, value);
      } else {
        const total = r.batches ?? perEpoch.get(r.epoch) ?? r.batch;
        add(key.replace(/^train-/, ''), 'batch', 'running (logged batches)', r.epoch + r.batch / Math.max(1, total), value);
      }
    }
  }
  const order = [...panels.keys()].sort((a, b) => (a === 'loss' ? -1 : b === 'loss' ? 1 : a.localeCompare(b)));
  return new Map(order.map((k) => [k, [...panels.get(k)!.values()]]));
}

const COLOURS: Record<CurveSeries['kind'], string> = { train: PALETTE[0], val: PALETTE[1], batch: '#a5c3e0' };
const PANEL_W = 470;
const PANEL_H = 270;

/** The picture: panels in a two-column grid, 'loss' first. */
export function trainingCurvesSvg(records: MetricsRecord[], opts: { title?: string } = {}): string {
  const panels = [...curvePanels(records)];
  if (panels.length === 0) throw new Error('plot: the metrics log has no values to draw');
  const cols = panels.length === 1 ? 1 : 2;
  const rows = Math.ceil(panels.length / cols);
  const out: string[] = [];
  panels.forEach(([metric, series], k) => {
    out.push(panel(metric, series, 10 + (k % cols) * PANEL_W, 40 + Math.floor(k / cols) * PANEL_H));
  });
  const epochs = records.filter((r) => r.type === 'epoch').length;
  return svgFrame(20 + cols * PANEL_W, 50 + rows * PANEL_H, opts.title ?? `training curves (${epochs} epoch${epochs === 1 ? '' : 's'})`, out);
}

function panel(metric: string, series: CurveSeries[], x0: number, y0: number): string {
  const L = x0 + 62;
  const R = x0 + PANEL_W - 16;
  const T = y0 + 44;
  const B = y0 + PANEL_H - 48;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const sx = linearScale([0, ...xs], L, R, { count: 6 });
  const sy = linearScale(ys, B, T, { count: 5 });
  const out: string[] = [`<g>`];
  out.push(text(x0 + 6, y0 + 18, metric, `font-size="13" font-weight="600" fill="${INK}"`));
  for (const t of sx.ticks) {
    out.push(`<line x1="${r2(sx.map(t))}" y1="${T}" x2="${r2(sx.map(t))}" y2="${B}" stroke="${GRID}"/>`);
    out.push(text(sx.map(t), B + 15, tickLabel(t), `text-anchor="middle" fill="${MUTED}"`));
  }
  for (const t of sy.ticks) {
    out.push(`<line x1="${L}" y1="${r2(sy.map(t))}" x2="${R}" y2="${r2(sy.map(t))}" stroke="${GRID}"/>`);
    out.push(text(L - 6, sy.map(t) + 4, tickLabel(t), `text-anchor="end" fill="${MUTED}"`));
  }
  out.push(`<rect x="${L}" y="${T}" width="${R - L}" height="${B - T}" fill="none" stroke="#adb5bd"/>`);
  out.push(text((L + R) / 2, B + 32, 'epochs trained', `text-anchor="middle" fill="${INK}"`));
  // batches under the epoch lines
  const drawOrder = [...series].sort((a, b) => (a.kind === 'batch' ? -1 : 0) - (b.kind === 'batch' ? -1 : 0));
  for (const s of drawOrder) {
    const colour = COLOURS[s.kind];
    const pts = s.points.map(([x, y]) => `${r2(sx.map(x))},${r2(sy.map(y))}`).join(' ');
    out.push(`<polyline points="${pts}" fill="none" stroke="${colour}" stroke-width="${s.kind === 'batch' ? 1.2 : 2.2}"/>`);
    if (s.kind !== 'batch') {
      for (const [x, y] of s.points) out.push(`<circle cx="${r2(sx.map(x))}" cy="${r2(sy.map(y))}" r="3" fill="${colour}"><title>${escapeXml(`${s.label} ${metric} after ${x} epoch(s): ${y}`)}</title></circle>`);
    }
  }
  // the best validation value
  const val = series.find((s) => s.kind === 'val');
  if (val && val.points.length > 0) {
    const better = lowerIsBetter(metric) ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
    const best = val.points.reduce((b, p) => (better(p[1], b[1]) ? p : b));
    const bx = sx.map(best[0]);
    const by = sy.map(best[1]);
    out.push(`<circle cx="${r2(bx)}" cy="${r2(by)}" r="6" fill="none" stroke="${COLOURS.val}" stroke-width="2"/>`);
    const label = `best ${Number(best[1].toPrecision(4))} after ${best[0]}`;
    const w = textWidth(label, 11);
    // inside the plot, on the side away from the border
    const lx = bx + 9 + w > R ? bx - 9 - w : bx + 9;
    const ly = by - 9 < T + 10 ? by + 16 : by - 9;
    out.push(text(lx, ly, label, `font-size="11" fill="${INK}" stroke="#ffffff" stroke-width="3" paint-order="stroke"`));
  }
  // legend above the plot
  let lx = L;
  for (const s of series) {
    out.push(`<rect x="${r2(lx)}" y="${T - 14}" width="14" height="${s.kind === 'batch' ? 2 : 4}" fill="${COLOURS[s.kind]}"/>`);
    out.push(text(lx + 19, T - 9, s.label, `font-size="11" fill="${MUTED}"`));
    lx += 19 + textWidth(s.label, 11) + 14;
  }
  out.push('</g>');
  return out.join('\n');
}
