/** Row-sparse gradients, their accumulation rules, lazy optimizers, CSR inputs. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { randomStream } from '../../core/random.js';
import { mergeRowSparse } from '../../core/autograd.js';
import { uniqueSorted } from '../../core/unique.js';
import { accumulate } from '../../core/autograd.js';
import { maxRelDiff } from '../helpers/gradcheck.js';

const vals = (t: sg.Tensor) => Array.from(t.dataSync());

function randomIds(n: number, range: number, seed: number): Int32Array {
  const r = randomStream('ids', seed);
  return Int32Array.from({ length: n }, () => r.int(range));
}

test('uniqueSorted: sorted unique ids and the inverse map', () => {
  const ids = Int32Array.from([7, 2, 7, 0, 2, 9]);
  const { unique, inverse } = uniqueSorted(ids);
  assert.equal(Array.from(unique), [0, 2, 7, 9]);
  for (let i = 0; i < ids.length; i++) assert.is(unique[inverse[i]], ids[i]);
});

test('uniqueSorted: the bitset and sort paths agree with a reference', () => {
  // 3000 draws from 500 ids or ML-20M's 138,493 users take the bitset; from 10M ids the sort
  for (const range of [500, 138_493, 10_000_000]) {
    const ids = randomIds(3000, range, range);
    const { unique, inverse } = uniqueSorted(ids);
    assert.equal(Array.from(unique), Array.from(new Set(ids)).sort((a, b) => a - b), `range ${range}`);
    for (let i = 0; i < ids.length; i++) assert.is(unique[inverse[i]], ids[i]);
    // the scratch (bitset or marker) is reset: a second call on other ids is unaffected
    assert.equal(Array.from(uniqueSorted(Int32Array.from([3, 1, 3])).unique), [1, 3]);
  }
});

test('uniqueSorted: bitset word edges (bits 0 and 31, neighbouring words, one id, all duplicates)', () => {
  const cases = [[31, 0, 32, 63, 31, 64, 95, 96, 0], [0], [31], [5, 5, 5, 5], [1023, 992, 991, 1024], [2 ** 20 + 31, 7]];
  for (const c of cases) {
    const ids = Int32Array.from(c);
    const { unique, inverse } = uniqueSorted(ids);
    assert.equal(Array.from(unique), Array.from(new Set(c)).sort((a, b) => a - b), JSON.stringify(c));
    for (let i = 0; i < ids.length; i++) assert.is(unique[inverse[i]], ids[i], `${JSON.stringify(c)} at ${i}`);
  }
  assert.equal(Array.from(uniqueSorted([]).unique), []);
  assert.equal(Array.from(uniqueSorted([4, 2, 4]).inverse), [1, 0, 1], 'plain arrays too');
});

test('RowSparse checks its indices: sorted, unique, in range (the first, the last and negatives too)', () => {
  const values = (n: number) => sg.zeros([n, 2]);
  for (const bad of [[2, 1], [1, 1], [-1, 3], [0, 10], [10], [-1], [0, 5, 4, 7]]) {
    assert.throws(() => new sg.RowSparse(Int32Array.from(bad), values(bad.length), [10, 2]), /sorted, unique and in \[0, 10\)/, JSON.stringify(bad));
  }
  for (const good of [[], [0], [9], [0, 1, 9], [3, 4, 8]]) {
    assert.is(new sg.RowSparse(Int32Array.from(good), values(good.length), [10, 2]).nnz, good.length);
  }
});

test('gather: RowSparse gradient equals the dense gradient for ids with many duplicates', () => {
  const ids = randomIds(500, 40, 1);
  const table = sg.randn([100, 6], { seed: 1 });
  const dy = sg.randn([500, 6], { seed: 2 });
  const ws = sg.variable(sg.tensor(table.dataSync(), table.shape));
  const wd = sg.variable(sg.tensor(table.dataSync(), table.shape));
  sg.sum(sg.mul(sg.gather(ws, ids), dy)).backward();
  sg.sum(sg.mul(sg.gather(wd, ids, { sparseGrad: false }), dy)).backward();
  const gs = ws.grad as sg.RowSparse;
  assert.ok(gs instanceof sg.RowSparse);
  assert.equal(Array.from(gs.indices), Array.from(new Set(ids)).sort((a, b) => a - b));
  assert.equal(gs.values.shape, [gs.indices.length, 6]);
  assert.ok(maxRelDiff(gs.toDense().dataSync(), (wd.grad as sg.Tensor).dataSync()) === 0);
});

test('Embedding: sparseGrad true gives RowSparse, false gives dense', () => {
  const sparse = new sg.nn.Embedding({ num: 10, dim: 3, sparseGrad: true });
  const dense = new sg.nn.Embedding({ num: 10, dim: 3, sparseGrad: false });
  sg.sum(sparse.forward([1, 4, 1])).backward();
  sg.sum(dense.forward([1, 4, 1])).backward();
  assert.ok(sparse.weight.grad instanceof sg.RowSparse);
  assert.ok(!((dense.weight.grad as object) instanceof sg.RowSparse));
  assert.equal(Array.from((sparse.weight.grad as sg.RowSparse).indices), [1, 4]);
});

test('accumulation: RowSparse + RowSparse = RowSparse with rows merged', () => {
  const a = new sg.RowSparse(Int32Array.from([1, 3]), sg.tensor([[1, 1], [2, 2]]), [5, 2]);
  const b = new sg.RowSparse(Int32Array.from([0, 3]), sg.tensor([[10, 10], [20, 20]]), [5, 2]);
  const m = mergeRowSparse(a, b);
  assert.equal(Array.from(m.indices), [0, 1, 3]);
  assert.equal(vals(m.values), [10, 10, 1, 1, 22, 22]);
  const viaRule = accumulate(a, b);
  assert.ok(viaRule instanceof sg.RowSparse);
});

test('accumulation: RowSparse + dense = dense', () => {
  const a = new sg.RowSparse(Int32Array.from([1]), sg.tensor([[1, 2]]), [3, 2]);
  const d = sg.ones([3, 2]);
  for (const sum of [accumulate(a, d), accumulate(d, a)]) {
    assert.ok(!(sum instanceof sg.RowSparse));
    assert.equal(vals(sum as sg.Tensor), [1, 1, 2, 3, 1, 1]);
  }
  assert.equal(vals(d), [1, 1, 1, 1, 1, 1]); // the dense input is not modified
});

test('diamond: the same embedding used twice merges both RowSparse gradients', () => {
  const emb = new sg.nn.Embedding({ num: 8, dim: 2, seed: 3 });
  const u = emb.forward([0, 5]);
  const v = emb.forward([5, 6]);
  sg.sum(sg.mul(u, v)).backward();
  const g = emb.weight.grad as sg.RowSparse;
  assert.ok(g instanceof sg.RowSparse);
  assert.equal(Array.from(g.indices), [0, 5, 6]);
  const w = emb.weight.dataSync();
  const row = (r: number) => [w[2 * r], w[2 * r + 1]];
  // d/dW[0] = W[5]; d/dW[5] = W[0] + W[6]; d/dW[6] = W[5]
  const expect = [...row(5), row(0)[0] + row(6)[0], row(0)[1] + row(6)[1], ...row(5)];
  assert.ok(maxRelDiff(g.values.dataSync(), expect) < 1e-7);
});

test('RowSparse mixes with a dense gradient on the same parameter (dense result)', () => {
  const w = sg.variable(sg.ones([4, 2]));
  sg.add(sg.sum(sg.gather(w, [2])), sg.sum(sg.mul(w, 2))).backward();
  assert.ok(!((w.grad as object) instanceof sg.RowSparse));
  assert.equal(vals(w.grad as sg.Tensor), [2, 2, 2, 2, 3, 3, 2, 2]);
});

/** Two identical tables; one trained with dense gradients, one with RowSparse + lazy. */
function twinSteps(makeOpt: (p: sg.Tensor[], lazy: boolean) => sg.optim.Optimizer, batches: number[][], lazyOnSparse = true) {
  const init = sg.randn([12, 4], { seed: 5 }).dataSync();
  const dense = sg.variable(sg.tensor(init, [12, 4]));
  const sparse = sg.variable(sg.tensor(init, [12, 4]));
  const od = makeOpt([dense], true);
  const os = makeOpt([sparse], lazyOnSparse);
  batches.forEach((ids, step) => {
    const target = sg.randn([ids.length, 4], { seed: 100 + step });
    for (const [w, o, sparseGrad] of [[dense, od, false], [sparse, os, true]] as const) {
      sg.tidy(() => {
        o.zeroGrad();
        sg.mse(sg.gather(w, ids, { sparseGrad }), target).backward();
        o.step();
      });
    }
  });
  return { dense: dense.dataSync(), sparse: sparse.dataSync() };
}

