/**
 * Reductions, matmul, spmm, transpose/slice/concat and the softmax family: WebGL vs CPU on
 * awkward sizes, at the device texture width and with the width lowered to 64 so every
 * tensor spans many texture rows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ReduceOp } from '../../core/kernels.js';
import { setMaxTextureWidth } from '../../backends/webgl/index.js';
import { CSR } from '../../core/csr.js';
import { sizeOf } from '../../core/shape.js';
import { backends, both, dispose, elementError, fmt, normError, randomValues, rng, run } from './helpers.js';

const TOL = 1e-5;
const WIDTHS = [null, 64];

const REDUCTIONS: [number[], number[]][] = [
  [[1], [0]],
  [[7], [0]],
  [[16384 * 2 + 5], [0]],          // > MAX_TEXTURE_SIZE elements, several passes
  [[33, 31], [1]],
  [[33, 31], [0]],
  [[33, 31], [0, 1]],
  [[5, 6, 7], [1]],
  [[5, 6, 7], [0, 2]],              // not contiguous: transposed first
  [[4, 3, 2, 5], [1, 2]],
  [[3, 300], [1]],                  // rows longer than one chunk
  [[1000, 3], [0]],
  [[2, 3], []],
];

for (const width of WIDTHS) {
  test(`reduce sum/max/min over any axes (texture width ${width ?? 'device'})`, async () => {
    const p = await backends();
    setMaxTextureWidth(width);
    for (const [shape, axes] of REDUCTIONS) {
      const x = both(p, randomValues(sizeOf(shape), sizeOf(shape), -2, 2), shape);
      for (const op of ['sum', 'max', 'min'] as ReduceOp[]) {
        const r = run(p, (b, s) => b.reduce(op, s === 'cpu' ? x.cpu : x.gl, axes), 'float32');
        const err = op === 'sum' ? normError(r.gl, r.cpu) : elementError(r.gl, r.cpu);
        assert.ok(err <= TOL, `${op} [${shape}] axes [${axes}]: error ${fmt(err)}`);
      }
      dispose(p, x);
    }
    setMaxTextureWidth(null);
  });
}

test('reduce: int32 sums, empty axes, NaN propagates through max', async () => {
  const p = await backends();
  const xi = both(p, [1, 2, 3, 4, 5, 6], [2, 3], 'int32');
  const ri = run(p, (b, s) => b.reduce('sum', s === 'cpu' ? xi.cpu : xi.gl, [1]), 'int32');
  assert.equal(Array.from(ri.gl), [6, 15]);
  const e = both(p, [], [3, 0]);
  for (const op of ['sum', 'max'] as ReduceOp[]) {
    const re = run(p, (b, s) => b.reduce(op, s === 'cpu' ? e.cpu : e.gl, [1]), 'float32');
    assert.equal(Array.from(re.gl), Array.from(re.cpu), `${op} over an empty axis`);
  }
  const n = both(p, [1, NaN, 3, 2], [4]);
  const rn = run(p, (b, s) => b.reduce('max', s === 'cpu' ? n.cpu : n.gl, [0]), 'float32');
  assert.ok(Number.isNaN(rn.gl[0]) && Number.isNaN(rn.cpu[0]));
  dispose(p, xi, e, n);
});

/** [M, K, N] */
const MATMULS: [number, number, number][] = [
  [1, 1, 1], [1, 7, 1], [3, 5, 7], [17, 33, 9], [64, 64, 64], [2, 300, 3], [129, 31, 65], [1, 1000, 40],
  [16390, 3, 2], // more rows than MAX_TEXTURE_SIZE: the packed operand wraps
];

for (const width of WIDTHS) {
  test(`matmul with all transpose flags (texture width ${width ?? 'device'})`, async () => {
    const p = await backends();
    setMaxTextureWidth(width);
    for (const [M, K, N] of MATMULS) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const a = both(p, randomValues(M * K, M + K), tA ? [K, M] : [M, K]);
          const b = both(p, randomValues(K * N, K + N + 1), tB ? [N, K] : [K, N]);
          const r = run(p, (be, s) => be.matmul(s === 'cpu' ? a.cpu : a.gl, s === 'cpu' ? b.cpu : b.gl, tA, tB), 'float32');
          const err = normError(r.gl, r.cpu);
          assert.ok(err <= TOL, `matmul ${M}×${K}·${K}×${N} tA=${tA} tB=${tB}: error ${fmt(err)}`);
          dispose(p, a, b);
        }
      }
    }
    setMaxTextureWidth(null);
  });
}

test('matmul splits K beyond the texture width into chunks', async () => {
  const p = await backends();
  setMaxTextureWidth(16); // K/4 = 50 texels → 4 chunks of 16
  const [M, K, N] = [5, 200, 6];
  const a = both(p, randomValues(M * K, 1), [M, K]);
  const b = both(p, randomValues(K * N, 2), [K, N]);
  const r = run(p, (be, s) => be.matmul(s === 'cpu' ? a.cpu : a.gl, s === 'cpu' ? b.cpu : b.gl, false, false), 'float32');
  assert.ok(normError(r.gl, r.cpu) <= TOL, `error ${fmt(normError(r.gl, r.cpu))}`);
  dispose(p, a, b);
  setMaxTextureWidth(null);
});

