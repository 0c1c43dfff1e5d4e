/**
 * bench-results.json, schema version 1. This file is the documentation of the format: every
 * field below is written by the runner, and `validateResults` checks a parsed file against
 * it (the tests, and --compare before it trusts an old file).
 *
 * Stability rules: fields are only added, never renamed or retyped, within a schemaVersion;
 * a breaking change bumps SCHEMA_VERSION. Times are milliseconds per run (one step),
 * throughputs are items per second, ratios are speedups (baseline median / variant median).
 * Keys that identify a measurement across runs: run.benchmark + run.backend +
 * result.comparison + result.case + side.label.
 */
import type { Params, SizeMode } from './types.js';

export const SCHEMA_VERSION = 1;

export interface EnvironmentInfo {
  node: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cores: number;
  totalMemoryBytes: number;
  /** GL renderer of the WebGL backend, null when webgl was not available or not selected */
  gl: { renderer: string; vendor: string; version: string } | null;
  /** `git rev-parse HEAD`, null outside a git checkout */
  gitCommit: string | null;
  /** ISO 8601 time the run started */
  date: string;
  /** the command line that produced the file */
  command: string;
}

export interface SideResult {
  label: string;
  backend: string;
  /** timed rounds */
  n: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  meanMs: number;
  q1Ms: number;
  q3Ms: number;
  madMs: number;
  /** madMs / medianMs */
  spread: number;
  /** every timed run, in order */
  samplesMs: number[];
  /** items / median seconds, null when the case declares no items */
  throughput: number | null;
  /** live tensors left behind per run (0 for a tidy step; > 0 is a leak in the workload or library) */
  leakedTensorsPerRun: number;
  /** what the side reported besides time (e.g. inputBytes), {} when nothing */
  metrics: Record<string, number>;
}

export interface RatioResult {
  baseline: string;
  variant: string;
  /** median(baseline) / median(variant): the variant's speedup */
  ratio: number | null;
  /** median, min and max of the round-by-round ratios */
  pairedMedian: number | null;
  pairedMin: number | null;
  pairedMax: number | null;
}

export interface ReferenceResult {
  targetRatio: number | null;
  seedRatio: number | null;
  targetThroughput: number | null;
  seedThroughput: number | null;
  /** the side the throughput figures speak of */
  side: string | null;
  source: string | null;
}

export type Verdict = 'met' | 'missed' | null;

export interface CaseResult {
  comparison: string;
  title: string;
  case: string;
  label: string;
  params: Params;
  items: number | null;
  itemUnit: string | null;
  status: 'ok' | 'error' | 'skipped';
  /** the error (status 'error') or why it was skipped */
  message: string | null;
  warmup: number;
  sides: SideResult[];
  /** one per side after the first */
  ratios: RatioResult[];
  reference: ReferenceResult | null;
  verdict: { ratio: Verdict; throughput: Verdict };
}

export interface ChartResult {
  id: string;
  title: string;
  comparison: string;
  x: string;
  y: 'time' | 'throughput';
  where: Params;
  /** the SVG's path relative to the output directory, when written */
  file: string | null;
}

export interface RunResult {
  benchmark: string;
  description: string;
  /** 'cpu', 'webgl', or the pinned backends joined with '+' */
  backend: string;
  status: 'ok' | 'error' | 'skipped';
  message: string | null;
  durationMs: number;
  results: CaseResult[];
  charts: ChartResult[];
}

export interface BenchResults {
  schemaVersion: number;
  tool: 'sparsegrad-bench';
  mode: SizeMode;
  options: { only: string[] | null; backends: string[] };
  environment: EnvironmentInfo;
  runs: RunResult[];
}

// ---- validation -------------------------------------------------------------------

type Check = (v: unknown) => boolean;
const num: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const str: Check = (v) => typeof v === 'string';
const nullable = (c: Check): Check => (v) => v === null || c(v);
const oneOf = (...xs: unknown[]): Check => (v) => xs.includes(v);
const obj: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);

function fields(v: unknown, where: string, spec: Record<string, Check>, errors: string[]): boolean {
  if (!obj(v)) {
    errors.push(`${where}: expected an object`);
    return false;
  }
  const o = v as Record<string, unknown>;
  for (const [k, check] of Object.entries(spec)) {
    if (!(k in o)) errors.push(`${where}.${k}: missing`);
    else if (!check(o[k])) errors.push(`${where}.${k}: unexpected value ${JSON.stringify(o[k])}`);
  }
  return true;
}

