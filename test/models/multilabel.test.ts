/**
 * MultiLabel (the DSSTNE case): learns planted topics with the full sigmoid output and with
 * sampled outputs; sampled outputs give the output table a RowSparse gradient over exactly
 * the candidate items; the input stays CSR; top-10 recommendations exclude the inputs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { engine } from '../../core/engine.js';
import { CSR } from '../../core/csr.js';
import { heldOutUsers } from '../../datasets/heldout.js';
import { planted } from './planted.js';

const ML = sg.models.MultiLabel;
const { fitRows, evaluateRanking, PopularityScorer } = sg.train;
const quiet = { verbose: false, progress: false } as const;
const ev = { k: [20], metrics: ['ndcg'] as sg.train.RankingMetricName[] };

const data = planted({ users: 500, items: 300, seed: 3 });
const split = heldOutUsers(data, { heldOutUsers: 60, seed: 3 });
const N = split.numItems;
const popNdcg = evaluateRanking(PopularityScorer.fromMatrix(split.train), split.valid, ev).metrics['ndcg@20'];

for (const sampledOutputs of [0, 20]) {
  test(`MultiLabel learns planted topics (sampledOutputs ${sampledOutputs})`, async () => {
    sg.setSeed(5);
    const model = new ML({ numItems: N, hidden: [32], sampledOutputs });
    const h = await fitRows(model, split.train, { epochs: 10, batchSize: 50, optimizer: { name: 'adam', lr: 0.03 }, evalSplit: split.valid, evalOptions: ev, ...quiet });
    const ndcg = h.epochs.at(-1)!.values['val-ndcg@20'];
    assert.ok(ndcg > 2 * popNdcg, `MultiLabel ndcg@20 ${ndcg.toFixed(3)} vs popularity ${popNdcg.toFixed(3)}`);
  });
}

test('sampledOutputs: loss over positives + n negatives per user, RowSparse output gradient over the candidates', () => {
  sg.setSeed(6);
  const x = sg.fromDense([
    1, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 1, 0,
  ], [2, 10]);
  const model = new ML({ numItems: 10, hidden: [4], sampledOutputs: 3 });
  const loss = sg.tidy(() => {
    const { pred, loss: l } = model.trainingStep({ inputs: { rows: x } });
    assert.equal(pred.shape, [2 + 1 + 2 * 3], 'one logit per positive and per sampled negative');
    assert.equal(model.forwardBatch({ inputs: { rows: x } }).shape, [2, 10], 'predictions: every item');
    l.backward();
    return l.item();
  });
  assert.ok(Number.isFinite(loss));
  const gw = model.outWeight.grad as sg.RowSparse;
  const gb = model.outBias.grad as sg.RowSparse;
  assert.ok(gw instanceof sg.RowSparse && gb instanceof sg.RowSparse);
  // every positive is a candidate; at most 3 + 3 negatives; never the whole table
  for (const pos of [0, 1, 8]) assert.ok(gw.indices.includes(pos));
  assert.ok(gw.indices.length <= 3 + 6 && gw.indices.length < 10);
  assert.equal(Array.from(gb.indices), Array.from(gw.indices));
  // the full-output model's gradient is dense
  const full = new ML({ numItems: 10, hidden: [4] });
  sg.tidy(() => full.trainingStep({ inputs: { rows: x } }).loss.backward());
  assert.ok(!(full.outWeight.grad instanceof sg.RowSparse));
  // the input layer's gradient is RowSparse over the input items in both
  assert.equal(Array.from((full.hiddenLayers[0].weight.grad as sg.RowSparse).indices), [0, 1, 8]);
});

test('sampledOutputs: at full size the sampled loss equals the full loss when every item is a candidate', () => {
  // a user with 2 of 4 items and n = 2 negatives covers the catalog: same loss as full output
  const x = sg.fromDense([1, 0, 1, 0], [1, 4]);
  const a = new ML({ numItems: 4, hidden: [3], seed: 1 });
  const b = new ML({ numItems: 4, hidden: [3], seed: 1, sampledOutputs: 2 });
  const la = sg.tidy(() => a.trainingStep({ inputs: { rows: x } }).loss.item());
  const lb = sg.tidy(() => b.trainingStep({ inputs: { rows: x } }).loss.item());
  assert.ok(Math.abs(la - lb) < 1e-5, `${la} vs ${lb}`);
});

test('MultiLabel never materialises a dense [batch, items] input or target', () => {
  const items = 4000;
  const B = 64;
  const r = sg.randomStream('rows', 9);
  const rows: number[] = [];
  const cols: number[] = [];
  for (let u = 0; u < B; u++) for (let k = 0; k < 40; k++) { rows.push(u); cols.push(r.int(items)); }
  const x = sg.fromCOO(rows, cols, null, [B, items]);
  for (const sampledOutputs of [0, 50]) {
    const model = new ML({ numItems: items, hidden: [16], sampledOutputs });
    const be = engine.backend;
    const write = be.write;
    const toDense = CSR.prototype.toDense;
    let largest = 0;
    let densified = 0;
    be.write = function (v, d) { largest = Math.max(largest, v.length); return write.call(this, v, d); };
    CSR.prototype.toDense = function () { densified++; return toDense.call(this); };
    try {
      sg.tidy(() => model.trainingStep({ inputs: { rows: x } }).loss.backward());
    } finally {
      be.write = write;
      CSR.prototype.toDense = toDense;
    }
    assert.is(densified, 0);
    assert.ok(largest < B * items / 10, `sampledOutputs ${sampledOutputs}: uploaded a buffer of ${largest} values (dense would be ${B * items})`);
  }
});

test('recommend: top 10 excluding the inputs; errors name the model', async () => {
  sg.setSeed(7);
  const model = new ML({ numItems: N, hidden: [16] });
  await fitRows(model, split.train, { epochs: 1, batchSize: 256, ...quiet });
  model.setUserRows(split.train);
  for (const u of [0, 5, 9]) {
    const own = new Set(Array.from(split.train.indices.subarray(split.train.indptr[u], split.train.indptr[u + 1])));
    const top = model.recommend(u, 10);
    assert.is(top.indices.length, 10);
    for (const i of top.indices) assert.ok(!own.has(i));
    for (let j = 1; j < 10; j++) assert.ok(top.scores[j] <= top.scores[j - 1]);
  }
  assert.throws(() => new ML({ numItems: 5, sampledOutputs: -1 }), /MultiLabel: sampledOutputs/);
  assert.throws(() => new ML({ numItems: 5, activation: 'gelu' as never }), /MultiLabel: unknown activation 'gelu'/);
  assert.throws(() => model.setUserRows(sg.fromDense([1, 0], [1, 2])), /MultiLabel.setUserRows: the matrix has 2 item columns/);
});

test.run();