test('lazy SGD (no momentum, no decay) equals dense SGD bit for bit', () => {
  const { dense, sparse } = twinSteps((p, lazy) => new sg.optim.SGD(p, { lr: 0.3, lazy }), [[1, 3, 3], [0, 11, 3], [5]]);
  assert.equal(Array.from(sparse), Array.from(dense));
});

test('lazy: false densifies and equals the dense update exactly (Adam with decay)', () => {
  const mk = (p: sg.Tensor[], lazy: boolean) => new sg.optim.Adam(p, { lr: 0.05, weightDecay: 0.1, lazy });
  const { dense, sparse } = twinSteps(mk, [[1, 3], [0, 3], [7]], false);
  assert.equal(Array.from(sparse), Array.from(dense));
});

test('lazy Adam: equal to dense Adam on rows touched every step, untouched rows left alone', () => {
  // rows 2 and 4 are in every batch; row 9 only in the first; row 0 never
  const batches = [[2, 4, 9], [4, 2], [2, 4, 4]];
  const init = sg.randn([12, 4], { seed: 5 }).dataSync();
  const { dense, sparse } = twinSteps((p, lazy) => new sg.optim.Adam(p, { lr: 0.05, lazy }), batches);
  const row = (a: ArrayLike<number>, r: number) => Array.from(a).slice(r * 4, r * 4 + 4);
  assert.equal(row(sparse, 2), row(dense, 2));
  assert.equal(row(sparse, 4), row(dense, 4));
  // row 9: dense Adam keeps moving it with its momentum after step 1; lazy Adam does not
  assert.not.equal(row(sparse, 9), row(dense, 9));
  assert.not.equal(row(sparse, 9), row(init, 9)); // it was updated once (step 1)
  // row 0 was never touched: lazy leaves it bit-identical, dense with zero moments too
  assert.equal(row(sparse, 0), row(init, 0));
});

