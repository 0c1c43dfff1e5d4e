/**
 * --compare: the change of every measurement against an earlier run. A measurement is
 * matched by benchmark, backend, comparison, case and side; a regression is a median time
 * that grew, or a speedup that shrank, by more than the threshold (10% by default).
 * Timings on a shared machine wobble by a few percent, so small changes are reported but
 * not flagged.
 *
 * On a noisy machine one run per build cannot show a 5% change (a case's median moves ±15%
 * between runs of the same build on a shared 2-core VM). `combineRuns` merges several runs
 * of one build into one: each time at the fastest of its run medians (interference only adds
 * time), each speedup at the median of its runs — so `--compare a1,a2,a3 --against b1,b2,b3`
 * compares three alternating runs of each build (README, "Regression check").
 */
import { fmtMs, fmtRatio } from './format.js';
import type { BenchResults } from './schema.js';

export interface Change {
  /** benchmark/backend · comparison · case · side (or 'speedup variant') */
  key: string;
  kind: 'time' | 'speedup';
  old: number;
  new: number;
  /** how many times worse: new/old for times, old/new for speedups (> 1 is worse) */
  slowdown: number;
  regression: boolean;
}

export interface Comparison {
  changes: Change[];
  regressions: Change[];
  /** measured before but not now (or failed now) */
  missing: string[];
  /** measured now but not before */
  added: string[];
  /** why the two runs may not be comparable */
  notes: string[];
}

/** Every measurement of a results file, by key. */
function measurements(r: BenchResults): Map<string, { kind: Change['kind']; value: number }> {
  const out = new Map<string, { kind: Change['kind']; value: number }>();
  for (const run of r.runs) {
    for (const res of run.results) {
      if (res.status !== 'ok') continue;
      const base = `${run.benchmark}/${run.backend} · ${res.comparison} · ${res.case}`;
      for (const s of res.sides) out.set(`${base} · ${s.label}`, { kind: 'time', value: s.medianMs });
      for (const q of res.ratios) {
        if (q.ratio !== null) out.set(`${base} · speedup ${q.variant}`, { kind: 'speedup', value: q.ratio });
      }
    }
  }
  return out;
}

/** Several runs of one build as one: per measurement the fastest run median, the median speedup. */
export function combineRuns(runs: readonly BenchResults[]): BenchResults {
  if (runs.length === 0) throw new Error('combineRuns: no runs');
  if (runs.length === 1) return runs[0];
  const out = JSON.parse(JSON.stringify(runs[0])) as BenchResults;
  const times = new Map<string, number[]>();
  const ratios = new Map<string, number[]>();
  const push = (m: Map<string, number[]>, k: string, v: number) => { if (!m.has(k)) m.set(k, []); m.get(k)!.push(v); };
  for (const r of runs) {
    for (const run of r.runs) for (const res of run.results) {
      if (res.status !== 'ok') continue;
      const base = `${run.benchmark}/${run.backend} · ${res.comparison} · ${res.case}`;
      for (const sd of res.sides) push(times, `${base} · ${sd.label}`, sd.medianMs);
      for (const q of res.ratios) if (q.ratio !== null) push(ratios, `${base} · ${q.variant}`, q.ratio);
    }
  }
  const median = (xs: number[]) => { const v = [...xs].sort((a, b) => a - b); const h = v.length >> 1; return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2; };
  for (const run of out.runs) for (const res of run.results) {
    if (res.status !== 'ok') continue;
    const base = `${run.benchmark}/${run.backend} · ${res.comparison} · ${res.case}`;
    for (const sd of res.sides) sd.medianMs = Math.min(...times.get(`${base} · ${sd.label}`)!);
    for (const q of res.ratios) if (q.ratio !== null) q.ratio = median(ratios.get(`${base} · ${q.variant}`)!);
  }
  return out;
}

export function compareResults(before: BenchResults, after: BenchResults, threshold = 0.1): Comparison {
  const a = measurements(before);
  const b = measurements(after);
  const changes: Change[] = [];
  const missing: string[] = [];
  for (const [key, old] of a) {
    const now = b.get(key);
    if (!now) {
      missing.push(key);
      continue;
    }
    const slowdown = old.kind === 'time' ? now.value / old.value : old.value / now.value;
    changes.push({ key, kind: old.kind, old: old.value, new: now.value, slowdown, regression: slowdown > 1 + threshold });
  }
  const added = [...b.keys()].filter((k) => !a.has(k));
  const notes: string[] = [];
  const ea = before.environment;
  const eb = after.environment;
  if (before.mode !== after.mode) notes.push(`modes differ (${before.mode} vs ${after.mode}): only shared cases are compared`);
  if (ea.cpuModel !== eb.cpuModel || ea.cores !== eb.cores) notes.push(`different machines (${ea.cpuModel} ×${ea.cores} vs ${eb.cpuModel} ×${eb.cores}): times are not comparable, speedups roughly`);
  if (ea.node !== eb.node) notes.push(`different Node versions (${ea.node} vs ${eb.node})`);
  return { changes, regressions: changes.filter((c) => c.regression), missing, added, notes };
}

const fmt = (c: Change, v: number) => (c.kind === 'time' ? fmtMs(v) : fmtRatio(v));

/** A Markdown table of the changes, regressions flagged, plus what could not be matched. */
export function formatComparison(cmp: Comparison, oldLabel: string, newLabel: string, threshold = 0.1): string {
  const lines = [`## Change against ${oldLabel}`, '', `New: ${newLabel}. Flagged: more than ${Math.round(threshold * 100)}% slower, or speedup down by more than ${Math.round(threshold * 100)}%.`, ''];
  for (const n of cmp.notes) lines.push(`Note: ${n}.`);
  if (cmp.notes.length) lines.push('');
  if (cmp.changes.length > 0) {
    lines.push('| measurement | before | now | change | |', '|---|---:|---:|---:|---|');
    for (const c of cmp.changes) {
      const pct = (c.new / c.old - 1) * 100;
      const sign = pct >= 0 ? '+' : '';
      lines.push(`| ${c.key} | ${fmt(c, c.old)} | ${fmt(c, c.new)} | ${sign}${pct.toFixed(1)}% | ${c.regression ? '⚠ REGRESSION' : ''} |`);
    }
    lines.push('');
  }
  if (cmp.missing.length) lines.push(`Not measured now (or failed): ${cmp.missing.join('; ')}`, '');
  if (cmp.added.length) lines.push(`New measurements: ${cmp.added.length}`, '');
  lines.push(cmp.regressions.length === 0
    ? 'No regressions.'
    : `${cmp.regressions.length} regression(s): ${cmp.regressions.map((c) => `${c.key} (${c.slowdown.toFixed(2)}× worse)`).join('; ')}`);
  return `${lines.join('\n')}\n`;
}
