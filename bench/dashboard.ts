/**
 * The benchmark dashboard: one static page (index.html, next to BENCHMARKS.md) that shows
 * every chart of a run, grouped by benchmark, with the environment, the targets met and
 * missed, and links to the full tables and the raw JSON. No script, no external files, so
 * it opens from disk or from any static host.
 */
import { escapeXml as esc } from '../viz/svg.js';
import { fmtRatio } from './format.js';
import type { BenchResults, RunResult } from './schema.js';

/** Targets of a run: "3 of 4 met" plus the missed cases, or '' when it states none. */
function targets(run: RunResult): string {
  const judged = run.results.filter((r) => r.verdict.ratio !== null || r.verdict.throughput !== null);
  if (judged.length === 0) return '';
  const missed = judged.filter((r) => r.verdict.ratio === 'missed' || r.verdict.throughput === 'missed');
  const list = missed.map((r) => `<li>${esc(r.label)}: ${esc(fmtRatio(r.ratios[0]?.ratio ?? null))} (target ${esc(fmtRatio(r.reference?.targetRatio ?? null))})</li>`);
  return `<p class="targets">targets: ${judged.length - missed.length} of ${judged.length} met${missed.length ? '; missed:' : ''}</p>${list.length ? `<ul>${list.join('')}</ul>` : ''}`;
}

/** The page; `chartsOf(run)` lists a run's chart files relative to the page. */
export function dashboardHtml(res: BenchResults, chartsOf: (run: RunResult) => string[]): string {
  const e = res.environment;
  const shown = res.runs.filter((r) => r.status !== 'skipped');
  const byBench = new Map<string, RunResult[]>();
  for (const r of shown) byBench.set(r.benchmark, [...(byBench.get(r.benchmark) ?? []), r]);
  const sections: string[] = [];
  const toc: string[] = [];
  for (const [name, runs] of byBench) {
    const id = name.replace(/[^A-Za-z0-9_-]/g, '_');
    toc.push(`<a href="#${id}">${esc(name)}</a>`);
    const parts = runs.map((run) => {
      const charts = chartsOf(run).map((f) => `<a href="${esc(f)}"><img src="${esc(f)}" alt="${esc(f)}" loading="lazy"></a>`);
      const status = run.status === 'error' ? `<p class="error">crashed: ${esc(run.message ?? '')}</p>` : '';
      return `<h3>${esc(run.backend)}</h3>${status}${targets(run)}<div class="charts">${charts.join('') || '<p>no charts</p>'}</div>`;
    });
    sections.push(`<section id="${id}"><h2>${esc(name)}</h2><p>${esc(runs[0].description)}</p>${parts.join('')}</section>`);
  }
  const skipped = res.runs.filter((r) => r.status === 'skipped').map((r) => `<li>${esc(r.benchmark)} (${esc(r.backend)}): ${esc(r.message ?? '')}</li>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>sparsegrad benchmarks (${esc(res.mode)})</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #212529; margin: 24px auto; max-width: 1800px; padding: 0 16px; }
nav a { margin-right: 14px; } .env { color: #495057; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
.charts img { max-width: 100%; border: 1px solid #dee2e6; }
.targets { font-weight: 600; } .error { color: #c92a2a; }
section { border-top: 1px solid #dee2e6; margin-top: 24px; }
</style></head><body>
<h1>sparsegrad benchmarks (${esc(res.mode)})</h1>
<p class="env"><code>${esc(e.command)}</code> — ${esc(e.date)}, commit ${esc(e.gitCommit ? e.gitCommit.slice(0, 12) : 'unknown')}<br>
Node ${esc(e.node)} on ${esc(e.platform)}/${esc(e.arch)}, ${esc(e.cpuModel)} (${e.cores} cores); GL: ${esc(e.gl ? `${e.gl.renderer} (${e.gl.version})` : 'not available')}</p>
<p>Every number in a table: <a href="BENCHMARKS.md">BENCHMARKS.md</a>; the raw results: <a href="bench-results.json">bench-results.json</a>.</p>
<nav>${toc.join('')}</nav>
${sections.join('\n')}
${skipped.length ? `<section><h2>Skipped</h2><ul>${skipped.join('')}</ul></section>` : ''}
</body></html>
`;
}
