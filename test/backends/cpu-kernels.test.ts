/** CPU kernels against naive float64 reference implementations written out in full. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { maxRelDiff, randT } from '../helpers/gradcheck.js';

const f64 = (t: sg.Tensor) => Float64Array.from(t.dataSync());

function refMatmul(a: Float64Array, b: Float64Array, M: number, K: number, N: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
    out[i * N + j] = s;
  }
  return out;
}

function refTranspose2(a: Float64Array, R: number, C: number): Float64Array {
  const out = new Float64Array(R * C);
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) out[c * R + r] = a[r * C + c];
  return out;
}

test('matmul (all transpose flags, float32 and float64) matches the triple loop', () => {
  for (const [M, K, N] of [[1, 1, 1], [7, 5, 3], [33, 17, 29]]) {
    const a = randT([M, K], 1);
    const b = randT([K, N], 2);
    const ref = refMatmul(f64(a), f64(b), M, K, N);
    assert.ok(maxRelDiff(f64(sg.matmul(a, b)), ref) < 1e-12);
    const at = sg.tensor(refTranspose2(f64(a), M, K), [K, M], 'float64');
    const bt = sg.tensor(refTranspose2(f64(b), K, N), [N, K], 'float64');
    assert.ok(maxRelDiff(f64(sg.matmul(at, b, { transposeA: true })), ref) < 1e-12);
    assert.ok(maxRelDiff(f64(sg.matmul(a, bt, { transposeB: true })), ref) < 1e-12);
    assert.ok(maxRelDiff(f64(sg.matmul(at, bt, { transposeA: true, transposeB: true })), ref) < 1e-12);
    assert.ok(maxRelDiff(f64(sg.matmul(a.cast('float32'), b.cast('float32'))), ref) < 1e-5);
  }
});

test('a big matmul (split across two threads) equals the single-thread kernel exactly', async () => {
  const { matmulRows } = await import('../../backends/cpu/matmul.js');
  const { setWasmMatmul } = await import('../../backends/cpu/wasm/gemm.js');
  const M = 301, K = 150, N = 97; // > 4M multiply-adds: the worker takes half the rows
  const a = sg.randn([M, K], { seed: 5 });
  const b = sg.randn([K, N], { seed: 6 });
  setWasmMatmul(false); // the JS kernel (float32 products otherwise go to WebAssembly)
  let got: Float32Array;
  try {
    got = sg.matmul(a, b).dataSync() as Float32Array;
  } finally {
    setWasmMatmul(true);
  }
  const bt = sg.transpose(b).dataSync() as Float32Array;
  const ref = new Float32Array(M * N);
  matmulRows(a.dataSync() as Float32Array, bt, K, N, ref, 0, M);
  assert.equal(Array.from(got), Array.from(ref));
  // both kernels against the float64 triple loop: the JS one rounds once, the WebAssembly
  // one accumulates in float32 (error growing with K)
  const ref64 = refMatmul(Float64Array.from(a.dataSync()), Float64Array.from(b.dataSync()), M, K, N);
  assert.ok(maxRelDiff(got, ref64) < 1e-6);
  assert.ok(maxRelDiff(sg.matmul(a, b).dataSync(), ref64) < 4e-7 * K);
});

test('broadcast binary ops match an index-by-index reference', () => {
  const a = randT([2, 3, 4], 3);
  const b = randT([3, 1], 4);
  const av = f64(a);
  const bv = f64(b);
  const out = f64(sg.sub(a, b));
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) {
    assert.ok(Math.abs(out[i * 12 + j * 4 + k] - (av[i * 12 + j * 4 + k] - bv[j])) < 1e-15);
  }
  const row = randT([4], 5);
  const out2 = f64(sg.div(row, a));
  for (let i = 0; i < 24; i++) assert.ok(Math.abs(out2[i] - f64(row)[i % 4] / av[i]) < 1e-12);
});

test('reductions over every axis subset match loops', () => {
  const x = randT([3, 4, 5], 6);
  const v = f64(x);
  const at = (i: number, j: number, k: number) => v[i * 20 + j * 5 + k];
  const s02 = f64(sg.sum(x, [0, 2]));
  for (let j = 0; j < 4; j++) {
    let s = 0;
    for (let i = 0; i < 3; i++) for (let k = 0; k < 5; k++) s += at(i, j, k);
    assert.ok(Math.abs(s02[j] - s) < 1e-12);
  }
  const m1 = f64(sg.max(x, 1));
  for (let i = 0; i < 3; i++) for (let k = 0; k < 5; k++) {
    let m = -Infinity;
    for (let j = 0; j < 4; j++) m = Math.max(m, at(i, j, k));
    assert.is(m1[i * 5 + k], m);
  }
  const mean0 = f64(sg.mean(x, 0));
  for (let j = 0; j < 20; j++) assert.ok(Math.abs(mean0[j] - (v[j] + v[20 + j] + v[40 + j]) / 3) < 1e-12);
  assert.ok(Math.abs(sg.sum(x).item() - v.reduce((s, y) => s + y, 0)) < 1e-12);
  assert.is(sg.min(x).item(), Math.min(...v));
});

test('last-axis sums (four runs at a time, then the rest) equal in-order float64 sums exactly', () => {
  for (const [rows, cols] of [[1, 9], [3, 5], [4, 25], [7, 3], [1001, 25]]) {
    const x = randT([rows, cols], rows + cols);
    const v = f64(x);
    const s = f64(sg.sum(x, 1));
    for (let r = 0; r < rows; r++) {
      let want = 0;
      for (let c = 0; c < cols; c++) want += v[r * cols + c];
      assert.is(s[r], want, `[${rows}, ${cols}] row ${r}`);
    }
    const s32 = sg.sum(sg.cast(x, 'float32'), 1).dataSync();
    const v32 = sg.cast(x, 'float32').dataSync();
    for (let r = 0; r < rows; r++) {
      let want = 0;
      for (let c = 0; c < cols; c++) want += v32[r * cols + c];
      assert.is(s32[r], Math.fround(want), `float32 [${rows}, ${cols}] row ${r}`);
    }
  }
});

test('transpose, slice and concat move the right elements', () => {
  const x = randT([2, 3, 4], 7);
  const v = f64(x);
  const t = f64(sg.transpose(x, [2, 0, 1])); // shape [4, 2, 3]
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) {
    assert.is(t[k * 6 + i * 3 + j], v[i * 12 + j * 4 + k]);
  }
  const s = f64(sg.slice(x, [1, 1, 1], [1, 2, 3]));
  assert.equal(Array.from(s), [v[17], v[18], v[19], v[21], v[22], v[23]]);
  const c = f64(sg.concat([sg.ones([2, 1], 'float64'), sg.zeros([2, 2], 'float64')], 1));
  assert.equal(Array.from(c), [1, 0, 0, 1, 0, 0]);
});

test('softmax family matches the definitions', () => {
  const x = randT([3, 6], 8);
  const v = f64(x);
  const sm = f64(sg.softmax(x));
  const lsm = f64(sg.logSoftmax(x));
  const lse = f64(sg.logSumExp(x));
  for (let r = 0; r < 3; r++) {
    let z = 0;
    for (let c = 0; c < 6; c++) z += Math.exp(v[r * 6 + c]);
    assert.ok(Math.abs(lse[r] - Math.log(z)) < 1e-12);
    for (let c = 0; c < 6; c++) {
      assert.ok(Math.abs(sm[r * 6 + c] - Math.exp(v[r * 6 + c]) / z) < 1e-12);
      assert.ok(Math.abs(lsm[r * 6 + c] - (v[r * 6 + c] - Math.log(z))) < 1e-12);
    }
  }
  // huge logits do not overflow
  const big = sg.softmax(sg.tensor([[1000, 1000]]));
  assert.equal(Array.from(big.dataSync()), [0.5, 0.5]);
});

test('unary kernels match Math', () => {
  const x = randT([50], 9, { min: 0.1, max: 3 });
  const v = f64(x);
  const checks: [sg.Tensor, (y: number) => number][] = [
    [sg.exp(x), Math.exp], [sg.log(x), Math.log], [sg.sqrt(x), Math.sqrt], [sg.tanh(x), Math.tanh],
    [sg.sigmoid(x), (y) => 1 / (1 + Math.exp(-y))], [sg.softplus(x), (y) => Math.log(1 + Math.exp(y))],
  ];
  for (const [t, f] of checks) assert.ok(maxRelDiff(f64(t), Array.from(v, f)) < 1e-12);
  // softplus stays finite and exact for large |x|
  assert.equal(Array.from(sg.softplus(sg.tensor([800, -800], [2], 'float64')).dataSync()), [800, 0]);
});

test('gather, segment sum and scatter-add', () => {
  const table = randT([6, 3], 10);
  const tv = f64(table);
  const g = f64(sg.gather(table, [5, 0, 5]));
  assert.equal(Array.from(g), [...tv.slice(15, 18), ...tv.slice(0, 3), ...tv.slice(15, 18)]);
  // dense gather gradient = scatter-add of dy rows
  const w = sg.variable(table);
  sg.sum(sg.gather(w, [5, 0, 5], { sparseGrad: false })).backward();
  const grad = f64(w.grad as sg.Tensor);
  assert.equal(Array.from(grad), [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2]);
});

test.run();
