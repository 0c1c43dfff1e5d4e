import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { median, quantile, ratioOf, summarize } from '../../bench/stats.js';
import { runBenchmarks, runCase } from '../../bench/harness.js';
import { BenchSkip, type Benchmark, type BenchCase, type Comparison } from '../../bench/types.js';
import { fakeClock, fakeControl, scriptedSide } from './fixtures.js';

const CASE: BenchCase = { id: 'n=1', params: { n: 1 }, items: 1000 };
const fixed = (rounds: number) => ({ warmup: 1, minRounds: rounds, maxRounds: rounds, budgetMs: 0 });

test('median, quantiles and spread', () => {
  assert.is(median([5, 1, 3]), 3);
  assert.is(median([4, 1, 3, 2]), 2.5);
  assert.is(quantile([1, 2, 3, 4, 5], 0.25), 2);
  const s = summarize([10, 30, 20, 50, 40]);
  assert.equal([s.n, s.median, s.min, s.max, s.mean, s.q1, s.q3], [5, 30, 10, 50, 30, 20, 40]);
  assert.is(s.mad, 10); // |x − 30| = 20, 0, 10, 20, 10 → median 10
  assert.ok(Math.abs(s.spread - 1 / 3) < 1e-12);
  assert.throws(() => summarize([]), /no samples/);
});

test('ratio is median(A)/median(B); paired ratios round by round', () => {
  const r = ratioOf([10, 20, 30], [5, 10, 30]);
  assert.is(r.ratio, 2);
  assert.equal([r.pairedMin, r.pairedMedian, r.pairedMax], [1, 2, 2]);
});

test('runner interleaves A B A B (warm-up included) and summarizes on a fake clock', async () => {
  const clock = fakeClock();
  const order: string[] = [];
  const cmp: Comparison = {
    id: 'c', title: 'c',
    sides: [
      scriptedSide('A', clock, [100, 10, 30, 20, 50, 40], order),
      scriptedSide('B', clock, [100, 5, 15, 10, 25, 20], order),
    ],
    reference: () => ({ targetRatio: 1.5, seedRatio: 1.2 }),
  };
  const res = await runCase(cmp, CASE, 'cpu', { size: 'quick', clock, control: fakeControl(), policy: fixed(5) });
  assert.is(res.status, 'ok', res.message ?? '');
  assert.equal(order, ['A', 'B', 'A', 'B', 'A', 'B', 'A', 'B', 'A', 'B', 'A', 'B']);
  const [a, b] = res.sides;
  assert.equal(a.samplesMs, [10, 30, 20, 50, 40]); // the warm-up's 100 ms is not a sample
  assert.equal([a.n, a.medianMs, a.minMs, a.maxMs, a.meanMs], [5, 30, 10, 50, 30]);
  assert.equal([b.medianMs, b.minMs, b.maxMs], [15, 5, 25]);
  assert.is(res.ratios[0].ratio, 2);
  assert.is(res.ratios[0].pairedMedian, 2);
  assert.is(a.throughput, 1000 / 0.03);
  assert.is(res.verdict.ratio, 'met');
  assert.is(res.reference?.seedRatio, 1.2);
  assert.is(res.warmup, 1);
});

test('three sides run round-robin and each variant gets a ratio against the first', async () => {
  const clock = fakeClock();
  const order: string[] = [];
  const cmp: Comparison = {
    id: 'c', title: 'c',
    sides: [scriptedSide('fp32', clock, [8], order), scriptedSide('fp16', clock, [4], order), scriptedSide('amp', clock, [2], order)],
  };
  const res = await runCase(cmp, CASE, 'cpu', { size: 'quick', clock, control: fakeControl(), policy: { ...fixed(2), warmup: 0 } });
  assert.equal(order, ['fp32', 'fp16', 'amp', 'fp32', 'fp16', 'amp']);
  assert.equal(res.ratios.map((r) => [r.baseline, r.variant, r.ratio]), [['fp32', 'fp16', 2], ['fp32', 'amp', 4]]);
});

test('the time budget stops the rounds; maxRounds caps them; minRounds is always met', async () => {
  const clock = fakeClock();
  const mk = () => ({ id: 'c', title: 'c', sides: [scriptedSide('A', clock, [10], []), scriptedSide('B', clock, [10], [])] });
  const control = fakeControl();
  const byBudget = await runCase(mk(), CASE, 'cpu', { size: 'quick', clock, control, policy: { warmup: 0, minRounds: 2, maxRounds: 50, budgetMs: 100 } });
  assert.is(byBudget.sides[0].n, 5); // 20 ms per round
  const byMax = await runCase(mk(), CASE, 'cpu', { size: 'quick', clock, control, policy: { warmup: 0, minRounds: 2, maxRounds: 7, budgetMs: 1e9 } });
  assert.is(byMax.sides[0].n, 7);
  const byMin = await runCase(mk(), CASE, 'cpu', { size: 'quick', clock, control, policy: { warmup: 0, minRounds: 3, maxRounds: 10, budgetMs: 1 } });
  assert.is(byMin.sides[0].n, 3);
});

