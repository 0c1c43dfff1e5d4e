/**
 * fitRows (the training loop of the user-row models) takes a matrix, input/target matrices,
 * UserRowIterator batches or plain Batches alike; logs like fit; keepBest needs an eval
 * split. RankingCallback adds ranking validation to fit().
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { UserRowIterator } from '../../datasets/iterators/userrows.js';
import { NegativeSamplingIterator } from '../../datasets/iterators/negative.js';
import { planted } from './planted.js';

const data = planted({ users: 120, items: 60, seed: 8 });
const m = data.matrix;

test('fitRows: matrix, {input, target}, UserRowIterator and Batch iterables give the same steps per epoch', async () => {
  const sources: [string, sg.train.RowData][] = [
    ['matrix', m],
    ['input/target', { input: m, target: m }],
    ['UserRowIterator', new UserRowIterator(m, { batchSize: 40, shuffle: true, seed: 1 })],
    ['batches', [0, 40, 80].map((a) => ({ inputs: { rows: m.sliceRows(a, a + 40) }, size: 40 }))],
  ];
  for (const [name, source] of sources) {
    sg.setSeed(1);
    const model = new sg.models.AutoEncoder({ numItems: 60, hidden: [8, 4] });
    let steps = 0;
    const lines: string[] = [];
    const h = await sg.train.fitRows(model, source, {
      epochs: 2, batchSize: 40, batchEndEvery: 3, progress: false, log: (l) => lines.push(l),
      callbacks: [{ onBatchEnd: () => { steps++; } }],
    });
    assert.is(steps, 6, `${name}: 3 batches × 2 epochs`);
    assert.is(h.epochs.length, 2);
    assert.ok(lines.some((l) => /^Epoch\[0\] Batch \[3\] Speed: [\d.]+ samples\/sec loss=/.test(l)), `${name}: ${lines.join('\n')}`);
    assert.ok(lines.some((l) => /^Epoch\[1\] Time cost=/.test(l)));
  }
});

test('fitRows: keepBest needs an eval split and a known metric', async () => {
  const model = new sg.models.AutoEncoder({ numItems: 60, hidden: [8, 4] });
  const failure = async (p: Promise<unknown>) => p.then(() => '(no error)', (e: Error) => e.message);
  assert.match(await failure(sg.train.fitRows(model, m, { keepBest: 'ndcg@100', verbose: false })), /keepBest 'ndcg@100' needs an evalSplit/);
  const split = { input: m.sliceRows(0, 10), target: m.sliceRows(10, 20) };
  assert.match(await failure(sg.train.fitRows(model, m, { keepBest: 'ndcg@7', evalSplit: split, verbose: false, progress: false })),
    /keepBest 'ndcg@7' is not among the validation metrics/);
});

test('RankingCallback: ranking validation inside fit(), visible to EarlyStopping', async () => {
  const model = new sg.models.ImplicitMF({ numUsers: 120, numItems: 60, dim: 4 });
  const it = new NegativeSamplingIterator(data, { sampleRatio: 2, batchSize: 200, seed: 1 });
  const lines: string[] = [];
  const cb = new sg.train.RankingCallback(model, { input: m, target: m }, { k: [10], metrics: ['ndcg'], exclude: null });
  const stop = new sg.train.EarlyStopping({ monitor: 'val-ndcg@10', mode: 'max', patience: 100 });
  const h = await sg.train.fit(model, it, { epochs: 2, metrics: [], log: (l) => lines.push(l), progress: false, callbacks: [cb, stop] });
  assert.ok(lines.some((l) => /^Epoch\[1\] Validation-ndcg@10=0\.\d+/.test(l)));
  assert.is(cb.history.length, 2);
  assert.ok(h.epochs[1].values['val-ndcg@10'] > 0);
});

test.run();
