/** The `sparsegrad bench` options, for its help (bench/cli.ts parses them) and the main help. */
import type { HelpSpec } from '../bin/help.js';

export const BENCH: HelpSpec = {
  name: 'bench',
  summary: 'run the benchmarks: speedups as ratios in one run, JSON + Markdown + SVG charts + a dashboard',
  examples: [
    ['sparsegrad bench --quick', 'every benchmark at CI sizes on both backends (a few minutes); results in bench-out/'],
    ['sparsegrad bench --only sparse-grad,throughput --backend cpu', 'two benchmarks at the seeds\' sizes on the CPU'],
    ['sparsegrad bench --quick --compare bench-out/bench-results.json', 'run again and flag cases more than 10% slower than the earlier run'],
    ['sparsegrad bench --compare o1.json,o2.json,o3.json --against n1.json,n2.json,n3.json --threshold 0.05', 'two builds, three runs each: each case at its fastest run, flag > 5%'],
    ['sparsegrad bench --only quality --data ml-100k/', 'model quality on real data: RMSE on the official u1–u5 folds, Recall/NDCG on held-out users'],
    ['sparsegrad bench --report bench-out/bench-results.json --out redrawn', 'run nothing: redraw the report, charts and index.html of an earlier run'],
  ],
  options: [
    { name: 'quick', type: 'flag', help: 'CI sizes (a few minutes in total)' },
    { name: 'full', type: 'flag', help: "the seeds' sizes (the default; tens of minutes)" },
    { name: 'tiny', type: 'flag', help: 'seconds, for smoke tests' },
    { name: 'only', type: 'string', value: 'a,b', help: 'run only these benchmarks (see --list)' },
    { name: 'backend', type: 'string', choices: ['cpu', 'webgl', 'webgpu', 'all'], default: 'all', help: 'an unavailable backend is reported as skipped' },
    { name: 'out', type: 'string', value: 'dir', default: 'bench-out', help: 'where bench-results.json, BENCHMARKS.md, charts/ and index.html go' },
    { name: 'data', type: 'string', value: 'dir', help: 'a MovieLens directory for the benchmarks that read real data (quality; skipped without it)' },
    { name: 'budget', type: 'number', value: 'ms', help: "timed milliseconds per case (overrides the mode's budget)" },
    { name: 'gc', type: 'flag', help: 'a full garbage collection before every timed run (untimed)' },
    { name: 'compare', type: 'string', value: 'old.json', help: 'after running, print the change against an earlier run (flags > 10%); a,b,c: several runs of one build, each measurement at its fastest run' },
    { name: 'against', type: 'string', value: 'new.json', help: 'with --compare: compare files, run nothing (a,b,c: several runs, as for --compare)' },
    { name: 'report', type: 'string', value: 'results.json', help: 'run nothing: write the report, charts and index.html of an earlier run into --out' },
    { name: 'threshold', type: 'number', value: 'x', default: 0.1, help: 'regression threshold for --compare' },
    { name: 'fail-on-regression', type: 'flag', help: 'exit 3 when --compare finds a regression' },
    { name: 'list', type: 'flag', help: 'list the benchmarks and exit' },
    { name: 'help', alias: 'h', type: 'flag', help: 'show this help' },
  ],
};
