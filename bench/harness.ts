/**
 * The runner. For each case of a comparison: set every side up, run warm-up rounds, then
 * timed rounds until the time budget is spent (at least minRounds, at most maxRounds).
 * A round runs each side once, in order — A B A B … — so a slow drift of the machine
 * (another process, thermal state, GC pressure building up) lands on both sides alike and
 * cancels in the ratio median(A) / median(B).
 *
 * The clock and the backend control are injectable, so the tests drive the runner with a
 * fake clock and no tensors at all.
 */
import { engine } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { noGrad, tidy } from '../core/engine.js';
import { slice } from '../ops/layout.js';
import { fmtMs, fmtRatio } from './format.js';
import type { CaseResult, ChartResult, RatioResult, ReferenceResult, RunResult, SideResult, Verdict } from './schema.js';
import { ratioOf, summarize } from './stats.js';
import {
  BenchSkip, type BenchCase, type BenchContext, type Benchmark, type Comparison, type RepeatPolicy,
  type RunInstance, type SizeMode,
} from './types.js';

export interface Clock {
  /** milliseconds, monotonic */
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };

/** How the runner switches backends and counts live tensors (the library's engine by default). */
export interface BackendControl {
  use(name: string): Promise<void>;
  current(): string;
  liveTensors(): number;
}

export const engineControl: BackendControl = {
  use: async (name) => {
    if (engine.backendName !== name) await engine.setBackend(name);
  },
  current: () => engine.backendName,
  liveTensors: () => engine.memory().numTensors,
};

/** Waits for the work behind `t` by reading one element (GPU readback blocks until done). */
export function syncTensor(t: Tensor): void {
  if (t.backend.name === 'cpu' || t.size === 0) return; // CPU kernels finish before they return
  tidy(() => noGrad(() => slice(t, t.shape.map(() => 0), t.shape.map(() => 1)).dataSync()));
}

export const DEFAULT_POLICY: Record<SizeMode, RepeatPolicy> = {
  tiny: { warmup: 1, minRounds: 2, maxRounds: 3, budgetMs: 0 },
  quick: { warmup: 1, minRounds: 3, maxRounds: 15, budgetMs: 1500 },
  full: { warmup: 2, minRounds: 5, maxRounds: 40, budgetMs: 6000 },
};

export interface RunOptions {
  size: SizeMode;
  clock?: Clock;
  control?: BackendControl;
  /** overrides every case's policy fields given here (e.g. --budget) */
  policy?: Partial<RepeatPolicy>;
  /** progress lines (default: none) */
  log?: (line: string) => void;
  /** called before every run, untimed (default: nothing; --gc: a full collection, see gc.ts) */
  settle?: () => void;
  /** `--data`: handed to the benchmarks in their context (those with `needsData` are skipped without it) */
  data?: string;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** The message, plus where it came from (three stack frames) unless it was a deliberate skip. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err instanceof BenchSkip || !err.stack) return err.message;
  return `${err.message}\n${err.stack.split('\n').slice(1, 4).join('\n')}`;
}

function referenceOf(comparison: Comparison, c: BenchCase): ReferenceResult | null {
  const r = comparison.reference?.(c);
  if (!r) return null;
  return {
    targetRatio: r.targetRatio ?? null, seedRatio: r.seedRatio ?? null,
    targetThroughput: r.targetThroughput ?? null, seedThroughput: r.seedThroughput ?? null,
    side: r.side ?? comparison.sides[comparison.sides.length - 1].label, source: r.source ?? null,
  };
}

function verdicts(ref: ReferenceResult | null, sides: SideResult[], ratios: RatioResult[]): CaseResult['verdict'] {
  let ratio: Verdict = null;
  let throughput: Verdict = null;
  if (ref?.targetRatio != null && ratios.length > 0) {
    const r = ratios[ratios.length - 1].ratio;
    ratio = r !== null && r >= ref.targetRatio ? 'met' : 'missed';
  }
  if (ref?.targetThroughput != null) {
    const t = sides.find((s) => s.label === ref.side)?.throughput ?? null;
    throughput = t !== null && t >= ref.targetThroughput ? 'met' : 'missed';
  }
  return { ratio, throughput };
}

/**
 * Measures one comparison on one case. `backend` is where sides without a pinned backend
 * run. Never throws for a workload's failure: that becomes status 'error' (or 'skipped' for
 * a BenchSkip) with the message.
 */
