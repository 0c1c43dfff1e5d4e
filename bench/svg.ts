/**
 * Benchmark charts as hand-written SVG (no dependencies; primitives in viz/svg.ts): a
 * speedup bar chart per run and curve charts (time or throughput against a case parameter).
 * Axes that span decades are logarithmic, so 1.5× and 150× fit on one chart and a linear
 * growth reads as a straight line of slope 1 in a log-log curve; every axis ends near its
 * data (not at the next whole decade). Value labels move past the target and seed markers
 * on their row instead of sitting under them.
 */
import { fmtMs, fmtRatio, fmtSI } from './format.js';
import type { CaseResult, ChartResult, RunResult } from './schema.js';
import { escapeXml, logScale, MUTED, INK, overlaps, r2, svgFrame, text, textWidth, tickLabel, tickSI, type Box } from '../viz/svg.js';

export { escapeXml };

const SERIES = ['#1c7ed6', '#e8590c', '#2b8a3e', '#9c36b5', '#c92a2a', '#5c940d'];
const TARGET = '#1864ab';
const SEED = '#e8590c';
const tickMs = (ms: number): string => (ms >= 1000 ? `${tickLabel(ms / 1000)} s` : `${tickLabel(ms)} ms`);
/** An x value of a curve as the reader knows it: 2048 stays 2048, 131262 becomes 131k. */
const paramLabel = (v: number): string => {
  if (Number.isInteger(v) && Math.abs(v) < 10000) return String(v);
  for (const [scale, unit] of [[1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (Math.abs(v) >= scale) return `${Number((v / scale).toPrecision(3))}${unit}`;
  return String(Number(v.toPrecision(3)));
};

interface Bar {
  label: string;
  ratio: number | null;
  target: number | null;
  seed: number | null;
}

function barsOf(run: RunResult): Bar[] {
  const bars: Bar[] = [];
  const several = new Set(run.results.map((r) => r.comparison)).size > 1;
  for (const r of run.results) {
    if (r.status !== 'ok') continue;
    for (const q of r.ratios) {
      const which = r.ratios.length > 1 ? ` (${q.variant})` : '';
      bars.push({
        label: `${several ? `${r.comparison}: ` : ''}${r.label}${which}`,
        ratio: q.ratio,
        target: r.reference?.targetRatio ?? null,
        seed: r.reference?.seedRatio ?? null,
      });
    }
  }
  return bars;
}

/** Horizontal bars: each case's speedup (log axis, 1× marked), its target and the seed's figure. */
export function speedupSvg(run: RunResult): string | null {
  const bars = barsOf(run);
  if (bars.length === 0) return null;
  const width = 860;
  const left = 380;
  const right = width - 70;
  const top = 48;
  const rowH = 24;
  const plotBottom = top + bars.length * rowH;
  const height = plotBottom + 64;
  const values = [1, ...bars.flatMap((b) => [b.ratio ?? 1, b.target ?? 1, b.seed ?? 1])];
  const x = logScale(values, left, right, 1.15);
  const out: string[] = [];
  for (const t of x.ticks) {
    const px = x.map(t);
    out.push(`<line x1="${r2(px)}" y1="${top - 6}" x2="${r2(px)}" y2="${plotBottom}" stroke="${t === 1 ? MUTED : '#dee2e6'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    out.push(text(px, plotBottom + 16, `${tickLabel(t)}×`, `text-anchor="middle" fill="${MUTED}"`));
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const mid = y + rowH / 2;
    out.push(text(left - 8, mid + 4, b.label.length > 58 ? `${b.label.slice(0, 57)}…` : b.label, `text-anchor="end" fill="${INK}"`));
    const markers: Box[] = [];
    if (b.target !== null) {
      const px = x.map(b.target);
      out.push(`<line x1="${r2(px)}" y1="${r2(y + 1)}" x2="${r2(px)}" y2="${r2(y + rowH - 1)}" stroke="${TARGET}" stroke-width="2.5" stroke-dasharray="3,2"/>`);
      markers.push({ x0: px - 4, y0: y, x1: px + 4, y1: y + rowH });
    }
    if (b.seed !== null) {
      const px = x.map(b.seed);
      markers.push({ x0: px - 5, y0: mid - 5, x1: px + 5, y1: mid + 5 });
    }
    if (b.ratio === null) {
      out.push(text(labelX(x.map(1) + 6, 'no ratio', mid, markers), mid + 4, 'no ratio', 'fill="#868e96"'));
    } else {
      const x0 = x.map(1);
      const x1 = x.map(b.ratio);
      const fill = b.ratio >= 1 ? '#2f9e44' : '#e03131';
      out.push(`<rect x="${r2(Math.min(x0, x1))}" y="${r2(y + 5)}" width="${r2(Math.max(1, Math.abs(x1 - x0)))}" height="${rowH - 10}" fill="${fill}" opacity="0.85"/>`);
      const label = fmtRatio(b.ratio);
      out.push(text(labelX(Math.max(x0, x1) + 6, label, mid, markers), mid + 4, label, `fill="${INK}" font-weight="600"`));
    }
    // the seed's diamond on top of the bar, so a bar never hides it
    if (b.seed !== null) {
      const px = x.map(b.seed);
      out.push(`<path d="M${r2(px)} ${r2(mid - 5)} L${r2(px + 5)} ${r2(mid)} L${r2(px)} ${r2(mid + 5)} L${r2(px - 5)} ${r2(mid)} Z" fill="${SEED}" stroke="#ffffff"/>`);
    }
  });
  const ly = plotBottom + 40;
  out.push(text(left, ly, 'speedup (log scale); bars right of 1× are faster', `fill="${MUTED}"`));
  let lx = left;
  if (bars.some((b) => b.target !== null)) {
    out.push(`<line x1="${lx}" y1="${ly + 10}" x2="${lx}" y2="${ly + 20}" stroke="${TARGET}" stroke-width="2.5" stroke-dasharray="3,2"/>`);
    out.push(text(lx + 8, ly + 19, 'our target', `fill="${MUTED}"`));
    lx += 100;
  }
  if (bars.some((b) => b.seed !== null)) {
    out.push(`<path d="M${lx} ${ly + 10} L${lx + 5} ${ly + 15} L${lx} ${ly + 20} L${lx - 5} ${ly + 15} Z" fill="${SEED}"/>`);
    out.push(text(lx + 10, ly + 19, "the seed's published figure", `fill="${MUTED}"`));
  }
  return svgFrame(width, height, `${run.benchmark} (${run.backend}): speedup of ${sideNames(run)}`, out);
}

/** The first x ≥ `x` where a bold label of `s` on the row at `mid` clears every marker. */
export function labelX(x: number, s: string, mid: number, markers: Box[]): number {
  const w = textWidth(s, 12) + 4;
  for (let tries = 0; tries < markers.length + 1; tries++) {
    const box = { x0: x, y0: mid - 7, x1: x + w, y1: mid + 7 };
    const hit = markers.find((m) => overlaps(box, m, 1));
    if (!hit) return x;
    x = hit.x1 + 4;
  }
  return x;
}

function sideNames(run: RunResult): string {
  const first = run.results.find((r) => r.status === 'ok' && r.sides.length > 1);
  if (!first) return 'variant over baseline';
  return `${first.sides.slice(1).map((s) => s.label).join(', ')} over ${first.sides[0].label}`;
}

/** The results a curve chart draws: its comparison's ok cases matching `where`, numeric x. */
export function curvePoints(run: RunResult, chart: ChartResult): CaseResult[] {
  return run.results.filter((r) => r.comparison === chart.comparison && r.status === 'ok'
    && typeof r.params[chart.x] === 'number'
    && Object.entries(chart.where).every(([k, v]) => r.params[k] === v))
    .sort((a, b) => (a.params[chart.x] as number) - (b.params[chart.x] as number));
}

/** One line per side: median time (with min–max whiskers) or throughput, against a parameter. Log-log. */
export function curveSvg(run: RunResult, chart: ChartResult): string | null {
  const pts = curvePoints(run, chart);
  if (pts.length < 2) return null;
  const labels = pts[0].sides.map((s) => s.label);
  const width = 680;
  const height = 440;
  const L = 84;
  const R = width - 28;
  const T = 66;
  const B = height - 64;
  const unit = pts[0].itemUnit ?? 'items';
  const yOf = (r: CaseResult, i: number, which: 'median' | 'min' | 'max'): number | null => {
    const s = r.sides[i];
    if (!s) return null;
    const ms = which === 'median' ? s.medianMs : which === 'min' ? s.minMs : s.maxMs;
    if (chart.y === 'time') return ms;
    return r.items !== null && ms > 0 ? r.items / (ms / 1000) : null;
  };
  const xs = pts.map((r) => r.params[chart.x] as number);
  const ys = pts.flatMap((r) => labels.flatMap((_, i) => [yOf(r, i, 'min'), yOf(r, i, 'max')])).filter((v): v is number => v !== null);
  const sx = logScale(xs, L, R, 1.08);
  const sy = logScale(ys, B, T, 1.15);
  // the x gridlines are the measured sizes themselves (few, and what the reader looks for)
  const xTicks = [...new Set(xs)];
  const out: string[] = [];
  for (const t of xTicks) {
    const px = sx.map(t);
    out.push(`<line x1="${r2(px)}" y1="${T}" x2="${r2(px)}" y2="${B}" stroke="#e9ecef"/>`);
    out.push(text(px, B + 16, paramLabel(t), `text-anchor="middle" fill="${MUTED}"`));
  }
  for (const t of sy.ticks) {
    const py = sy.map(t);
    out.push(`<line x1="${L}" y1="${r2(py)}" x2="${R}" y2="${r2(py)}" stroke="#e9ecef"/>`);
    out.push(text(L - 6, py + 4, chart.y === 'time' ? tickMs(t) : tickSI(t), `text-anchor="end" fill="${MUTED}"`));
  }
  out.push(`<rect x="${L}" y="${T}" width="${R - L}" height="${B - T}" fill="none" stroke="#adb5bd"/>`);
  out.push(text((L + R) / 2, B + 36, `${chart.x} (log scale)`, `text-anchor="middle" fill="${INK}"`));
  out.push(text(16, (T + B) / 2, chart.y === 'time' ? 'time per step (log)' : `${unit}/s (log)`,
    `text-anchor="middle" fill="${INK}" transform="rotate(-90 16 ${r2((T + B) / 2)})"`));
  // the legend: one row above the plot, where no line can run under it
  let lx = L;
  labels.forEach((label, i) => {
    const color = SERIES[i % SERIES.length];
    out.push(`<rect x="${r2(lx)}" y="${T - 20}" width="14" height="4" fill="${color}"/>`);
    out.push(text(lx + 20, T - 14, label, `fill="${INK}"`));
    lx += 20 + textWidth(label) + 18;
  });
  labels.forEach((label, i) => {
    const color = SERIES[i % SERIES.length];
    const line: string[] = [];
    for (const r of pts) {
      const y = yOf(r, i, 'median');
      if (y === null) continue;
      const px = sx.map(r.params[chart.x] as number);
      const py = sy.map(y);
      line.push(`${r2(px)},${r2(py)}`);
      const lo = yOf(r, i, chart.y === 'time' ? 'min' : 'max');
      const hi = yOf(r, i, chart.y === 'time' ? 'max' : 'min');
      if (lo !== null && hi !== null) out.push(`<line x1="${r2(px)}" y1="${r2(sy.map(lo))}" x2="${r2(px)}" y2="${r2(sy.map(hi))}" stroke="${color}" stroke-width="1"/>`);
      out.push(`<circle cx="${r2(px)}" cy="${r2(py)}" r="3.5" fill="${color}"><title>${escapeXml(`${label}, ${chart.x}=${r.params[chart.x]}: ${chart.y === 'time' ? fmtMs(y) : `${fmtSI(y)} ${unit}/s`}`)}</title></circle>`);
    }
    out.push(`<polyline points="${line.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`);
  });
  return svgFrame(width, height, `${chart.title} — ${run.benchmark} (${run.backend})`, out);
}
