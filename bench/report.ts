/**
 * The outputs of a run: bench-results.json (see schema.ts), a Markdown report
 * (BENCHMARKS.md, also printed) and the SVG charts under charts/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fmtBytes, fmtMs, fmtPercent, fmtRate, fmtRatio, fmtSI } from './format.js';
import type { BenchResults, CaseResult, RunResult } from './schema.js';
import { curveSvg, speedupSvg } from './svg.js';
import { dashboardHtml } from './dashboard.js';
import { registry } from './registry.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function timeCell(s: CaseResult['sides'][number]): string {
  return `${fmtMs(s.medianMs)} ±${fmtPercent(s.spread)}`;
}

function targetCell(r: CaseResult): string {
  const ref = r.reference;
  if (!ref) return '';
  const parts: string[] = [];
  if (ref.targetRatio !== null) parts.push(`≥ ${fmtRatio(ref.targetRatio)} ${r.verdict.ratio === 'met' ? '✅' : '❌'}`);
  if (ref.targetThroughput !== null) {
    parts.push(`≥ ${fmtRate(ref.targetThroughput, r.itemUnit)} (${ref.side}) ${r.verdict.throughput === 'met' ? '✅' : '❌'}`);
  }
  return parts.join('<br>');
}

function seedCell(r: CaseResult): string {
  const ref = r.reference;
  if (!ref) return '';
  const parts: string[] = [];
  if (ref.seedRatio !== null) parts.push(fmtRatio(ref.seedRatio));
  if (ref.seedThroughput !== null) parts.push(fmtRate(ref.seedThroughput, r.itemUnit));
  return parts.join('<br>');
}

/** Each side's extra numbers, e.g. 'dense inputBytes 40.0M · csr inputBytes 802k'. */
function metricsCell(r: CaseResult): string {
  return r.sides.flatMap((s) => Object.entries(s.metrics).map(([k, v]) => `${s.label} ${k} ${fmtSI(v)}`)).join(' · ');
}

/** One table per comparison: case, each side's median (± relative MAD), speedups, throughput, target, seed. */
function comparisonTable(results: CaseResult[]): string[] {
  const first = results.find((r) => r.status === 'ok') ?? results[0];
  const sideLabels = first.sides.map((s) => s.label);
  const hasItems = results.some((r) => r.items !== null);
  const hasRef = results.some((r) => r.reference !== null);
  const hasMetrics = results.some((r) => r.sides.some((s) => Object.keys(s.metrics).length > 0));
  const head = ['case', ...sideLabels.map((l) => `${l} (median)`)];
  const ratioHeads = sideLabels.slice(1).map((l) => (sideLabels.length > 2 ? `speedup ${l}` : 'speedup'));
  head.push(...ratioHeads);
  const units = new Set(results.filter((r) => r.items !== null).map((r) => r.itemUnit));
  const oneUnit = units.size === 1 ? [...units][0] ?? 'items' : null;
  if (hasItems) head.push(...sideLabels.map((l) => (oneUnit ? `${l} ${oneUnit}/s` : `${l} throughput`)));
  if (hasRef) head.push('target', 'seed');
  if (hasMetrics) head.push('metrics');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`];
  for (const r of results) {
    if (r.status !== 'ok') {
      const msg = `${r.status}: ${(r.message ?? '').split('\n')[0]}`;
      lines.push(`| ${cell(r.label)} | ${cell(msg)} |${' |'.repeat(Math.max(0, head.length - 2))}`);
      continue;
    }
    const row = [cell(r.label), ...r.sides.map(timeCell), ...r.ratios.map((q) => `**${fmtRatio(q.ratio)}**`)];
    if (hasItems) row.push(...r.sides.map((s) => (s.throughput === null ? '—' : oneUnit ? fmtSI(s.throughput) : fmtRate(s.throughput, r.itemUnit))));
    if (hasRef) row.push(targetCell(r), seedCell(r));
    if (hasMetrics) row.push(metricsCell(r));
    lines.push(`| ${row.join(' | ')} |`);
  }
  const sources = [...new Set(results.map((r) => r.reference?.source).filter((s): s is string => !!s))];
  if (sources.length > 0) lines.push('', `Seed figures: ${sources.join('; ')}.`);
  const leaks = results.filter((r) => r.sides.some((s) => s.leakedTensorsPerRun > 0));
  if (leaks.length > 0) lines.push('', `⚠ live tensors grew during ${leaks.map((r) => r.label).join(', ')} (a leak in the step or the library).`);
  return lines;
}

function runSection(run: RunResult): string[] {
  const lines = [`## ${run.benchmark} (${run.backend})`, '', run.description, ''];
  if (run.status === 'error') lines.push(`**Errors:** ${run.message}`, '');
  // a benchmark may lay out its own report (the quality benchmark: one table of models × metrics)
  const own = registry.find((b) => b.name === run.benchmark)?.report;
  if (own) return [...lines, ...own(run), ''];
  const byComparison = new Map<string, CaseResult[]>();
  for (const r of run.results) {
    const list = byComparison.get(r.comparison) ?? [];
    list.push(r);
    byComparison.set(r.comparison, list);
  }
  for (const results of byComparison.values()) {
    lines.push(`### ${results[0].title}`, '', ...comparisonTable(results), '');
  }
  const files = chartFiles(run);
  if (files.length > 0) lines.push(files.map((f) => `![${f}](${f})`).join('\n'), '');
  return lines;
}

