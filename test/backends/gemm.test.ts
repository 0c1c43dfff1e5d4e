/**
 * The blocked, packed WebAssembly matmul (backends/cpu/wasm/gemm*.ts) against float64 loops:
 * shapes that cross every block boundary (K past KC, N past NC, M past MC, partial tiles in
 * both directions), every transpose, the fused bias/relu epilogue, the single-column path,
 * the private-memory placement (no SharedArrayBuffer) and the worker threads — whose results
 * must be bit-identical to one thread's. float32 sums: tolerances grow with K.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpus } from 'node:os';
import * as sg from '../../index.js';
import { DEFAULT_BLOCKING } from '../../backends/cpu/wasm/gemm-module.js';
import { resetGemmKernel, wasmDense } from '../../backends/cpu/wasm/gemm.js';
import { setBackoff, setThreads, threadCount } from '../../backends/cpu/threads.js';
import { randomStream } from '../../core/random.js';
import { maxRelDiff } from '../helpers/gradcheck.js';
import type { CpuBackend } from '../../backends/cpu/index.js';

// a busy machine must not make the threads tests run on one thread
setBackoff(false);
const arena = (sg.engine.getBackendInstance('cpu') as CpuBackend).arena;

/** values in [−1, 1) in an arena array (big ones) or a plain one */
function rand(n: number, seed: number, inArena = true): Float32Array {
  const r = randomStream('gemm-test', seed);
  const out = inArena ? (arena.alloc('float32', n) as Float32Array) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = r.next() * 2 - 1;
  return out;
}

/** act(op(a)·op(b) + bias) in float64, reading the transposes in place */
function ref(a: Float32Array, b: Float32Array, M: number, K: number, N: number, tA: boolean, tB: boolean,
  bias: Float32Array | null = null, relu = false): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += (tA ? a[k * M + i] : a[i * K + k]) * (tB ? b[j * K + k] : b[k * N + j]);
    if (bias) s += bias[j];
    out[i * N + j] = relu ? (s > 0 ? s : 0) : s;
  }
  return out;
}

const tol32 = (K: number) => 4e-7 * Math.max(16, K);
const { kc, nc, mc } = DEFAULT_BLOCKING;

// [M, K, N]: past MC / KC / NC, partial tiles, tiny edges, one column, one row
// (each at least 4096 multiply-adds, the smallest product wasm takes)
const shapes: [number, number, number][] = [
  [mc + 7, kc + 45, nc + 13], [5, 2 * kc + 1, 9], [2, 700, 3], [3, 5, 300], [2 * mc + 3, 33, 1],
  [13, kc, 8], [4, 1024, 4], [mc, 3, nc], [1, 4096, 1], [9, 33, 2 * nc + 8],
  // few rows of A, narrow B: B read in place, the last partial panel packed
  [1, 2 * kc + 3, 64], [3, 300, 21], [7, kc + 1, 256],
];

for (const placement of ['arena', 'private'] as const) {
  test(`gemm (${placement} memory): every transpose, bias and relu, on block-crossing shapes`, () => {
    resetGemmKernel(placement);
    try {
      for (const [M, K, N] of shapes) {
        const a = rand(M * K, M + K), b = rand(K * N, K + N), bias = rand(N, N, false);
        for (const tA of [false, true]) for (const tB of [false, true]) for (const epi of [0, 1, 2]) {
          const bi = epi > 0 ? bias : null, relu = epi === 2;
          const out = rand(M * N, 1); // garbage in the output: every element must be written
          assert.ok(wasmDense(arena, a, b, M, K, N, tA, tB, bi, relu, out), 'the wasm kernel ran');
          const d = maxRelDiff(out, ref(a, b, M, K, N, tA, tB, bi, relu));
          assert.ok(d < tol32(K), `[${M},${K}]·[${K},${N}] tA=${tA} tB=${tB} bias=${!!bi} relu=${relu}: ${d}`);
        }
      }
    } finally {
      resetGemmKernel('arena');
    }
  });
}

