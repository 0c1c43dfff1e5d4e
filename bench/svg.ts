/**
 * Charts as hand-written SVG (no dependencies): a speedup bar chart per run and curve
 * charts (time or throughput against a case parameter). Both axes that span decades are
 * logarithmic, so 1.5× and 150× fit on one chart and a linear growth reads as a straight
 * line of slope 1 in a log-log curve.
 */
import { fmtMs, fmtRatio, fmtSI } from './format.js';
import type { CaseResult, ChartResult, RunResult } from './schema.js';

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const SERIES = ['#1c7ed6', '#e8590c', '#2b8a3e', '#9c36b5', '#c92a2a', '#5c940d'];
const TARGET = '#1864ab';
const SEED = '#e8590c';

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** Tick labels: a 1, 2 or 5 times a power of ten, printed without trailing zeros. */
const tick = (v: number): string => String(Number(v.toPrecision(2)));
const tickSI = (v: number): string => {
  for (const [scale, unit] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (v >= scale) return `${tick(v / scale)}${unit}`;
  return tick(v);
};
const tickMs = (ms: number): string => (ms >= 1000 ? `${tick(ms / 1000)} s` : `${tick(ms)} ms`);

/** A log10 scale over the values widened (by `pad`×) to whole decades, mapped onto [a, b] pixels. */
function logScale(values: number[], a: number, b: number, pad = 1, padLow = true) {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  const minV = pos.length ? Math.min(...pos) : 1;
  const maxV = pos.length ? Math.max(...pos) : 10;
  const lo = Math.floor(Math.log10(padLow ? minV / pad : minV));
  let hi = Math.ceil(Math.log10(maxV * pad));
  if (hi <= lo) hi = lo + 1;
  const map = (v: number) => a + ((Math.log10(Math.max(v, 10 ** lo)) - lo) / (hi - lo)) * (b - a);
  // gridlines at decades; with two decades or fewer also at 2× and 5×
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    ticks.push(10 ** e);
    if (hi - lo <= 2 && e < hi) ticks.push(2 * 10 ** e, 5 * 10 ** e);
  }
  ticks.sort((x, y) => x - y);
  return { map, ticks, lo: 10 ** lo, hi: 10 ** hi };
}

function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r2(x)}" y="${r2(y)}" ${attrs}>${escapeXml(s)}</text>`;
}

