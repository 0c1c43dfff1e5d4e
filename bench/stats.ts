/**
 * Robust summaries of timing samples. Timings are skewed (GC pauses, other processes on a
 * shared 2-core machine), so the median is the headline and the spread is the median
 * absolute deviation relative to the median — neither moves much when one run is an outlier.
 */

export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  mean: number;
  /** first and third quartiles */
  q1: number;
  q3: number;
  /** median absolute deviation from the median */
  mad: number;
  /** mad / median (0 when the median is 0) */
  spread: number;
}

/** Quantile q ∈ [0, 1] of ascending `sorted`, interpolating between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new Error('quantile: no samples');
  if (!(q >= 0 && q <= 1)) throw new Error(`quantile: q must be in [0, 1], got ${q}`);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantile([...xs].sort((a, b) => a - b), 0.5);
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const s = [...samples].sort((a, b) => a - b);
  const med = quantile(s, 0.5);
  const mad = median(s.map((x) => Math.abs(x - med)));
  return {
    n: s.length,
    median: med,
    min: s[0],
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    q1: quantile(s, 0.25),
    q3: quantile(s, 0.75),
    mad,
    spread: med > 0 ? mad / med : 0,
  };
}

/**
 * Speedup of `variant` over `baseline`: median(baseline) / median(variant). The paired
 * ratios (round by round, both measured back to back) show how steady that ratio was.
 */
export function ratioOf(baseline: readonly number[], variant: readonly number[]): {
  ratio: number; pairedMedian: number; pairedMin: number; pairedMax: number;
} {
  const ratio = median(baseline) / median(variant);
  const n = Math.min(baseline.length, variant.length);
  const paired: number[] = [];
  for (let i = 0; i < n; i++) paired.push(baseline[i] / variant[i]);
  const s = paired.sort((a, b) => a - b);
  return { ratio, pairedMedian: quantile(s, 0.5), pairedMin: s[0], pairedMax: s[s.length - 1] };
}