test('a case can override the policy; a missed target is reported as missed', async () => {
  const clock = fakeClock();
  const cmp: Comparison = {
    id: 'c', title: 'c', sides: [scriptedSide('A', clock, [10], []), scriptedSide('B', clock, [10], [])],
    reference: () => ({ targetRatio: 3 }),
  };
  const res = await runCase(cmp, { ...CASE, repeats: { warmup: 0, minRounds: 4, maxRounds: 4 } }, 'cpu', { size: 'quick', clock, control: fakeControl() });
  assert.is(res.sides[0].n, 4);
  assert.is(res.verdict.ratio, 'missed');
});

test('a failing setup is an error naming the side and phase; the other side is torn down', async () => {
  const clock = fakeClock();
  let tornDown = false;
  const cmp: Comparison = {
    id: 'c', title: 'c',
    sides: [
      { label: 'good', setup: () => ({ run() {}, teardown() { tornDown = true; } }) },
      { label: 'bad', setup: () => { throw new Error('boom'); } },
    ],
  };
  const res = await runCase(cmp, CASE, 'cpu', { size: 'quick', clock, control: fakeControl() });
  assert.is(res.status, 'error');
  assert.match(res.message ?? '', /side 'bad', setup: boom/);
  assert.ok(tornDown);
  const skip: Comparison = { id: 's', title: 's', sides: [{ label: 'x', setup: () => { throw new BenchSkip('too big'); } }] };
  const skipped = await runCase(skip, CASE, 'cpu', { size: 'quick', clock, control: fakeControl() });
  assert.is(skipped.status, 'skipped');
  assert.match(skipped.message ?? '', /too big/);
});

test('live tensors left behind by a run are reported per side', async () => {
  const clock = fakeClock();
  const live = { n: 0 };
  const cmp: Comparison = {
    id: 'c', title: 'c',
    sides: [scriptedSide('leaky', clock, [1], [], () => { live.n++; }), scriptedSide('clean', clock, [1], [])],
  };
  const res = await runCase(cmp, CASE, 'cpu', { size: 'quick', clock, control: fakeControl(live), policy: fixed(3) });
  assert.equal(res.sides.map((s) => s.leakedTensorsPerRun), [1, 0]);
});

test('metrics a side reports are recorded with its timings', async () => {
  const clock = fakeClock();
  const cmp: Comparison = {
    id: 'c', title: 'c',
    sides: [
      { label: 'fp32', setup: () => ({ run() { clock.t += 2; }, metrics: () => ({ tableBytes: 400 }) }) },
      scriptedSide('fp16', clock, [1], []),
    ],
  };
  const res = await runCase(cmp, CASE, 'cpu', { size: 'quick', clock, control: fakeControl(), policy: fixed(2) });
  assert.equal(res.sides.map((s) => s.metrics), [{ tableBytes: 400 }, {}]);
});

test('pinned sides switch backends before each run', async () => {
  const clock = fakeClock();
  const control = fakeControl();
  const seen: string[] = [];
  const side = (b: string) => ({ label: b, backend: b, setup: () => ({ run() { seen.push(control.current()); } }) });
  await runCase({ id: 'c', title: 'c', sides: [side('cpu'), side('webgl')] }, CASE, 'cpu', { size: 'quick', clock, control, policy: { ...fixed(2), warmup: 0 } });
  assert.equal(seen, ['cpu', 'webgl', 'cpu', 'webgl']);
});

test('runBenchmarks: unavailable or unselected backends become skipped runs with the reason', async () => {
  const clock = fakeClock();
  const cases = () => [CASE];
  const mkSides = () => [scriptedSide('A', clock, [1], []), scriptedSide('B', clock, [1], [])];
  const each: Benchmark = { name: 'each', description: 'd', cases, comparisons: [{ id: 'c', title: 'c', sides: mkSides() }] };
  const pinned: Benchmark = { name: 'pinned', description: 'd', backendMode: 'pinned', requires: ['cpu', 'webgl'], cases, comparisons: [{ id: 'c', title: 'c', sides: mkSides() }] };
  const avail = new Map<string, string | null>([['cpu', null], ['webgl', 'no GL context']]);
  const opts = { size: 'tiny' as const, clock, control: fakeControl() };
  const runs = await runBenchmarks([each, pinned], ['cpu', 'webgl'], avail, opts);
  assert.equal(runs.map((r) => [r.benchmark, r.backend, r.status]), [
    ['each', 'cpu', 'ok'], ['each', 'webgl', 'skipped'], ['pinned', 'cpu+webgl', 'skipped'],
  ]);
  assert.match(runs[1].message ?? '', /no GL context/);
  const cpuOnly = await runBenchmarks([pinned], ['cpu'], avail, opts);
  assert.match(cpuOnly[0].message ?? '', /not selected/);
});

test.run();