/** The whole Markdown report. */
export function markdown(res: BenchResults): string {
  const e = res.environment;
  const lines = [
    `# sparsegrad benchmarks (${res.mode})`,
    '',
    `\`${e.command}\` — ${e.date}, commit ${e.gitCommit ? e.gitCommit.slice(0, 12) : 'unknown'}`,
    '',
    `Node ${e.node} on ${e.platform}/${e.arch}, ${e.cpuModel} (${e.cores} cores), ${fmtBytes(e.totalMemoryBytes)} RAM; `
      + `GL: ${e.gl ? `${e.gl.renderer} (${e.gl.version})` : 'not available'}.`,
    '',
    'Times are medians per step (± median absolute deviation, relative); A and B of a comparison ran interleaved. '
      + 'Speedup = median(first) / median(other).',
    '',
  ];
  for (const run of res.runs) if (run.status !== 'skipped') lines.push(...runSection(run));
  const skipped = res.runs.filter((r) => r.status === 'skipped');
  if (skipped.length > 0) {
    lines.push('## Skipped', '');
    for (const r of skipped) lines.push(`- ${r.benchmark} (${r.backend}): ${r.message}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A run's chart files, relative to the output directory (after writeOutputs filled them in). */
export function chartFiles(run: RunResult): string[] {
  const files: string[] = [];
  if (run.results.some((r) => r.status === 'ok' && r.ratios.length > 0)) files.push(`charts/${chartBase(run)}-speedup.svg`);
  for (const c of run.charts) if (c.file) files.push(c.file);
  return files;
}

function chartBase(run: RunResult): string {
  return `${run.benchmark}-${run.backend}`.replace(/[^A-Za-z0-9_.+-]/g, '_');
}

/**
 * Writes bench-results.json, BENCHMARKS.md, charts/*.svg and index.html (the dashboard) into
 * `outDir` (made if needed);
 * fills in each chart's `file`. Returns the paths written.
 */
export function writeOutputs(res: BenchResults, outDir: string): { json: string; markdown: string; dashboard: string; charts: string[] } {
  const chartDir = join(outDir, 'charts');
  mkdirSync(chartDir, { recursive: true });
  const charts: string[] = [];
  for (const run of res.runs) {
    const bars = speedupSvg(run);
    if (bars) {
      const f = join(chartDir, `${chartBase(run)}-speedup.svg`);
      writeFileSync(f, bars);
      charts.push(f);
    }
    for (const chart of run.charts) {
      const svg = curveSvg(run, chart);
      if (!svg) continue;
      const rel = `charts/${chartBase(run)}-${chart.id}.svg`;
      writeFileSync(join(outDir, rel), svg);
      chart.file = rel;
      charts.push(join(outDir, rel));
    }
  }
  const json = join(outDir, 'bench-results.json');
  writeFileSync(json, `${JSON.stringify(res, null, 2)}\n`);
  const md = join(outDir, 'BENCHMARKS.md');
  writeFileSync(md, markdown(res));
  const dashboard = join(outDir, 'index.html');
  writeFileSync(dashboard, dashboardHtml(res, chartFiles));
  return { json, markdown: md, dashboard, charts };
}