function frame(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(12, 22, title, 'font-size="15" font-weight="600" fill="#212529"'),
    ...body,
    '</svg>',
  ].join('\n');
}

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
  const right = width - 80;
  const top = 48;
  const rowH = 24;
  const plotBottom = top + bars.length * rowH;
  const height = plotBottom + 64;
  const values = [1, ...bars.flatMap((b) => [b.ratio ?? 1, b.target ?? 1, b.seed ?? 1])];
  const x = logScale(values, left, right, 1.15, false);
  const out: string[] = [];
  for (const t of x.ticks) {
    const px = x.map(t);
    out.push(`<line x1="${r2(px)}" y1="${top - 6}" x2="${r2(px)}" y2="${plotBottom}" stroke="${t === 1 ? '#495057' : '#dee2e6'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    out.push(text(px, plotBottom + 16, `${tick(t)}×`, 'text-anchor="middle" fill="#495057"'));
  }
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const mid = y + rowH / 2;
    out.push(text(left - 8, mid + 4, b.label.length > 58 ? `${b.label.slice(0, 57)}…` : b.label, 'text-anchor="end" fill="#212529"'));
    if (b.ratio === null) {
      out.push(text(x.map(1) + 6, mid + 4, 'no ratio', 'fill="#868e96"'));
      return;
    }
    const x0 = x.map(1);
    const x1 = x.map(b.ratio);
    const fill = b.ratio >= 1 ? '#2f9e44' : '#e03131';
    out.push(`<rect x="${r2(Math.min(x0, x1))}" y="${r2(y + 5)}" width="${r2(Math.max(1, Math.abs(x1 - x0)))}" height="${rowH - 10}" fill="${fill}" opacity="0.85"/>`);
    out.push(text(Math.max(x0, x1) + 6, mid + 4, fmtRatio(b.ratio), 'fill="#212529" font-weight="600"'));
    if (b.target !== null) {
      const px = x.map(b.target);
      out.push(`<line x1="${r2(px)}" y1="${r2(y + 1)}" x2="${r2(px)}" y2="${r2(y + rowH - 1)}" stroke="${TARGET}" stroke-width="2.5" stroke-dasharray="3,2"/>`);
    }
    if (b.seed !== null) {
      const px = x.map(b.seed);
      out.push(`<path d="M${r2(px)} ${r2(mid - 5)} L${r2(px + 5)} ${r2(mid)} L${r2(px)} ${r2(mid + 5)} L${r2(px - 5)} ${r2(mid)} Z" fill="${SEED}" stroke="#ffffff"/>`);
    }
  });
  const ly = plotBottom + 40;
  out.push(text(left, ly, 'speedup (log scale); bars right of 1× are faster', 'fill="#495057"'));
  let lx = left;
  if (bars.some((b) => b.target !== null)) {
    out.push(`<line x1="${lx}" y1="${ly + 10}" x2="${lx}" y2="${ly + 20}" stroke="${TARGET}" stroke-width="2.5" stroke-dasharray="3,2"/>`);
    out.push(text(lx + 8, ly + 19, 'our target', 'fill="#495057"'));
    lx += 100;
  }
  if (bars.some((b) => b.seed !== null)) {
    out.push(`<path d="M${lx} ${ly + 10} L${lx + 5} ${ly + 15} L${lx} ${ly + 20} L${lx - 5} ${ly + 15} Z" fill="${SEED}"/>`);
    out.push(text(lx + 10, ly + 19, "the seed's published figure", 'fill="#495057"'));
  }
  return frame(width, height, `${run.benchmark} (${run.backend}): speedup of ${sideNames(run)}`, out);
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
  const width = 680;
  const height = 420;
  const L = 84;
  const R = width - 24;
  const T = 48;
  const B = height - 64;
  const labels = pts[0].sides.map((s) => s.label);
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
  const sx = logScale(xs, L, R, 1.05);
  const sy = logScale(ys, B, T, 1.1);
  const out: string[] = [];
  for (const t of sx.ticks) {
    const px = sx.map(t);
    out.push(`<line x1="${r2(px)}" y1="${T}" x2="${r2(px)}" y2="${B}" stroke="#e9ecef"/>`);
    out.push(text(px, B + 16, tickSI(t), 'text-anchor="middle" fill="#495057"'));
  }
  for (const t of sy.ticks) {
    const py = sy.map(t);
    out.push(`<line x1="${L}" y1="${r2(py)}" x2="${R}" y2="${r2(py)}" stroke="#e9ecef"/>`);
    out.push(text(L - 6, py + 4, chart.y === 'time' ? tickMs(t) : tickSI(t), 'text-anchor="end" fill="#495057"'));
  }
  out.push(`<rect x="${L}" y="${T}" width="${R - L}" height="${B - T}" fill="none" stroke="#adb5bd"/>`);
  out.push(text((L + R) / 2, B + 36, `${chart.x} (log scale)`, 'text-anchor="middle" fill="#212529"'));
  out.push(text(16, (T + B) / 2, chart.y === 'time' ? 'time per step (log)' : `${unit}/s (log)`,
    `text-anchor="middle" fill="#212529" transform="rotate(-90 16 ${r2((T + B) / 2)})"`));
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
    out.push(`<rect x="${L + 12}" y="${T + 10 + i * 18}" width="14" height="4" fill="${color}"/>`);
    out.push(text(L + 32, T + 16 + i * 18, label, 'fill="#212529"'));
  });
  return frame(width, height, `${chart.title} — ${run.benchmark} (${run.backend})`, out);
}