test('lazy SGD with weight decay decays only the active rows', () => {
  const w = sg.variable(sg.ones([5, 2]));
  const opt = new sg.optim.SGD([w], { lr: 0.1, weightDecay: 0.5 });
  sg.sum(sg.mul(sg.gather(w, [3]), 0)).backward(); // zero gradient, but row 3 is active
  opt.step();
  assert.equal(vals(w), [1, 1, 1, 1, 1, 1, 0.95, 0.95, 1, 1].map(Math.fround));
  const wd = sg.variable(sg.ones([5, 2]));
  const optd = new sg.optim.SGD([wd], { lr: 0.1, weightDecay: 0.5, lazy: false });
  sg.sum(sg.mul(sg.gather(wd, [3]), 0)).backward();
  optd.step();
  assert.equal(vals(wd), new Array(10).fill(Math.fround(0.95)));
});

test('lazy AdaGrad and momentum SGD touch only the gradient rows', () => {
  for (const make of [(p: sg.Tensor[]) => new sg.optim.AdaGrad(p, { lr: 0.1 }), (p: sg.Tensor[]) => new sg.optim.SGD(p, { lr: 0.1, momentum: 0.9 })]) {
    const w = sg.variable(sg.ones([6, 2]));
    const opt = make([w]);
    for (const ids of [[1, 4], [4]]) {
      opt.zeroGrad();
      sg.sum(sg.gather(w, ids)).backward();
      opt.step();
    }
    const v = vals(w);
    for (const r of [0, 2, 3, 5]) assert.equal(v.slice(2 * r, 2 * r + 2), [1, 1]);
    assert.ok(v[2] < 1 && v[8] < 1);
  }
});

// ---- CSR --------------------------------------------------------------------------

function randomCSR(rows: number, cols: number, density: number, seed: number, emptyRow = -1): sg.CSR {
  const r = randomStream('csr', seed);
  const R: number[] = []; const C: number[] = []; const V: number[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    if (i !== emptyRow && r.next() < density) { R.push(i); C.push(j); V.push(r.next() * 2 - 1); }
  }
  return sg.fromCOO(R, C, V, [rows, cols]);
}

test('spmm forward and backward equal the dense matmul (empty rows and columns included)', () => {
  const x = randomCSR(9, 30, 0.1, 1, 4);
  assert.ok(x.indptr[5] === x.indptr[4]); // row 4 is empty
  const xd = sg.tensor(x.toDense(), [9, 30]);
  const init = sg.randn([30, 5], { seed: 2 }).dataSync();
  const w1 = sg.variable(sg.tensor(init, [30, 5]));
  const w2 = sg.variable(sg.tensor(init, [30, 5]));
  const w3 = sg.variable(sg.tensor(init, [30, 5]));
  const dy = sg.randn([9, 5], { seed: 3 });
  const y1 = sg.matmul(x, w1);
  const y2 = sg.matmul(xd, w2);
  assert.ok(maxRelDiff(y1.dataSync(), y2.dataSync()) < 1e-6);
  sg.sum(sg.mul(y1, dy)).backward();
  sg.sum(sg.mul(y2, dy)).backward();
  sg.sum(sg.mul(sg.matmul(x, w3, { sparseGrad: true }), dy)).backward();
  assert.ok(maxRelDiff((w1.grad as sg.Tensor).dataSync(), (w2.grad as sg.Tensor).dataSync()) < 1e-6);
  const rs = w3.grad as sg.RowSparse;
  assert.ok(rs instanceof sg.RowSparse);
  const usedCols = Array.from(new Set(x.indices)).sort((a, b) => a - b);
  assert.equal(Array.from(rs.indices), usedCols);
  assert.ok(maxRelDiff(rs.toDense().dataSync(), (w2.grad as sg.Tensor).dataSync()) < 1e-6);
});

