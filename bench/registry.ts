/**
 * Every benchmark, in the order they run. Adding one = a new file under bench/benchmarks/
 * exporting a `Benchmark`, plus one line here; the CLI, the report, the charts, --compare
 * and the smoke test pick it up from this list.
 */
import type { Benchmark } from './types.js';
import { sparseGrad } from './benchmarks/sparse-grad.js';
import { csrInput } from './benchmarks/csr-input.js';
import { scaling } from './benchmarks/scaling.js';
import { backends } from './benchmarks/backends.js';
import { throughput } from './benchmarks/throughput.js';
import { fp16 } from './benchmarks/fp16.js';
import { epoch } from './benchmarks/epoch.js';
import { peers } from './benchmarks/peers.js';
import { composedStep } from './benchmarks/composed-step.js';
import { quality } from './benchmarks/quality.js';

export const registry: readonly Benchmark[] = [sparseGrad, csrInput, scaling, backends, throughput, epoch, fp16, peers, composedStep, quality];

/** The benchmarks named in `only` (all when null), in registry order; unknown names are an error listing the valid ones. */
export function selectBenchmarks(only: string[] | null, from: readonly Benchmark[] = registry): Benchmark[] {
  const names = new Set(from.map((b) => b.name));
  if (names.size !== from.length) throw new Error('bench registry: two benchmarks share a name');
  if (!only) return [...from];
  const unknown = only.filter((n) => !names.has(n));
  if (unknown.length > 0) {
    throw new Error(`bench: unknown benchmark ${unknown.map((n) => `'${n}'`).join(', ')} (known: ${[...names].join(', ')})`);
  }
  return from.filter((b) => only.includes(b.name));
}
