/**
 * What a benchmark is. A benchmark file exports one `Benchmark`: its cases (sizes, per size
 * mode) and its comparisons (two or more sides measured on every case, interleaved). A side
 * is a setup → run (one step) → teardown triple. The runner (harness.ts) does the timing;
 * a benchmark only says what to run.
 */
import type { Tensor } from '../core/tensor.js';
import type { RunResult } from './schema.js';

/** `tiny`: seconds, for the test suite's smoke test; `quick`: CI; `full`: the seeds' sizes. */
export type SizeMode = 'tiny' | 'quick' | 'full';
export const SIZE_MODES: readonly SizeMode[] = ['tiny', 'quick', 'full'];

export type ParamValue = number | string | boolean;
export type Params = Record<string, ParamValue>;

/** Per-case overrides of the runner's repeat policy (e.g. a 30-second matmul needs fewer rounds). */
export interface RepeatPolicy {
  /** untimed rounds first (JIT, caches, lazily made optimizer state) */
  warmup: number;
  /** timed rounds at least … */
  minRounds: number;
  /** … and at most */
  maxRounds: number;
  /** stop after this much timed wall time once minRounds are done */
  budgetMs: number;
}

export interface BenchCase {
  /** stable key within the benchmark, e.g. 'rows=131262,batch=1000,dim=25' (used by --compare) */
  id: string;
  /** for tables and charts; defaults to the id */
  label?: string;
  params: Params;
  /** items one run processes (samples, FLOPs, rows…); gives throughput = items / median time */
  items?: number;
  /** what an item is ('samples' unless told) */
  itemUnit?: string;
  repeats?: Partial<RepeatPolicy>;
}

/** What a side's setup hands back: one run = one step of the workload. */
export interface RunInstance {
  /**
   * One step. It may return its own measured milliseconds, used instead of the wall time of
   * the call (a peer in another process times its step there, so the message round trip to
   * it is not counted against it).
   */
  run(): void | number | Promise<void | number>;
  /** numbers besides time, read once after the timed rounds (e.g. bytes of a table: FP16 vs FP32) */
  metrics?(): Record<string, number>;
  teardown?(): void | Promise<void>;
}

/** Given to setup: where and how big, and how to wait for a backend to finish. */
export interface BenchContext {
  /** the backend this side runs on (already active when setup and run are called) */
  backend: string;
  size: SizeMode;
  /** Blocks until the work producing `t` is done (a no-op on the synchronous CPU backend). */
  sync(t: Tensor): void;
  /** `--data`: a data directory for benchmarks that read real data (see Benchmark.needsData) */
  data?: string;
}

export interface Side {
  label: string;
  /** pin this side to a backend (the backends comparison); otherwise it runs on the run's backend */
  backend?: string;
  setup(c: BenchCase, ctx: BenchContext): RunInstance | Promise<RunInstance>;
}

/**
 * Figures a result is held against. Ratios are speedups of the last side over the first;
 * throughputs are items/s of `side` (default: the last side).
 */
export interface Reference {
  targetRatio?: number;
  seedRatio?: number;
  targetThroughput?: number;
  seedThroughput?: number;
  side?: string;
  /** where the seed figure comes from, e.g. 'MXNet row-sparse post' */
  source?: string;
}

export interface Comparison {
  /** stable key within the benchmark, e.g. 'adam' */
  id: string;
  title: string;
  /** The first side is the baseline; every other side is reported as median(first)/median(it). */
  sides: Side[];
  /** which cases this comparison runs on (default: all) */
  appliesTo?(c: BenchCase): boolean;
  reference?(c: BenchCase): Reference | undefined;
}

/** A curve chart: one line per side of `comparison`, over the cases matching `where`. */
export interface ChartSpec {
  id: string;
  title: string;
  comparison: string;
  /** the numeric case parameter on the x axis */
  x: string;
  y: 'time' | 'throughput';
  where?: Params;
}

export interface Benchmark {
  /** what --only selects; also the file name under bench/benchmarks/ */
  name: string;
  description: string;
  /**
   * 'each' (default): the whole benchmark runs once per selected backend.
   * 'pinned': the sides name their backends; runs once, and only when all of `requires` can be set.
   */
  backendMode?: 'each' | 'pinned';
  requires?: string[];
  /**
   * 'pinned' only: backends whose sides run when they can be set and are dropped (the run's
   * message says why) when they cannot — the backend comparison's webgl and webgpu.
   */
  optional?: string[];
  /** The cases for a size mode; `backend` lets a slow backend get smaller quick cases (CI time). */
  cases(size: SizeMode, backend?: string): BenchCase[];
  comparisons: Comparison[];
  charts?: ChartSpec[];
  /** set when the benchmark reads real data (`--data`): without it the run is skipped with this text */
  needsData?: string;
  /** Markdown replacing the per-comparison tables of the report (e.g. one quality table) */
  report?(run: RunResult): string[];
}

/** Thrown by a setup to skip a case on purpose (recorded as skipped with the message, not a crash). */
export class BenchSkip extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchSkip';
  }
}