function list(v: unknown, where: string, errors: string[], each: (x: unknown, w: string) => void): void {
  if (!Array.isArray(v)) {
    errors.push(`${where}: expected an array`);
    return;
  }
  v.forEach((x, i) => each(x, `${where}[${i}]`));
}

/** Every problem found in a parsed bench-results.json ([] when it is valid). */
export function validateResults(data: unknown): string[] {
  const errors: string[] = [];
  if (!fields(data, 'results', {
    schemaVersion: oneOf(SCHEMA_VERSION), tool: oneOf('sparsegrad-bench'), mode: oneOf('tiny', 'quick', 'full'),
    options: obj, environment: obj, runs: Array.isArray,
  }, errors)) return errors;
  const d = data as Record<string, unknown>;
  const opts = d.options as Record<string, unknown>;
  if (obj(opts)) {
    if (!(opts.only === null || (Array.isArray(opts.only) && opts.only.every(str)))) errors.push('results.options.only: expected null or a list of names');
    if (!(Array.isArray(opts.backends) && opts.backends.every(str))) errors.push('results.options.backends: expected a list of names');
  }
  fields(d.environment, 'results.environment', {
    node: str, platform: str, arch: str, cpuModel: str, cores: num, totalMemoryBytes: num,
    gl: nullable(obj), gitCommit: nullable(str), date: str, command: str,
  }, errors);
  list(d.runs, 'results.runs', errors, (run, w) => {
    if (!fields(run, w, {
      benchmark: str, description: str, backend: str, status: oneOf('ok', 'error', 'skipped'),
      message: nullable(str), durationMs: num, results: Array.isArray, charts: Array.isArray,
    }, errors)) return;
    const r = run as Record<string, unknown>;
    list(r.results, `${w}.results`, errors, (res, w2) => {
      if (!fields(res, w2, {
        comparison: str, title: str, case: str, label: str, params: obj, items: nullable(num), itemUnit: nullable(str),
        status: oneOf('ok', 'error', 'skipped'), message: nullable(str), warmup: num, sides: Array.isArray,
        ratios: Array.isArray, reference: nullable(obj), verdict: obj,
      }, errors)) return;
      const c = res as Record<string, unknown>;
      list(c.sides, `${w2}.sides`, errors, (s, w3) => fields(s, w3, {
        label: str, backend: str, n: num, medianMs: num, minMs: num, maxMs: num, meanMs: num, q1Ms: num, q3Ms: num,
        madMs: num, spread: num, samplesMs: (v) => Array.isArray(v) && v.every(num), throughput: nullable(num),
        leakedTensorsPerRun: num, metrics: (v) => obj(v) && Object.values(v as object).every(num),
      }, errors));
      list(c.ratios, `${w2}.ratios`, errors, (x, w3) => fields(x, w3, {
        baseline: str, variant: str, ratio: nullable(num), pairedMedian: nullable(num), pairedMin: nullable(num), pairedMax: nullable(num),
      }, errors));
      if (c.reference !== null) {
        fields(c.reference, `${w2}.reference`, {
          targetRatio: nullable(num), seedRatio: nullable(num), targetThroughput: nullable(num), seedThroughput: nullable(num),
          side: nullable(str), source: nullable(str),
        }, errors);
      }
      const verdict: Check = oneOf('met', 'missed', null);
      fields(c.verdict, `${w2}.verdict`, { ratio: verdict, throughput: verdict }, errors);
    });
    list(r.charts, `${w}.charts`, errors, (ch, w2) => fields(ch, w2, {
      id: str, title: str, comparison: str, x: str, y: oneOf('time', 'throughput'), where: obj, file: nullable(str),
    }, errors));
  });
  return errors;
}

/** Throws one error listing every problem (naming the source) when `data` is not valid. */
export function assertResults(data: unknown, source = 'bench results'): asserts data is BenchResults {
  const errors = validateResults(data);
  if (errors.length > 0) {
    const shown = errors.slice(0, 12).join('\n  ');
    throw new Error(`${source} is not a valid bench-results.json (schema version ${SCHEMA_VERSION}):\n  ${shown}${errors.length > 12 ? `\n  … and ${errors.length - 12} more` : ''}`);
  }
}