export async function runCase(comparison: Comparison, c: BenchCase, backend: string, opts: RunOptions): Promise<CaseResult> {
  const clock = opts.clock ?? systemClock;
  const control = opts.control ?? engineControl;
  const settle = opts.settle ?? (() => {});
  const policy: RepeatPolicy = { ...DEFAULT_POLICY[opts.size], ...c.repeats, ...opts.policy };
  const sides = comparison.sides;
  const result: CaseResult = {
    comparison: comparison.id, title: comparison.title, case: c.id, label: c.label ?? c.id, params: c.params,
    items: c.items ?? null, itemUnit: c.items !== undefined ? c.itemUnit ?? 'samples' : null,
    status: 'ok', message: null, warmup: policy.warmup, sides: [], ratios: [], reference: referenceOf(comparison, c),
    verdict: { ratio: null, throughput: null },
  };
  if (sides.length === 0) throw new Error(`comparison '${comparison.id}' has no sides`);

  const backends = sides.map((s) => s.backend ?? backend);
  const instances: (RunInstance | null)[] = sides.map(() => null);
  const samples: number[][] = sides.map(() => []);
  const leaked: number[] = sides.map(() => 0);
  const metrics: Record<string, number>[] = sides.map(() => ({}));
  let phase = 'setup';
  let failing = '';
  try {
    for (let i = 0; i < sides.length; i++) {
      failing = sides[i].label;
      await control.use(backends[i]);
      const ctx: BenchContext = { backend: backends[i], size: opts.size, sync: syncTensor, data: opts.data };
      instances[i] = await sides[i].setup(c, ctx);
    }
    const round = async (record: boolean) => {
      for (let i = 0; i < sides.length; i++) {
        failing = sides[i].label;
        if (control.current() !== backends[i]) await control.use(backends[i]);
        const inst = instances[i]!;
        settle();
        const liveBefore = record ? control.liveTensors() : 0;
        const t0 = clock.now();
        let maybe = inst.run();
        if (maybe instanceof Promise) maybe = await maybe; // only async runs pay for an await
        // a run may report its own time: a peer process timing its step without the round trip
        const dt = typeof maybe === 'number' ? maybe : clock.now() - t0;
        if (record) {
          samples[i].push(dt);
          leaked[i] += control.liveTensors() - liveBefore; // a tidy step leaves nothing behind
        }
      }
    };
    phase = 'warm-up';
    for (let w = 0; w < policy.warmup; w++) await round(false);
    phase = 'run';
    const start = clock.now();
    let rounds = 0;
    while (rounds < policy.maxRounds && (rounds < policy.minRounds || clock.now() - start < policy.budgetMs)) {
      await round(true);
      rounds++;
    }
    phase = 'metrics';
    instances.forEach((inst, i) => { metrics[i] = { ...inst?.metrics?.() }; });
  } catch (err) {
    result.status = err instanceof BenchSkip ? 'skipped' : 'error';
    result.message = `${failing ? `side '${failing}', ` : ''}${phase}: ${errorText(err)}`;
  } finally {
    for (let i = 0; i < sides.length; i++) {
      const inst = instances[i];
      if (!inst?.teardown) continue;
      try {
        if (control.current() !== backends[i]) await control.use(backends[i]);
        await inst.teardown();
      } catch (err) {
        if (result.status === 'ok') {
          result.status = 'error';
          result.message = `side '${sides[i].label}', teardown: ${errorText(err)}`;
        }
      }
    }
  }
  if (result.status !== 'ok') return result;

  result.sides = sides.map((s, i) => {
    const st = summarize(samples[i]);
    return {
      label: s.label, backend: backends[i], n: st.n, medianMs: st.median, minMs: st.min, maxMs: st.max, meanMs: st.mean,
      q1Ms: st.q1, q3Ms: st.q3, madMs: st.mad, spread: st.spread, samplesMs: samples[i],
      throughput: c.items !== undefined && st.median > 0 ? c.items / (st.median / 1000) : null,
      leakedTensorsPerRun: leaked[i] / st.n,
      metrics: metrics[i],
    };
  });
  result.ratios = sides.slice(1).map((s, k) => {
    const r = ratioOf(samples[0], samples[k + 1]);
    return {
      baseline: sides[0].label, variant: s.label, ratio: finite(r.ratio),
      pairedMedian: finite(r.pairedMedian), pairedMin: finite(r.pairedMin), pairedMax: finite(r.pairedMax),
    };
  });
  result.verdict = verdicts(result.reference, result.sides, result.ratios);
  return result;
}

/** Runs every comparison of `bench` over its cases for `opts.size`, on `backend`. */
export async function runBenchmark(bench: Benchmark, backend: string, opts: RunOptions): Promise<RunResult> {
  const clock = opts.clock ?? systemClock;
  const t0 = clock.now();
  const label = bench.backendMode === 'pinned' ? pinnedLabel(bench) : backend;
  const run: RunResult = {
    benchmark: bench.name, description: bench.description, backend: label, status: 'ok', message: null,
    durationMs: 0, results: [], charts: [],
  };
  let cases: BenchCase[];
  try {
    cases = bench.cases(opts.size, backend);
  } catch (err) {
    return { ...run, status: 'error', message: `cases(${opts.size}): ${errorText(err)}` };
  }
  for (const comparison of bench.comparisons) {
    for (const c of cases) {
      if (comparison.appliesTo && !comparison.appliesTo(c)) continue;
      const res = await runCase(comparison, c, backend, opts);
      run.results.push(res);
      opts.log?.(progressLine(bench.name, label, res));
    }
  }
  if (run.results.some((r) => r.status === 'error')) {
    run.status = 'error';
    run.message = `${run.results.filter((r) => r.status === 'error').length} case(s) failed`;
  }
  run.charts = (bench.charts ?? []).map((ch): ChartResult => ({
    id: ch.id, title: ch.title, comparison: ch.comparison, x: ch.x, y: ch.y, where: ch.where ?? {}, file: null,
  }));
  run.durationMs = clock.now() - t0;
  return run;
}

