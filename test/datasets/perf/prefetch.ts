// Does prefetch help? A batch-building-heavy case: negative sampling (ratio 5) over an
// ml-1m-sized set, batches of 20,000 positives (120,000 rows). The "training step" is
// either synchronous CPU work (like the CPU backend) or an asynchronous wait (like a WebGL
// step waiting on a readback), each taking about as long as building a batch.
//   node test/datasets/perf/run.mjs prefetch
import { NegativeSamplingIterator } from '../../../datasets/iterators/negative.js';
import { prefetch } from '../../../datasets/iterators/prefetch.js';
import { movielensLike } from '../../../datasets/synthetic/movielens.js';

const ds = movielensLike({ preset: 'ml1m', seed: 1 });
const make = () => new NegativeSamplingIterator(ds, { sampleRatio: 5, batchSize: 20000, seed: 1 });

// build cost alone
let t0 = performance.now();
let n = 0;
for (const b of make()) n += b.size;
const build = performance.now() - t0;
const batches = make().numBatches;
const per = build / batches;
console.log(`building alone: ${batches} batches, ${(n / 1e6).toFixed(1)}M rows, ${build.toFixed(0)} ms (${per.toFixed(1)} ms/batch)`);

const busy = (ms: number) => { const end = performance.now() + ms; let x = 0; while (performance.now() < end) x++; return x; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Step = (b: unknown) => unknown;
async function epoch(step: Step, usePrefetch: boolean, depth = 1): Promise<number> {
  const t = performance.now();
  if (usePrefetch) for await (const b of prefetch(make(), { depth })) await step(b);
  else for (const b of make()) await step(b);
  return performance.now() - t;
}

const steps: [string, Step][] = [
  ['sync CPU step (busy loop)', () => busy(per)],
  ['async step (awaits a timer)', () => sleep(per)],
];
for (const [name, step] of steps) {
  const rows: string[] = [];
  for (const [label, pf, depth] of [['no prefetch', false, 1], ['prefetch depth 1', true, 1], ['prefetch depth 2', true, 2]] as const) {
    const times: number[] = [];
    for (let rep = 0; rep < 3; rep++) times.push(await epoch(step, pf, depth));
    times.sort((a, b) => a - b);
    rows.push(`${label}: ${times[1].toFixed(0)} ms`);
  }
  console.log(`${name}: ${rows.join(', ')}`);
}
