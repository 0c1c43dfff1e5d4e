/** Number formatting shared by the table, the charts and --compare: three significant digits. */

export function fmtMs(ms: number): string {
  if (ms >= 10000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function fmtRatio(r: number | null): string {
  if (r === null) return '—';
  if (r >= 100) return `${r.toFixed(0)}×`;
  if (r >= 10) return `${r.toFixed(1)}×`;
  return `${r.toFixed(2)}×`;
}

/** 1234567 → '1.23M' */
export function fmtSI(x: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, unit] of units) {
    if (Math.abs(x) >= scale) return `${(x / scale).toPrecision(3)}${unit}`;
  }
  return x.toPrecision(3);
}

export function fmtRate(perSecond: number | null, unit: string | null): string {
  if (perSecond === null) return '—';
  return `${fmtSI(perSecond)} ${unit ?? 'items'}/s`;
}

export function fmtPercent(x: number): string {
  return `${(x * 100).toFixed(x >= 0.1 ? 0 : 1)}%`;
}

export function fmtBytes(b: number): string {
  return `${(b / 2 ** 30).toFixed(1)} GiB`;
}