function progressLine(bench: string, backend: string, r: CaseResult): string {
  const head = `${bench}/${backend} ${r.comparison} ${r.case}`;
  if (r.status !== 'ok') return `${head}: ${r.status.toUpperCase()} ${r.message?.split('\n')[0] ?? ''}`;
  const times = r.sides.map((s) => `${s.label} ${fmtMs(s.medianMs)}`).join(', ');
  const ratios = r.ratios.map((x) => fmtRatio(x.ratio)).join(', ');
  return `${head}: ${times}${ratios ? ` → ${ratios}` : ''} (${r.sides[0].n} rounds)`;
}

/** How a pinned benchmark's runs are named: its backends joined with '+'. */
function pinnedLabel(bench: Benchmark): string {
  return [...(bench.requires ?? []), ...(bench.optional ?? [])].join('+') || 'pinned';
}

/** `bench` without the sides on `down` backends (comparisons left with no side are dropped). */
function withoutBackends(bench: Benchmark, down: string[]): Benchmark {
  const comparisons = bench.comparisons
    .map((c) => ({ ...c, sides: c.sides.filter((s) => !s.backend || !down.includes(s.backend)) }))
    .filter((c) => c.sides.length > 0);
  return { ...bench, optional: (bench.optional ?? []).filter((b) => !down.includes(b)), comparisons };
}

/** Whether each backend can be set: null when it can, else the reason. Leaves `restore` active. */
export async function probeBackends(names: string[], control: BackendControl = engineControl, restore = 'cpu'): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const name of names) {
    try {
      await control.use(name);
      out.set(name, null);
    } catch (err) {
      out.set(name, err instanceof Error ? err.message : String(err));
    }
  }
  try {
    await control.use(restore);
  } catch {
    // the restore backend itself failed to come up: the runs will report it
  }
  return out;
}

/**
 * The runs for a set of benchmarks: 'each' benchmarks once per selected backend that can be
 * set (a skipped run, with the reason, for one that cannot); 'pinned' ones once, when every
 * backend they require is both selected and available.
 */
export async function runBenchmarks(benches: Benchmark[], backends: string[], availability: Map<string, string | null>,
  opts: RunOptions): Promise<RunResult[]> {
  const runs: RunResult[] = [];
  const skipped = (bench: Benchmark, backend: string, message: string): RunResult => ({
    benchmark: bench.name, description: bench.description, backend, status: 'skipped', message,
    durationMs: 0, results: [], charts: [],
  });
  for (const bench of benches) {
    if (bench.needsData && !opts.data) {
      runs.push(skipped(bench, bench.backendMode === 'pinned' ? pinnedLabel(bench) : backends.join('+'), `needs --data: ${bench.needsData}`));
      continue;
    }
    if (bench.backendMode === 'pinned') {
      const need = bench.requires ?? [];
      const label = pinnedLabel(bench);
      const notSelected = need.filter((b) => !backends.includes(b));
      const down = need.filter((b) => backends.includes(b) && availability.get(b) !== null);
      if (notSelected.length > 0) {
        runs.push(skipped(bench, label, `needs backend(s) ${notSelected.join(', ')}, not selected (--backend ${backends.join(',')})`));
      } else if (down.length > 0) {
        runs.push(skipped(bench, label, down.map((b) => `${b} unavailable: ${availability.get(b) ?? 'not probed'}`).join('; ')));
      } else {
        // optional backends: probed here (whatever --backend selected); their sides run if they can be set
        const optional = bench.optional ?? [];
        const probed = await probeBackends(optional.filter((b) => !availability.has(b)), opts.control);
        const why = (b: string) => availability.get(b) ?? probed.get(b) ?? null;
        const off = optional.filter((b) => why(b) !== null);
        const b = off.length ? withoutBackends(bench, off) : bench;
        opts.log?.(`== ${bench.name} (${pinnedLabel(b)}) ==`);
        const run = await runBenchmark(b, need[0] ?? 'cpu', opts);
        if (off.length && run.status === 'ok') run.message = off.map((x) => `${x} unavailable, its sides left out: ${why(x)}`).join('; ');
        runs.push(run);
      }
      continue;
    }
    for (const backend of backends) {
      const why = availability.get(backend);
      if (why !== null) {
        runs.push(skipped(bench, backend, `${backend} unavailable: ${why ?? 'not probed'}`));
        continue;
      }
      opts.log?.(`== ${bench.name} (${backend}) ==`);
      runs.push(await runBenchmark(bench, backend, opts));
    }
  }
  return runs;
}
