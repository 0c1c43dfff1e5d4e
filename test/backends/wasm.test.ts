/**
 * The WebAssembly SIMD kernels (backends/cpu/wasm/) against float64 loops written out in
 * full, and the JS fallback they hand over to. float32 accumulation: tolerances grow with K.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { sleb, uleb } from '../../backends/cpu/wasm/emitter.js';
import { gemmBytes, setWasmMatmul, wasmDense, wasmMatmul, wasmMatmulActive, wasmReluGrad } from '../../backends/cpu/wasm/gemm.js';
import { randomStream } from '../../core/random.js';
import { maxRelDiff } from '../helpers/gradcheck.js';
import type { CpuBackend } from '../../backends/cpu/index.js';
const arena = (sg.engine.getBackendInstance('cpu') as CpuBackend).arena;

function rand(n: number, seed: number): Float32Array {
  const r = randomStream('wasm-test', seed);
  return Float32Array.from({ length: n }, () => r.next() * 2 - 1);
}

/** op(a)·op(b) in float64, reading a and b with their transposes in place */
function ref(a: Float32Array, b: Float32Array, M: number, K: number, N: number, tA: boolean, tB: boolean): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
    out[i * N + j] = s;
  }
  return out;
}

/** float32 rounding of K products, each summed with error ≤ ε·|partial sum|: ~ K·ε worst case */
const tol32 = (K: number) => 4e-7 * Math.max(16, K);

test('LEB128 encodings', () => {
  assert.equal(uleb(0), [0]);
  assert.equal(uleb(127), [127]);
  assert.equal(uleb(128), [0x80, 1]);
  assert.equal(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.equal(sleb(-1), [0x7f]);
  assert.equal(sleb(63), [63]);
  assert.equal(sleb(64), [0xc0, 0]);
  assert.equal(sleb(-123456), [0xc0, 0xbb, 0x78]);
});

test('the emitted module validates and is used on Node 20', () => {
  const bytes = gemmBytes();
  assert.ok(bytes && WebAssembly.validate(bytes));
  assert.ok(wasmMatmulActive(arena));
});

// each at least 4096 multiply-adds, the smallest product wasm takes
const shapes: [number, number, number][] = [
  [1, 4096, 1], [7, 13, 50], [64, 64, 64], [33, 1, 170], [5, 3000, 3], [300, 7, 2], [2, 600, 9],
  [3, 50, 130], [101, 64, 50], [50, 20000, 64], [37, 31, 4], [9, 1, 4096],
];
for (const [M, K, N] of shapes) {
  test(`wasm matmul [${M},${K}]·[${K},${N}] (all transposes) matches float64`, () => {
    const a = rand(M * K, M + K);
    const b = rand(K * N, K + N);
    for (const tA of [false, true]) for (const tB of [false, true]) {
      const out = new Float32Array(M * N).fill(NaN);
      assert.ok(wasmMatmul(arena, a, b, M, K, N, tA, tB, out), 'the wasm kernel ran');
      const d = maxRelDiff(out, ref(a, b, M, K, N, tA, tB));
      assert.ok(d < tol32(K), `transposeA=${tA} transposeB=${tB}: ${d}`);
    }
  });
}

test('small products and switched-off wasm go to the JS kernel (and sg.matmul still agrees)', () => {
  const out = new Float32Array(4);
  assert.not.ok(wasmMatmul(arena, rand(4, 1), rand(4, 2), 2, 2, 2, false, false, out), 'too small for wasm');
  const M = 40, K = 70, N = 33;
  const a = sg.tensor(rand(M * K, 3), [M, K]);
  const b = sg.tensor(rand(K * N, 4), [N, K]);
  const want = ref(a.dataSync() as Float32Array, b.dataSync() as Float32Array, M, K, N, false, true);
  const viaWasm = sg.matmul(a, b, { transposeB: true }).dataSync();
  setWasmMatmul(false);
  try {
    assert.not.ok(wasmMatmul(arena, a.dataSync() as Float32Array, b.dataSync() as Float32Array, M, K, N, false, true, new Float32Array(M * N)));
    const viaJs = sg.matmul(a, b, { transposeB: true }).dataSync();
    assert.ok(maxRelDiff(viaJs, want) < 1e-6); // float64 sums, one rounding
  } finally {
    setWasmMatmul(true);
  }
  assert.ok(maxRelDiff(viaWasm, want) < tol32(K));
});

test('wasm dense epilogue: bias and relu (N not a multiple of 4, NaN → 0 like JS relu)', () => {
  for (const [M, K, N] of [[37, 20, 50], [64, 64, 64], [200, 9, 3]]) {
    const x = rand(M * K, 5), w = rand(K * N, 6), bias = rand(N, 7);
    const z = ref(x, w, M, K, N, false, false);
    for (const relu of [false, true]) for (const withBias of [false, true]) {
      const out = new Float32Array(M * N);
      assert.ok(wasmDense(arena, x, w, M, K, N, false, false, withBias ? bias : null, relu, out));
      const want = z.map((v, i) => { const s = v + (withBias ? bias[i % N] : 0); return relu ? Math.max(s, 0) : s; });
      assert.ok(maxRelDiff(out, want) < tol32(K), `relu=${relu} bias=${withBias}`);
    }
  }
  const x = new Float32Array(64 * 64).fill(NaN);
  const out = new Float32Array(64 * 64);
  wasmDense(arena, x, rand(64 * 64, 8), 64, 64, 64, false, false, null, true, out);
  assert.ok(out.every((v) => v === 0));
});

test('wasm relu backward: dy where y > 0, and column sums', () => {
  for (const N of [64, 50, 3, 1]) {
    const rows = Math.ceil(5000 / N);
    const y = rand(rows * N, N).map((v) => (v < 0 ? 0 : v));
    const dy = rand(rows * N, N + 1);
    const dz = new Float32Array(rows * N);
    const sums = new Float32Array(N);
    assert.ok(wasmReluGrad(arena, y, dy, N, dz, sums));
    const want = dy.map((g, i) => (y[i] > 0 ? g : 0));
    assert.equal(Array.from(dz), Array.from(want));
    const wantSums = new Float64Array(N);
    want.forEach((g, i) => { wantSums[i % N] += g; });
    assert.ok(maxRelDiff(sums, wantSums) < tol32(rows), `N=${N}`);
  }
});

test('the dense op (fused kernels) equals matmul + add + relu: values and gradients', () => {
  const x = sg.variable(sg.tensor(rand(300 * 20, 9), [300, 20]));
  const w = sg.variable(sg.tensor(rand(20 * 13, 10), [20, 13]));
  const b = sg.variable(sg.tensor(rand(13, 11), [13]));
  const R = sg.tensor(rand(300 * 13, 12), [300, 13]);
  const run = (f: () => sg.Tensor) => {
    for (const v of [x, w, b]) v.grad = null;
    const y = f();
    sg.sum(sg.mul(y, R)).backward();
    return [y, x.grad, w.grad, b.grad].map((t) => Float64Array.from((t as sg.Tensor).dataSync()));
  };
  for (const act of ['relu', 'linear'] as const) {
    const fused = run(() => sg.dense(x, w, b, act));
    const composed = run(() => { const z = sg.add(sg.matmul(x, w), b); return act === 'relu' ? sg.relu(z) : z; });
    fused.forEach((f, i) => assert.ok(maxRelDiff(f, composed[i]) < tol32(300), `${act}: output ${i}`));
  }
});

test.run();
