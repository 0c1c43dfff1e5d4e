/**
 * `sparsegrad bench [--quick|--full|--tiny] [--only name[,name]] [--backend cpu|webgl|webgpu|all]
 *                   [--out dir] [--compare old.json [--against new.json]] …`
 * Exit codes: 0 ok (whatever the timings), 1 a benchmark crashed, 2 usage error or unreadable
 * file, 3 regressions found with --fail-on-regression.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { combineRuns, compareResults, formatComparison } from './compare.js';
import { formatHelp } from '../bin/help.js';
import { didYouMean } from '../bin/suggest.js';
import { BENCH } from './usage.js';
import { environment, glInfo } from './env.js';
import { collectGarbage } from './gc.js';
import { probeBackends, runBenchmarks, type Clock } from './harness.js';
import { registry, selectBenchmarks } from './registry.js';
import { markdown, writeOutputs } from './report.js';
import { assertResults, SCHEMA_VERSION, type BenchResults } from './schema.js';
import type { RepeatPolicy, SizeMode } from './types.js';

export const BENCH_USAGE = formatHelp(BENCH);

export interface BenchIO {
  stdout(s: string): void;
  stderr(s: string): void;
  clock?: Clock;
}

const defaultIO: BenchIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

interface Args {
  size: SizeMode;
  only: string[] | null;
  backends: string[];
  out: string;
  budgetMs: number | null;
  compare: string | null;
  against: string | null;
  report: string | null;
  data: string | null;
  threshold: number;
  failOnRegression: boolean;
  gc: boolean;
  list: boolean;
  help: boolean;
}

class UsageError extends Error {}

export function parseBenchArgs(argv: string[]): Args {
  const a: Args = {
    size: 'full', only: null, backends: ['cpu', 'webgl'], out: 'bench-out', budgetMs: null, compare: null,
    against: null, report: null, data: null, threshold: 0.1, failOnRegression: false, gc: false, list: false, help: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`bench: ${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '--quick': a.size = 'quick'; break;
      case '--full': a.size = 'full'; break;
      case '--tiny': a.size = 'tiny'; break;
      case '--only': a.only = [...(a.only ?? []), ...take().split(',').map((s) => s.trim()).filter(Boolean)]; break;
      case '--backend': {
        const b = take();
        if (b === 'all') a.backends = ['cpu', 'webgl', 'webgpu'];
        else if (b === 'cpu' || b === 'webgl' || b === 'webgpu') a.backends = [b];
        else throw new UsageError(`bench: --backend must be cpu, webgl, webgpu or all, got '${b}'`);
        break;
      }
      case '--out': a.out = take(); break;
      case '--budget': {
        const v = Number(take());
        if (!(v >= 0)) throw new UsageError('bench: --budget must be a number of milliseconds ≥ 0');
        a.budgetMs = v;
        break;
      }
      case '--compare': a.compare = take(); break;
      case '--against': a.against = take(); break;
      case '--report': a.report = take(); break;
      case '--data': a.data = take(); break;
      case '--threshold': {
        const v = Number(take());
        if (!(v > 0 && v < 10)) throw new UsageError('bench: --threshold must be a fraction like 0.1');
        a.threshold = v;
        break;
      }
      case '--fail-on-regression': a.failOnRegression = true; break;
      case '--gc': a.gc = true; break;
      case '--list': a.list = true; break;
      case '--help': case '-h': a.help = true; break;
      default: throw new UsageError(`bench: unknown option '${arg}'${didYouMean(flag, BENCH.options.map((o) => `--${o.name}`))}`);
    }
  }
  if (a.against && !a.compare) throw new UsageError('bench: --against needs --compare OLD.json');
  return a;
}

function readResults(path: string): BenchResults {
  if (!existsSync(path)) throw new UsageError(`bench: ${path} does not exist`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`bench: ${path} is not JSON (${(err as Error).message})`);
  }
  try {
    assertResults(data, path);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return data;
}

function compareAndPrint(old: BenchResults, oldPath: string, now: BenchResults, nowLabel: string, args: Args, io: BenchIO): number {
  const cmp = compareResults(old, now, args.threshold);
  io.stdout(`\n${formatComparison(cmp, oldPath, nowLabel, args.threshold)}`);
  return cmp.regressions.length > 0 && args.failOnRegression ? 3 : 0;
}

export async function benchMain(argv: string[], io: BenchIO = defaultIO): Promise<number> {
  let args: Args;
  try {
    args = parseBenchArgs(argv);
  } catch (err) {
    io.stderr(`${(err as Error).message}\nRun 'sparsegrad bench --help' for the options and examples.\n`);
    return 2;
  }
  if (args.help) {
    io.stdout(`${BENCH_USAGE}\n`);
    return 0;
  }
  if (args.list) {
    for (const b of registry) io.stdout(`${b.name.padEnd(16)} ${b.description}\n`);
    return 0;
  }
  try {
    // several comma-separated files: runs of one build, each measurement at its fastest run (compare.ts combineRuns)
    const readRuns = (paths: string) => combineRuns(paths.split(',').filter((p) => p !== '').map(readResults));
    const old = args.compare ? readRuns(args.compare) : null;
    if (old && args.against) return compareAndPrint(old, args.compare!, readRuns(args.against), args.against, args, io);
    if (args.report) {
      const written = writeOutputs(readResults(args.report), resolve(args.out));
      io.stderr(`bench: wrote ${written.markdown}, ${written.dashboard} and ${written.charts.length} chart(s) from ${args.report}\n`);
      return 0;
    }
    let benches;
    try {
      benches = selectBenchmarks(args.only);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }

    const date = new Date();
    const log = (line: string) => io.stderr(`${line}\n`);
    const availability = await probeBackends(args.backends);
    for (const [name, why] of availability) if (why !== null) log(`bench: backend ${name} unavailable, its runs are skipped: ${why}`);
    const gl = availability.get('webgl') === null ? await glInfo() : null;
    const policy: Partial<RepeatPolicy> | undefined = args.budgetMs !== null ? { budgetMs: args.budgetMs } : undefined;
    const runs = await runBenchmarks(benches, args.backends, availability, {
      size: args.size, clock: io.clock, policy, log, settle: args.gc ? () => { collectGarbage(); } : undefined, data: args.data ?? undefined,
    });

    const results: BenchResults = {
      schemaVersion: SCHEMA_VERSION,
      tool: 'sparsegrad-bench',
      mode: args.size,
      options: { only: args.only, backends: args.backends },
      environment: environment(`sparsegrad bench${argv.length ? ` ${argv.join(' ')}` : ''}`, gl, date),
      runs,
    };
    const written = writeOutputs(results, resolve(args.out));
    io.stdout(markdown(results));
    log(`bench: wrote ${written.json}, ${written.markdown}, ${written.dashboard} and ${written.charts.length} chart(s)`);

    let code = runs.some((r) => r.status === 'error') ? 1 : 0;
    if (code === 1) log(`bench: crashed: ${runs.filter((r) => r.status === 'error').map((r) => `${r.benchmark}/${r.backend}`).join(', ')}`);
    if (old) {
      const c = compareAndPrint(old, args.compare!, results, written.json, args, io);
      if (code === 0) code = c;
    }
    return code;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    io.stderr(`bench: crashed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}
