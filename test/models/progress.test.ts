/**
 * The progress bar (n/N, ETA, samples/s without the warm-up batch, running values; the last
 * state stays as the epoch's summary) and the metrics log (one JSON line per epoch and per
 * logged batch, readable by viz's parser) — with a fake TTY and a fake clock.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { formatDuration, MetricsLog, ProgressBar } from '../../models/train/progress.js';
import { parseMetricsLog } from '../../viz/curves.js';

function fakeTty(columns = 120) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, columns, write: (s: string) => { writes.push(s); return true; } } };
}

test('bar: n/N, ETA from the batches after the first, samples/s without the warm-up, running values', () => {
  const { writes, stream } = fakeTty();
  const bar = new ProgressBar(stream);
  bar.start('Epoch[0]', 10, 0);
  // the first batch takes 1000 ms (warm-up), then 100 ms per batch of 500 rows
  bar.step(500, () => ({ loss: 2 }), 1000);
  for (let b = 2; b <= 5; b++) bar.step(500, () => ({ loss: 1.23456, rmse: 0.9 }), 1000 + 100 * (b - 1));
  const line = bar.line(1400, false);
  assert.match(line, /^Epoch\[0\]   5\/10 \[=+>\.+\]  ETA 0\.5s  5,000 samples\/s  loss 1\.235  rmse 0\.9$/);
  assert.is(bar.samplesPerSec(1400), 5000, 'warm-up batch left out: 4 × 500 rows in 400 ms');
  // drawn at most every 100 ms: steps at 1000, 1100, 1200, 1300, 1400 ms → all drawn
  assert.ok(writes.every((w) => w.startsWith('\r') && w.endsWith('\x1b[K')));
  for (let b = 6; b <= 10; b++) bar.step(500, () => ({ loss: 1 }), 1000 + 100 * (b - 1));
  bar.finish(1900);
  const summary = writes[writes.length - 2];
  assert.match(summary, /^\rEpoch\[0\]  10\/10 \[=+\]  1\.9s  5,000 samples\/s  loss 1\x1b\[K$/, 'the summary stays: elapsed time, no ETA');
  assert.is(writes[writes.length - 1], '\n');
  // later epochs: every batch counts (the warm-up was the run's first)
  bar.start('Epoch[1]', 10, 2000);
  bar.step(500, () => ({}), 2100);
  assert.is(bar.samplesPerSec(2100), 5000);
});

test('bar: throttled to 10 redraws a second, fits the terminal, unknown totals, silent off a TTY', () => {
  const { writes, stream } = fakeTty(60);
  const bar = new ProgressBar(stream);
  bar.start('Epoch[0]', null, 0);
  for (let b = 1; b <= 20; b++) bar.step(10, () => ({ loss: 0.5, rmse: 0.7 }), b * 10);
  assert.ok(writes.length <= 3, `${writes.length} redraws in 200 ms`);
  const line = bar.line(200, false);
  assert.ok(line.length <= 59, line);
  assert.match(line, /^Epoch\[0\]  20  /, 'no total yet: a count, no bar, no ETA');
  const quiet: string[] = [];
  const off = new ProgressBar({ isTTY: false, write: (s: string) => { quiet.push(s); return true; } });
  off.start('Epoch[0]', 5, 0);
  off.step(1, () => ({}), 200);
  off.finish(300);
  assert.equal(quiet, []);
  assert.is(formatDuration(3.21), '3.2s');
  assert.is(formatDuration(65), '1m05s');
  assert.is(formatDuration(7322), '2h02m');
});

test('fit with a TTY: one summary line per epoch with n/N (known from the iterator), and the metrics log', async () => {
  const rng = sg.randomStream('progress-test');
  const n = 600;
  const users = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 20));
  const items = Int32Array.from({ length: n }, () => Math.floor(rng.next() * 30));
  const label = Float32Array.from(users, (u, k) => ((u + items[k]) % 5) + 1);
  const it = new sg.datasets.BatchIterator({ inputs: { user: users, item: items }, label, batchSize: 100, shuffle: true, seed: 1 });
  const { writes, stream } = fakeTty();
  const records: string[] = [];
  const original = process.stderr;
  Object.defineProperty(process, 'stderr', { value: stream, configurable: true });
  try {
    await sg.train.fit(new sg.models.MatrixFactorization({ numUsers: 20, numItems: 30, dim: 4 }), it, {
      epochs: 2, batchEndEvery: 2, verbose: false, callbacks: [new MetricsLog((l) => records.push(l))],
    });
  } finally {
    Object.defineProperty(process, 'stderr', { value: original, configurable: true });
  }
  const summaries = writes.filter((w, k) => writes[k + 1] === '\n');
  assert.is(summaries.length, 2, writes.join('|'));
  assert.match(summaries[0], /Epoch\[0\]  6\/6 \[=+\]  [\d.]+s  [\d,]+ samples\/s  loss [\d.]+  rmse [\d.]+/);
  assert.match(summaries[1], /Epoch\[1\]  6\/6 /);
  const parsed = parseMetricsLog(records.join('\n'), 'metrics.jsonl');
  assert.is(parsed.filter((r) => r.type === 'epoch').length, 2);
  const batches = parsed.filter((r) => r.type === 'batch');
  assert.is(batches.length, 6, '3 reports per epoch at batchEndEvery 2');
  assert.equal(batches.map((r) => r.type === 'batch' && r.batch), [2, 4, 6, 2, 4, 6]);
  assert.ok(batches.every((r) => r.type === 'batch' && r.batches === 6 && Number.isFinite(r.values.rmse) && Number.isFinite(r.values.loss)));
});

test.run();