function randomCSR(m: number, k: number, density: number, seed: number): CSR {
  const r = rng(seed);
  const indptr = new Int32Array(m + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < k; j++) {
      if (r() < density) { indices.push(j); values.push(r() * 2 - 1); }
    }
    indptr[i + 1] = indices.length;
  }
  return new CSR(indptr, Int32Array.from(indices), Float32Array.from(values), [m, k]);
}

for (const width of WIDTHS) {
  test(`spmm: CSR · dense (texture width ${width ?? 'device'})`, async () => {
    const p = await backends();
    setMaxTextureWidth(width);
    for (const [m, k, n, d] of [[1, 1, 1, 1], [7, 30, 5, 0.2], [40, 500, 17, 0.02], [3, 20, 4, 0]] as const) {
      const x = randomCSR(m, k, d, m + k);
      const b = both(p, randomValues(k * n, n), [k, n]);
      const r = run(p, (be, s) => be.spmm(x, s === 'cpu' ? b.cpu : b.gl), 'float32');
      assert.ok(normError(r.gl, r.cpu) <= TOL, `spmm ${m}×${k}·${k}×${n}`);
      // a second product with the same CSR reuses its upload
      const again = run(p, (be, s) => be.spmm(x, s === 'cpu' ? b.cpu : b.gl), 'float32');
      assert.equal(Array.from(again.gl), Array.from(r.gl));
      dispose(p, b);
    }
    setMaxTextureWidth(null);
  });
}

for (const width of WIDTHS) {
  test(`transpose, slice and concat (texture width ${width ?? 'device'})`, async () => {
    const p = await backends();
    setMaxTextureWidth(width);
    const shape = [4, 5, 6, 7];
    const x = both(p, randomValues(sizeOf(shape), 5), shape);
    for (const perm of [[0, 1, 2, 3], [3, 2, 1, 0], [1, 0, 3, 2], [0, 2, 1, 3], [2, 3, 0, 1]]) {
      const r = run(p, (b, s) => b.transpose(s === 'cpu' ? x.cpu : x.gl, perm), 'float32');
      assert.equal(Array.from(r.gl), Array.from(r.cpu), `transpose ${perm}`);
    }
    for (const [begin, size] of [[[0, 0, 0, 0], [4, 5, 6, 7]], [[1, 2, 3, 4], [2, 3, 3, 3]], [[3, 0, 0, 6], [1, 5, 6, 1]], [[0, 4, 0, 0], [4, 1, 6, 7]]]) {
      const r = run(p, (b, s) => b.slice(s === 'cpu' ? x.cpu : x.gl, begin, size), 'float32');
      assert.equal(Array.from(r.gl), Array.from(r.cpu), `slice ${begin} ${size}`);
    }
    for (const axis of [0, 1, 3]) {
      const parts = [1, 3, 2, 1, 1, 2, 1, 1, 1, 2].map((d, i) => {
        const s = shape.slice();
        s[axis] = d;
        return both(p, randomValues(sizeOf(s), 100 + i), s);
      });
      const r = run(p, (b, s) => b.concat(parts.map((q) => (s === 'cpu' ? q.cpu : q.gl)), axis), 'float32');
      assert.equal(Array.from(r.gl), Array.from(r.cpu), `concat of 10 along axis ${axis}`);
      dispose(p, ...parts);
    }
    const big = both(p, randomValues(16384 * 2 + 5, 6), [16384 * 2 + 5]);
    const rb = run(p, (b, s) => b.slice(s === 'cpu' ? big.cpu : big.gl, [16000], [16389]), 'float32');
    assert.equal(Array.from(rb.gl), Array.from(rb.cpu), 'slice across texture rows');
    dispose(p, x, big);
    setMaxTextureWidth(null);
  });
}

for (const width of WIDTHS) {
  test(`softmax, logSoftmax, logSumExp over the last axis (texture width ${width ?? 'device'})`, async () => {
    const p = await backends();
    setMaxTextureWidth(width);
    for (const shape of [[1], [7], [3, 5], [4, 300], [2, 3, 33], [2, 20000]]) {
      const vals = randomValues(sizeOf(shape), 7, -20, 20);
      vals[0] = 80; // large logits must not overflow
      const x = both(p, vals, shape);
      for (const kind of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
        const r = run(p, (b, s) => b[kind](s === 'cpu' ? x.cpu : x.gl), 'float32');
        // logSoftmax = x − lse cancels when x ≈ lse: float32 is accurate relative to |x|, not to the result
        const err = kind === 'logSumExp' ? elementError(r.gl, r.cpu) : normError(r.gl, r.cpu);
        assert.ok(err <= TOL, `${kind} [${shape}]: error ${fmt(err)}`);
      }
      dispose(p, x);
    }
    setMaxTextureWidth(null);
  });
}

test.run();
