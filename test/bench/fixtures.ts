/** Shared test helpers: a fake clock, a backend control that needs no tensors, scripted sides. */
import type { BackendControl, Clock } from '../../bench/harness.js';
import type { Side } from '../../bench/types.js';

export interface FakeClock extends Clock {
  t: number;
}

export function fakeClock(): FakeClock {
  const c = { t: 0, now: () => c.t };
  return c;
}

export function fakeControl(live = { n: 0 }): BackendControl & { used: string[] } {
  let current = 'cpu';
  const used: string[] = [];
  return {
    used,
    use: async (name) => {
      used.push(name);
      current = name;
    },
    current: () => current,
    liveTensors: () => live.n,
  };
}

/** A side whose k-th run (warm-up included) takes durations[k] ms on the fake clock and logs its label. */
export function scriptedSide(label: string, clock: FakeClock, durations: number[], order: string[], onRun?: () => void): Side {
  return {
    label,
    setup: () => {
      let k = 0;
      return {
        run() {
          order.push(label);
          clock.t += durations[Math.min(k++, durations.length - 1)];
          onRun?.();
        },
      };
    },
  };
}

import { runBenchmarks } from '../../bench/harness.js';
import { environment } from '../../bench/env.js';
import { SCHEMA_VERSION, type BenchResults } from '../../bench/schema.js';
import type { Benchmark } from '../../bench/types.js';

/** A complete results object from a scripted benchmark (two cases, A 20 ms vs B 10 ms). */
export async function sampleResults(): Promise<BenchResults> {
  const clock = fakeClock();
  const bench: Benchmark = {
    name: 'demo', description: 'demo benchmark',
    cases: () => [
      { id: 'n=10', params: { n: 10 }, items: 100 },
      { id: 'n=100', params: { n: 100 }, items: 100 },
    ],
    comparisons: [{
      id: 'ab', title: 'A vs B',
      sides: [scriptedSide('A', clock, [20], []), scriptedSide('B', clock, [10], [])],
      reference: () => ({ targetRatio: 1.5, seedRatio: 1.5, seedThroughput: 5000, source: 'test' }),
    }],
    charts: [{ id: 'curve', title: 'time vs n', comparison: 'ab', x: 'n', y: 'time' }],
  };
  const runs = await runBenchmarks([bench], ['cpu'], new Map([['cpu', null]]), { size: 'tiny', clock, control: fakeControl() });
  return {
    schemaVersion: SCHEMA_VERSION, tool: 'sparsegrad-bench', mode: 'tiny', options: { only: null, backends: ['cpu'] },
    environment: environment('sparsegrad bench --tiny', null), runs,
  };
}