test('operands outside the arena (small weights, plain arrays) are copied; the output is written wherever it lives', () => {
  const M = 300, K = 40, N = 20;
  const a = rand(M * K, 1, false), b = rand(K * N, 2, false);
  for (const out of [new Float32Array(M * N), arena.alloc('float32', M * N) as Float32Array]) {
    assert.ok(wasmDense(arena, a, b, M, K, N, false, false, null, false, out));
    assert.ok(maxRelDiff(out, ref(a, b, M, K, N, false, false)) < tol32(K));
  }
});

test('threads: the same bits as one thread, splitting columns (wide C) and rows (narrow C)', () => {
  const before = setThreads(Infinity);
  try {
    if (cpus().length > 1) assert.ok(threadCount() > 1, 'a worker thread is running on this multi-core machine');
    for (const [M, K, N, tA] of [[200, 300, 700, false], [3000, 64, 40, false], [64, 3000, 64, true], [4000, 50, 1, false]] as const) {
      const a = rand(M * K, 11), b = rand(K * N, 12), bias = rand(N, 13, false);
      const shared = arena.alloc('float32', M * N) as Float32Array;
      const alone = arena.alloc('float32', M * N) as Float32Array;
      assert.ok(wasmDense(arena, a, b, M, K, N, tA, false, bias, true, shared));
      setThreads(1);
      assert.ok(wasmDense(arena, a, b, M, K, N, tA, false, bias, true, alone));
      setThreads(Infinity);
      assert.equal(Array.from(shared), Array.from(alone), `[${M},${K}]·[${K},${N}]`);
      assert.ok(maxRelDiff(shared, ref(a, b, M, K, N, tA, false, bias, true)) < tol32(K));
    }
  } finally {
    setThreads(before);
  }
});

test('sg.matmul and sg.dense through the new kernel agree with float64 (values and gradients)', () => {
  const x = sg.variable(sg.tensor(rand(500 * 70, 21), [500, 70]));
  const w = sg.variable(sg.tensor(rand(70 * 300, 22), [70, 300]));
  const R = rand(500 * 300, 23);
  const y = sg.dense(x, w, null, 'linear');
  sg.sum(sg.mul(y, sg.tensor(R, [500, 300]))).backward();
  const xv = x.dataSync() as Float32Array, wv = w.dataSync() as Float32Array;
  assert.ok(maxRelDiff(y.dataSync(), ref(xv, wv, 500, 70, 300, false, false)) < tol32(70));
  // dx = R·wᵀ, dw = xᵀ·R
  assert.ok(maxRelDiff((x.grad as sg.Tensor).dataSync(), ref(R, wv, 500, 300, 70, false, true)) < tol32(300));
  assert.ok(maxRelDiff((w.grad as sg.Tensor).dataSync(), ref(xv, R, 70, 500, 300, true, false)) < tol32(500));
});

test('kernels that skip clearing their output write all of it (recycled arena blocks full of NaN)', () => {
  /** frees a few NaN-filled blocks of `n` floats, so the next allocations of that size get them back */
  const poison = (n: number) => {
    const blocks = [0, 1, 2, 3].map(() => arena.alloc('float32', n) as Float32Array);
    for (const b of blocks) { b.fill(NaN); arena.release(b); }
  };
  const M = 130, K = 70, N = 200;
  const x = sg.tensor(rand(M * K, 31), [M, K]);
  const w = sg.tensor(rand(K * N, 32), [K, N]);
  const want = ref(x.dataSync() as Float32Array, w.dataSync() as Float32Array, M, K, N, false, false);
  const rows = sg.fromCOO(Int32Array.from([0, 0, 5, 9]), Int32Array.from([1, 3, 2, 1]), null, [M, K]);
  const checks: [string, () => sg.Tensor][] = [
    ['matmul', () => sg.matmul(x, w)], ['dense relu', () => sg.dense(x, w, null, 'relu')],
    ['exp', () => sg.exp(sg.matmul(x, w))], ['add', () => sg.add(sg.matmul(x, w), 1)],
    ['spmm (mostly empty rows)', () => sg.matmul(rows, w)],
  ];
  for (const [name, f] of checks) {
    poison(M * N);
    const y = sg.tidy(() => f().dataSync());
    assert.ok(y.every((v) => Number.isFinite(v)), `${name}: an element kept the old block's NaN`);
  }
  poison(M * N);
  assert.ok(maxRelDiff(sg.matmul(x, w).dataSync(), want) < tol32(K));
});

test.run();
