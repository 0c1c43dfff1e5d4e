/**
 * SVG building blocks shared by every picture (training curves, embedding maps, benchmark
 * charts): escaping, text, the frame, linear and log scales with readable ticks, colours,
 * and a rough text-width estimate for placing labels without collisions. Plain strings, no
 * DOM, so pictures are made in Node and in browsers alike.
 */

export const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
/** Tableau's 10 colours (distinct for most colour-blind readers), then grey for "other". */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f'];
export const OTHER = '#bab0ac';
export const INK = '#212529';
export const MUTED = '#495057';
export const GRID = '#e9ecef';

/** Text for an SVG/HTML document: markup characters escaped, characters XML 1.0 forbids dropped. */
export function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Two decimals: enough for pixels, short files. */
export const r2 = (x: number): number => Math.round(x * 100) / 100;

export function text(x: number, y: number, s: string, attrs = ''): string {
  return `<text x="${r2(x)}" y="${r2(y)}" ${attrs}>${escapeXml(s)}</text>`;
}

/** Width in pixels of `s` at `fontSize` in a proportional sans font (a little generous). */
export function textWidth(s: string, fontSize = 12): number {
  let w = 0;
  for (const ch of s) w += /[ilj.,:;'|!()\[\]]/.test(ch) ? 0.3 : /[mwMW@%]/.test(ch) ? 0.9 : /[A-Z0-9×]/.test(ch) ? 0.68 : 0.56;
  return w * fontSize;
}

/** The whole picture: a white background, a title, the body. */
export function svgFrame(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(12, 22, title, `font-size="15" font-weight="600" fill="${INK}"`),
    ...body,
    '</svg>',
  ].join('\n');
}

export interface Scale {
  /** value → pixel */
  map(v: number): number;
  /** gridline values, inside [lo, hi] */
  ticks: number[];
  lo: number;
  hi: number;
}

/** Tick label: at most two significant digits, no trailing zeros (0.25, 2, 1500). */
export const tickLabel = (v: number): string => String(Number(v.toPrecision(2)));

/** 1500 → '1.5k', 2e6 → '2M'. */
export function tickSI(v: number): string {
  for (const [scale, unit] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']] as const) if (Math.abs(v) >= scale) return `${tickLabel(v / scale)}${unit}`;
  return tickLabel(v);
}

/** A step of 1, 2 or 5 × 10^k that cuts `span` into about `count` pieces. */
function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/**
 * A linear scale over the values, widened to the nearest ticks (so the axis ends on a
 * label), mapped onto pixels [a, b]. `zero` includes 0 in the domain.
 */
export function linearScale(values: number[], a: number, b: number, opts: { count?: number; zero?: boolean } = {}): Scale {
  const finite = values.filter(Number.isFinite);
  let min = finite.length ? Math.min(...finite) : 0;
  let max = finite.length ? Math.max(...finite) : 1;
  if (opts.zero) { min = Math.min(0, min); max = Math.max(0, max); }
  if (max === min) { const d = Math.abs(max) * 0.1 || 1; min -= d; max += d; }
  const step = niceStep(max - min, opts.count ?? 5);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = lo; t <= hi + step * 1e-6; t += step) ticks.push(Number(t.toPrecision(12)));
  return { map: (v) => a + ((v - lo) / (hi - lo)) * (b - a), ticks, lo, hi };
}

/**
 * A log10 scale over the positive values, widened by `pad`× at each end (not to whole
 * decades: the axis ends near the data). Gridlines at decades, and at 2× and 5× when the
 * axis spans two decades or fewer; each end also gets a tick when no gridline is near it.
 */
export function logScale(values: number[], a: number, b: number, pad = 1.1): Scale {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  let lo = (pos.length ? Math.min(...pos) : 1) / pad;
  let hi = (pos.length ? Math.max(...pos) : 10) * pad;
  if (hi / lo < 2) { const mid = Math.sqrt(hi * lo); lo = mid / Math.SQRT2; hi = mid * Math.SQRT2; }
  const llo = Math.log10(lo);
  const lhi = Math.log10(hi);
  const map = (v: number) => a + ((Math.log10(Math.max(v, lo)) - llo) / (lhi - llo)) * (b - a);
  const decades = lhi - llo;
  const mantissas = decades <= 1.2 ? [1, 1.5, 2, 3, 5, 7] : decades <= 2.5 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = Math.floor(llo); e <= Math.ceil(lhi); e++) {
    for (const m of mantissas) {
      const t = m * 10 ** e;
      if (t >= lo * 0.999 && t <= hi * 1.001) ticks.push(Number(t.toPrecision(6)));
    }
  }
  return { map, ticks, lo, hi };
}

/** Axis-aligned boxes, for label placement. */
export interface Box { x0: number; y0: number; x1: number; y1: number }

export const overlaps = (p: Box, q: Box, gap = 2): boolean =>
  p.x0 < q.x1 + gap && q.x0 < p.x1 + gap && p.y0 < q.y1 + gap && q.y0 < p.y1 + gap;
