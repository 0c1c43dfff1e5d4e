/**
 * The worker pool (backends/cpu/threads.ts): every chunk runs exactly once, the workers take
 * some of them on a multi-core machine, and the back-off: when this thread keeps waiting for
 * a worker that holds a chunk (a worker time-sliced with someone else's process), the
 * kernels run on this thread alone for a while — and setBackoff(false) keeps them shared.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpus } from 'node:os';
import { parallelRows, setBackoff, setThreads, threadCount, threadStats } from '../../backends/cpu/threads.js';

/** out[i] += 1 for i in [i0, i1): a chunk run twice (or never) shows in the counts. The first
 *  chunk (this thread's, which starts taking chunks at once) lasts 2 ms, so a worker wakes in time for the next. */
function countRows(out: Int32Array, i0: number, i1: number): void {
  if (i0 === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
  for (let i = i0; i < i1; i++) out[i] += 1;
}

/** as countRows, but every later chunk — a worker's — sleeps 30 ms (a descheduled worker) */
function slowInWorker(out: Int32Array, i0: number, i1: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, i0 === 0 ? 3 : 30);
  for (let i = i0; i < i1; i++) out[i] += 1;
}

const multiCore = cpus().length > 1;

test('every chunk runs exactly once; workers take a share', () => {
  setBackoff(false);
  const before = setThreads(Infinity);
  try {
    threadStats(true);
    // a worker starts in tens of milliseconds: until then this thread runs every chunk
    const t0 = Date.now();
    for (let rep = 0; rep < 20 || (multiCore && threadStats()[1] === 0 && Date.now() - t0 < 5000); rep++) {
      const out = new Int32Array(new SharedArrayBuffer(4 * 5000));
      const ran = parallelRows(countRows, [out], 5000, Infinity, { minWork: 0 });
      assert.is(ran, multiCore, 'shared on a multi-core machine');
      if (!ran) countRows(out, 0, 5000);
      assert.ok(out.every((v) => v === 1), 'each row exactly once');
    }
    if (multiCore) assert.ok(threadStats().slice(1).some((n) => n > 0), `a worker ran some chunks: ${threadStats()}`);
  } finally {
    setThreads(before);
    setBackoff(true);
  }
});

test('back-off: a worker that keeps the join waiting makes the kernels run alone; setBackoff(false) shares again', () => {
  if (!multiCore) return;
  const before = setThreads(Infinity);
  setBackoff(true);
  try {
    let rounds = 0;
    while (threadCount() > 1 && rounds < 40) {
      const out = new Int32Array(new SharedArrayBuffer(4 * 100));
      parallelRows(slowInWorker, [out], 100, Infinity, { minWork: 0 });
      assert.ok(out.every((v) => v === 1));
      rounds++;
    }
    assert.is(threadCount(), 1, `backed off after ${rounds} jobs with a slow worker`);
    const out = new Int32Array(new SharedArrayBuffer(4 * 100));
    assert.not.ok(parallelRows(countRows, [out], 100, Infinity, { minWork: 0 }), 'while backed off, nothing is shared');
    setBackoff(false);
    assert.ok(threadCount() > 1, 'sharing again');
  } finally {
    setThreads(before);
    setBackoff(true);
  }
});

test.run();