test('fromCOO sorts and sums duplicate coordinates; CSR round trips', () => {
  const m = sg.fromCOO([1, 0, 1, 1], [2, 1, 0, 2], [1, 2, 3, 4], [2, 3]);
  assert.equal(Array.from(m.indptr), [0, 1, 3]);
  assert.equal(Array.from(m.indices), [1, 0, 2]);
  assert.equal(Array.from(m.values), [2, 3, 5]);
  assert.equal(Array.from(m.toDense()), [0, 2, 0, 3, 0, 5]);
  assert.equal(Array.from(sg.fromDense(m.toDense(), [2, 3]).values), [2, 3, 5]);
  const t = m.transpose();
  assert.equal(t.shape, [3, 2]);
  assert.equal(Array.from(t.toDense()), [0, 3, 2, 0, 0, 5]);
});

test('padded -1 format ↔ CSR', () => {
  const padded = [3, 1, -1, -1, -1, -1, 0, 2, 4];
  const m = sg.fromPadded(padded, 3, 5);
  assert.equal(m.shape, [3, 5]);
  assert.equal(Array.from(m.indptr), [0, 2, 2, 5]);
  assert.equal(Array.from(m.indices), [1, 3, 0, 2, 4]);
  const back = sg.toPadded(m);
  assert.is(back.width, 3);
  assert.equal(Array.from(back.ids), [1, 3, -1, -1, -1, -1, 0, 2, 4]);
  assert.throws(() => sg.fromPadded([1, 9], 2, 5), /id 9 at row 0, slot 1/);
});

test('row slicing and selection of a CSR batch', () => {
  const m = randomCSR(10, 12, 0.3, 4);
  const s = m.sliceRows(3, 7);
  assert.equal(Array.from(s.toDense()), Array.from(m.toDense().slice(36, 84)));
  const sel = m.selectRows([9, 0, 9]);
  const d = m.toDense();
  assert.equal(Array.from(sel.toDense()), [...d.slice(108, 120), ...d.slice(0, 12), ...d.slice(108, 120)]);
  assert.throws(() => m.sliceRows(5, 11), /outside the 10 rows/);
  assert.throws(() => m.selectRows([10]), /row 10 at position 0/);
});

test('bad CSR input: each a clear error', () => {
  assert.throws(() => sg.csr([0, 2, 1, 3], [0, 1, 2], [1, 1, 1], [3, 3]), /indptr is not monotone at row 1/);
  assert.throws(() => sg.csr([0, 2], [2, 1], [1, 1], [1, 3]), /not sorted and unique \(2 then 1/);
  assert.throws(() => sg.csr([0, 1], [5], [1], [1, 3]), /column index 5 at row 0.*outside \[0, 3\)/);
  assert.throws(() => sg.csr([0, 1, 1], [0], [1], [1, 3]), /indptr has length 3, expected rows \+ 1 = 2/);
  assert.throws(() => sg.csr([0, 2], [0, 1], [1], [1, 3]), /2 indices but 1 values/);
  assert.throws(() => sg.fromCOO([0, 3], [0, 0], null, [2, 2]), /row 3 at entry 1/);
  const w = sg.zeros([4, 2]);
  assert.throws(() => sg.matmul(sg.csr([0, 1], [0], [1], [1, 3]), w), /CSR \[1, 3\] · \[4, 2\]: inner dimensions differ/);
});

test('storage report: dense vs CSR bytes (ML-20M shape: ~14.8 GB dense float32 vs ~160 MB CSR)', () => {
  const r = sg.storageReport(138493, 26744, 20000263);
  assert.ok(r.denseBytes > 14e9 && r.denseBytes < 15e9); // float32: 138,493 × 26,744 × 4 bytes
  assert.ok(r.csrBytes > 150e6 && r.csrBytes < 170e6);
  assert.ok(r.ratio > 80);
});

test.run();
