/**
 * Every webgpu kernel against the cpu backend on awkward sizes (0, 1, not multiples of the
 * workgroup or tile, a 1-D job past 65,535 workgroups): elementwise with every broadcast
 * kind, where/copy/cast, reductions over any axes, matmul with all transpose flags and the
 * dense epilogue (both the GPU kernels with workgroup memory and the barrier-free ones), spmm, transpose/slice/concat, gathers, segment sums, scatter-add, the MF
 * kernels, the softmax family, the fused MSE (against float64: the CPU has no such kernel)
 * and every optimizer update (dense and lazy). Tolerances are
 * float32's: the GPU sums in float32 where the CPU sometimes sums in float64.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backend, BinaryOp, FusedUnaryOp, ReduceOp, TensorInfo, UnaryOp } from '../../core/kernels.js';
import { fromCOO } from '../../core/csr.js';
import { sizeOf } from '../../core/shape.js';
import { backendsOrSkip, both, dispose, elementError, fmt, normError, on, randomInts, randomValues, rng, run, valuesOf } from './helpers.js';

const p = await backendsOrSkip('test/webgpu/kernels.test.ts');
const TOL = 1e-5;

if (p) {
  type AnyUnary = UnaryOp | FusedUnaryOp;
  const UNARY: [AnyUnary, number, number, number][] = [
    // op, lo, hi, tolerance (transcendental functions: a few float32 ulps)
    ['neg', -3, 3, 0], ['abs', -3, 3, 0], ['sign', -3, 3, 0], ['exp', -10, 10, 2e-6], ['log', 0.001, 100, 2e-6],
    ['sqrt', 0, 100, 1e-6], ['isfinite', -1, 1, 0],
    // the fused ones (accelerations)
    ['square', -3, 3, 1e-7], ['relu', -3, 3, 0], ['step', -3, 3, 0], ['reciprocal', 0.1, 3, 1e-6], ['log1p', -0.99, 10, 2e-6],
    ['sigmoid', -20, 20, 2e-6], ['tanh', -12, 12, 2e-6], ['softplus', -30, 30, 2e-6],
  ];
  const PRIMITIVE_UNARY = new Set<AnyUnary>(['neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'isfinite']);
  const unaryOn = (b: Backend, op: AnyUnary, x: TensorInfo, dtype: 'float32' | 'float16' = 'float32') =>
    PRIMITIVE_UNARY.has(op) ? b.unary(op as UnaryOp, x, dtype) : b.fusedUnary!(op as FusedUnaryOp, x, dtype);
  const SIZES = [1, 3, 63, 64, 65, 1000, 70001];

  test('unary ops on awkward sizes', () => {
    for (const [op, lo, hi, tol] of UNARY) {
      for (const n of SIZES) {
        const x = both(p, randomValues(n, n + op.length, lo, hi), [n]);
        const r = run(p, (b, s) => unaryOn(b, op, on(x, s)), 'float32');
        const err = elementError(r.gpu, r.cpu, 1e-6);
        assert.ok(err <= Math.max(tol, 1e-7), `${op} n=${n}: error ${fmt(err)}`);
        dispose(p, x);
      }
    }
  });

  test('unary ops: special values (NaN, ±inf, 0, tiny and huge) match the cpu', () => {
    const special = [0, -0, 1e-30, -1e-30, 88, -88, 100, -100, 1e30, -1e30, Infinity, -Infinity, NaN, -1, 1, 0.5];
    for (const [op] of UNARY) {
      const x = both(p, special, [special.length]);
      const r = run(p, (b, s) => unaryOn(b, op, on(x, s)), 'float32');
      for (let i = 0; i < special.length; i++) {
        const c = r.cpu[i];
        const g = r.gpu[i];
        // GPUs may flush results below float32's smallest normal (2^-126) to zero
        const flushed = Math.abs(c) < 2 ** -126 && g === 0;
        const same = flushed || Object.is(c, g) || (Number.isNaN(c) && Number.isNaN(g)) || (c === g) || Math.abs(c - g) <= 2e-6 * Math.abs(c);
        assert.ok(same, `${op}(${special[i]}): gpu ${g} vs cpu ${c}`);
      }
      dispose(p, x);
    }
  });

  test('a 1-D job past 65,535 workgroups (2-D grid)', () => {
    const n = 65535 * 64 + 129;
    const x = both(p, randomValues(n, 5, -2, 2), [n]);
    const r = run(p, (b, s) => b.unary('exp', on(x, s), 'float32'), 'float32');
    assert.ok(elementError(r.gpu, r.cpu) <= 2e-6, 'exp over 4.2M elements');
    dispose(p, x);
  });

  const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'greater', 'less'];
  const SHAPES: [number[], number[], number[]][] = [
    [[37], [37], [37]], [[5, 7], [1], [5, 7]], [[1], [5, 7], [5, 7]], [[5, 7], [7], [5, 7]], [[5, 7], [5, 1], [5, 7]],
    [[5, 1], [1, 7], [5, 7]], [[2, 3, 4, 5], [3, 1, 5], [2, 3, 4, 5]], [[1, 1], [1, 1], [1, 1]], [[0, 3], [3], [0, 3]],
  ];

  test('binary ops with every broadcast kind', () => {
    for (const op of BINARY) {
      for (const [sa, sb, so] of SHAPES) {
        const av = randomValues(sizeOf(sa), 3, op === 'pow' ? 0.1 : -3, 3);
        const bv = randomValues(sizeOf(sb), 4, -3, 3);
        if (op === 'equal') for (let i = 0; i < Math.min(av.length, bv.length); i += 2) av[i] = bv[i];
        const a = both(p, av, sa);
        const b = both(p, bv, sb);
        const r = run(p, (be, s) => be.binary(op, on(a, s), on(b, s), so, 'float32'), 'float32');
        const err = elementError(r.gpu, r.cpu, 1e-6);
        assert.ok(err <= (op === 'pow' ? 5e-6 : 1e-6), `${op} [${sa}]∘[${sb}]: error ${fmt(err)}`);
        dispose(p, a, b);
      }
    }
  });

  test('pow of negative bases, NaN in maximum/minimum, int32 arithmetic', () => {
    const a = both(p, [-2, -2, -2, 0, 0, 2, NaN, 1], [8]);
    const b = both(p, [3, 2, 0.5, 0, -1, -1, 1, NaN], [8]);
    for (const op of ['pow', 'maximum', 'minimum'] as BinaryOp[]) {
      const r = run(p, (be, s) => be.binary(op, on(a, s), on(b, s), [8], 'float32'), 'float32');
      assert.equal(Array.from(r.gpu).map(String), Array.from(r.cpu).map(String), op);
    }
    const ia = both(p, [1, -7, 100000, 3], [4], 'int32');
    const ib = both(p, [2, 3, 7, -3], [4], 'int32');
    for (const op of ['add', 'sub', 'mul'] as BinaryOp[]) {
      const r = run(p, (be, s) => be.binary(op, on(ia, s), on(ib, s), [4], 'int32'), 'int32');
      assert.equal(Array.from(r.gpu), Array.from(r.cpu), `int32 ${op}`);
    }
    dispose(p, a, b, ia, ib);
  });

  test('where, copy, cast (int32 truncation, float16 rounding), zeros, overwrite', () => {
    const n = 1001;
    const c = both(p, Array.from(randomInts(n, 1, 2)), [n]);
    const a = both(p, randomValues(n, 2), [n]);
    const b = both(p, randomValues(n, 3), [n]);
    const rw = run(p, (be, s) => be.where(on(c, s), on(a, s), on(b, s), 'float32'), 'float32');
    assert.equal(Array.from(rw.gpu), Array.from(rw.cpu), 'where');
    const rc = run(p, (be, s) => be.copy(on(a, s)), 'float32');
    assert.equal(Array.from(rc.gpu), Array.from(rc.cpu), 'copy');
    const x = both(p, [-2.7, -0.5, 0, 0.5, 2.7, 1e6 + 0.5, NaN, 16777217], [8]);
    const ri = run(p, (be, s) => be.cast(on(x, s), 'int32'), 'int32');
    assert.equal(Array.from(ri.gpu), Array.from(ri.cpu), 'float32 → int32 truncates toward zero');
    // float32 → float16: ties to even, subnormals, overflow, NaN — the CPU encoder's bits exactly
    const halves = [0, 1, -2.5, 65504, 65519, 65520, 1e9, -1e9, 6.1e-5, 5.96e-8, 2.98e-8, 1e-8, 0.1, 1 / 3, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2049, NaN, -0, ...randomValues(500, 9, -70000, 70000), ...randomValues(500, 10, -1e-4, 1e-4)];
    const h = both(p, halves, [halves.length]);
    const cpuBits = p.cpu.readSync(p.cpu.cast(h.cpu, 'float16'));
    const gpuId = p.gpu.cast(h.gpu, 'float16');
    const gpuBits = p.gpu.readSync(gpuId);
    assert.equal(Array.from(gpuBits), Array.from(cpuBits), 'float16 bits');
    // and back, and computing on float16 inputs
    const back = run(p, (be, s) => be.cast({ dataId: s === 'cpu' ? be.cast(h.cpu, 'float16') : gpuId, shape: h.cpu.shape, dtype: 'float16' }, 'float32'), 'float32');
    assert.equal(Array.from(back.gpu).map(String), Array.from(back.cpu).map(String), 'float16 → float32');
    const h16 = both(p, randomValues(999, 11, -4, 4), [999], 'float16');
    const rh = run(p, (be, s) => be.fusedUnary!('tanh', on(h16, s), 'float16'), 'float16');
    assert.ok(elementError(rh.gpu, rh.cpu, 1e-3) <= 1e-3, 'tanh on float16 in and out (half precision)');
    const z = run(p, (be) => be.zeros(77, 'float32'), 'float32');
    assert.equal(Array.from(z.gpu), new Array(77).fill(0));
    const o = p.gpu.zeros(5, 'float32');
    p.gpu.overwrite(o, Float32Array.from([1, 2, 3, 4, 5]));
    assert.equal(Array.from(p.gpu.readSync(o)), [1, 2, 3, 4, 5], 'overwrite');
    p.gpu.dispose(o);
    dispose(p, c, a, b, x, h, h16);
  });

  const REDUCTIONS: [number[], number[]][] = [
    [[1], [0]], [[7], [0]], [[100003], [0]], [[33, 31], [1]], [[33, 31], [0]], [[33, 31], [0, 1]], [[5, 6, 7], [1]],
    [[5, 6, 7], [0, 2]], [[4, 3, 2, 5], [1, 2]], [[3, 300], [1]], [[1000, 3], [0]], [[2, 3], []], [[70000, 2], [1]],
  ];

  /** Runs `fn` with the GPU kernels (workgroup reductions, barriers) and the barrier-free ones, whichever the adapter picks. */
  const bothVariants = (fn: (variant: string) => void) => {
    const chosen = p.gpu.gpu.barrierFree;
    try {
      for (const barrierFree of [true, false]) {
        p.gpu.gpu.barrierFree = barrierFree;
        fn(barrierFree ? 'barrier-free' : 'workgroup');
      }
    } finally {
      p.gpu.gpu.barrierFree = chosen;
    }
  };

  test('reduce sum/max/min over any axes (workgroup and barrier-free kernels)', () => bothVariants((variant) => {
    for (const [shape, axes] of variant === 'workgroup' ? REDUCTIONS.filter(([s]) => sizeOf(s) < 20000) : REDUCTIONS) {
      const x = both(p, randomValues(sizeOf(shape), sizeOf(shape), -2, 2), shape);
      for (const op of ['sum', 'max', 'min'] as ReduceOp[]) {
        const r = run(p, (b, s) => b.reduce(op, on(x, s), axes), 'float32');
        const err = op === 'sum' ? normError(r.gpu, r.cpu) : elementError(r.gpu, r.cpu);
        assert.ok(err <= TOL, `${variant} ${op} [${shape}] axes [${axes}]: error ${fmt(err)}`);
      }
      dispose(p, x);
    }
    const xi = both(p, [1, 2, 3, 4, 5, 6], [2, 3], 'int32');
    assert.equal(Array.from(run(p, (b, s) => b.reduce('sum', on(xi, s), [1]), 'int32').gpu), [6, 15]);
    const e = both(p, [], [3, 0]);
    for (const op of ['sum', 'max'] as ReduceOp[]) {
      const re = run(p, (b, s) => b.reduce(op, on(e, s), [1]), 'float32');
      assert.equal(Array.from(re.gpu), Array.from(re.cpu), `${op} over an empty axis`);
    }
    const nan = both(p, [1, NaN, 3, 2, ...new Array(300).fill(1)], [304]);
    assert.ok(Number.isNaN(run(p, (b, s) => b.reduce('max', on(nan, s), [0]), 'float32').gpu[0]), 'NaN propagates through max');
    dispose(p, xi, e, nan);
  }));

  /** the sizes that cross the tiled kernel's edges (a partial 64×64 tile, several K tiles) */
  const TILED_MATMULS: [number, number, number][] = [[65, 17, 63], [3, 40, 5]];
  const MATMULS: [number, number, number][] = [[1, 1, 1], [1, 7, 1], [3, 5, 7], [17, 33, 9], [64, 64, 64], [65, 17, 63], [2, 300, 3], [129, 31, 130], [1, 1000, 40], [300, 3, 2]];

  test('matmul with all transpose flags, and the dense epilogue: the tiled (GPU) and direct (software) kernels', () => {
    const chosen = p.gpu.gpu.barrierFree;
    for (const variant of ['direct', 'tiled'] as const) {
    p.gpu.gpu.barrierFree = variant === 'direct';
    for (const [M, K, N] of variant === 'tiled' ? TILED_MATMULS : MATMULS) {
      // on SwiftShader each tiled kernel takes ~0.5 s to compile: NN and TT cover its four tile loads
      const flags = variant === 'tiled' ? [[false, false], [true, true]] : [[false, false], [false, true], [true, false], [true, true]];
      for (const [tA, tB] of flags) {
        {
          const a = both(p, randomValues(M * K, M + K), tA ? [K, M] : [M, K]);
          const b = both(p, randomValues(K * N, K + N + 1), tB ? [N, K] : [K, N]);
          const r = run(p, (be, s) => be.matmul(on(a, s), on(b, s), tA, tB), 'float32');
          const err = normError(r.gpu, r.cpu);
          assert.ok(err <= 1e-6 * Math.sqrt(K) + 1e-6, `${variant} [${M},${K}]·[${K},${N}] tA=${tA} tB=${tB}: error ${fmt(err)}`);
          dispose(p, a, b);
        }
      }
      const x = both(p, randomValues(M * K, 7), [M, K]);
      const w = both(p, randomValues(K * N, 8), [K, N]);
      const bias = both(p, randomValues(N, 9), [N]);
      for (const act of variant === 'tiled' ? ['relu'] as const : ['relu', 'linear'] as const) {
        const r = run(p, (be, s) => be.dense!(on(x, s), on(w, s), on(bias, s), act), 'float32');
        assert.ok(normError(r.gpu, r.cpu) <= 1e-5, `${variant} dense ${act} [${M},${K},${N}]`);
      }
      dispose(p, x, w, bias);
    }
    }
    p.gpu.gpu.barrierFree = chosen;
    const a16 = both(p, randomValues(40 * 30, 1), [40, 30], 'float16');
    const b16 = both(p, randomValues(30 * 20, 2), [30, 20], 'float16');
    const r16 = run(p, (be, s) => be.matmul(on(a16, s), on(b16, s), false, false), 'float16');
    assert.ok(normError(r16.gpu, r16.cpu) <= 2e-3, 'float16 matmul');
    dispose(p, a16, b16);
  });

  test('spmm: CSR · dense, empty rows, a column never used', () => {
    const r = rng(3);
    for (const [M, K, N] of [[1, 1, 1], [7, 50, 5], [64, 2000, 33], [3, 10, 0]]) {
      const rows: number[] = [], cols: number[] = [], vals: number[] = [];
      for (let i = 0; i < M; i++) {
        if (i % 3 === 1) continue; // empty rows
        for (let j = 0; j < K - 1; j++) if (r() < 0.05 || j === i) { rows.push(i); cols.push(j); vals.push(r() * 2 - 1); }
      }
      const csr = fromCOO(rows, cols, vals, [M, K] as const);
      const b = both(p, randomValues(K * N, 4), [K, N]);
      const out = run(p, (be, s) => be.spmm(csr, on(b, s)), 'float32');
      assert.ok(normError(out.gpu, out.cpu) <= 1e-6, `spmm [${M},${K}]·[${K},${N}]`);
      const again = run(p, (be, s) => be.spmm(csr, on(b, s)), 'float32');
      assert.equal(Array.from(again.gpu), Array.from(out.gpu), 'the cached upload gives the same result');
      dispose(p, b);
    }
  });

  test('transpose, slice, concat (float32 exact, int32 exact past 2^24, float16)', () => {
    for (const dtype of ['float32', 'int32', 'float16'] as const) {
      const shape = [3, 5, 7];
      const vals = dtype === 'int32' ? Array.from({ length: 105 }, (_, i) => 2 ** 24 + 2 * i + 1) : Array.from(randomValues(105, 1, -9, 9));
      const x = both(p, vals, shape, dtype);
      for (const perm of [[0, 1, 2], [2, 1, 0], [1, 2, 0], [0, 2, 1]]) {
        const r = run(p, (b, s) => b.transpose(on(x, s), perm), dtype);
        assert.equal(Array.from(r.gpu), Array.from(r.cpu), `${dtype} transpose [${perm}]`);
      }
      const r2 = run(p, (b, s) => b.slice(on(x, s), [1, 2, 3], [2, 3, 3]), dtype);
      assert.equal(Array.from(r2.gpu), Array.from(r2.cpu), `${dtype} slice`);
      const y = both(p, vals.slice(0, 3 * 2 * 7), [3, 2, 7], dtype);
      const r3 = run(p, (b, s) => b.concat([on(x, s), on(y, s), on(x, s)], 1), dtype);
      assert.equal(Array.from(r3.gpu), Array.from(r3.cpu), `${dtype} concat`);
      const r4 = run(p, (b, s) => b.concat([on(x, s), on(x, s)], 0), dtype);
      assert.equal(Array.from(r4.gpu), Array.from(r4.cpu), `${dtype} concat axis 0`);
      dispose(p, x, y);
    }
    // a computed int32 tensor (no host copy) read back exactly
    const f = both(p, [16777217, -5.5, 3e9, 7], [4]);
    const gi = p.gpu.cast(f.gpu, 'int32');
    const gt = p.gpu.transpose({ dataId: gi, shape: [4], dtype: 'int32' }, [0]);
    assert.equal(Array.from(p.gpu.readSync(gt)).slice(0, 2), [16777216, -5], 'int32 from float32 (f32 cannot hold 2^24 + 1)');
    p.gpu.dispose(gi);
    p.gpu.dispose(gt);
    dispose(p, f);
  });

  test('gather rows, segment sums, scatter-add (repeated rows)', () => {
    for (const [N, D, n] of [[10, 1, 5], [100, 7, 300], [5000, 33, 1000], [3, 4, 0]]) {
      const table = both(p, randomValues(N * D, N), [N, D]);
      const ids = randomInts(n, D, N);
      const g = run(p, (b, s) => b.gatherRows(on(table, s), ids), 'float32');
      assert.equal(Array.from(g.gpu), Array.from(g.cpu), `gather [${N},${D}] × ${n}`);
      const vals = both(p, randomValues(n * D, n + 1), [n, D]);
      const seg = randomInts(n, N + 1, Math.max(1, Math.floor(N / 3)));
      const numSeg = Math.max(1, Math.floor(N / 3));
      const ss = run(p, (b, s) => b.segmentSumRows(on(vals, s), seg, numSeg), 'float32');
      assert.ok(normError(ss.gpu, ss.cpu) <= 1e-6, `segment sum into ${numSeg} segments`);
      const rows = randomInts(n, N + 2, N);
      const target = both(p, randomValues(N * D, 77), [N, D]);
      p.cpu.scatterAddRows!(target.cpu, rows, vals.cpu);
      p.gpu.scatterAddRows!(target.gpu, rows, vals.gpu);
      const err = normError(valuesOf(p.gpu, target.gpu.dataId, 'float32'), valuesOf(p.cpu, target.cpu.dataId, 'float32'));
      assert.ok(err <= 1e-6, `scatter-add with repeated rows: ${fmt(err)}`);
      dispose(p, table, vals, target);
    }
    // float16 tables gather exactly
    const t16 = both(p, randomValues(40 * 3, 5), [40, 3], 'float16');
    const g16 = run(p, (b, s) => b.gatherRows(on(t16, s), Int32Array.from([0, 39, 7, 7, 12])), 'float16');
    assert.equal(Array.from(g16.gpu), Array.from(g16.cpu), 'float16 gather');
    dispose(p, t16);
  });

  test('gatherDot and segmentSumScaledRows (the MF step) on widths 25, 8, 3, 1', () => {
    for (const D of [25, 8, 3, 1]) {
      const U = 300, I = 200, n = 2500;
      const a = both(p, randomValues(U * D, D), [U, D]);
      const b = both(p, randomValues(I * D, D + 1), [I, D]);
      const ua = randomInts(n, 1, U);
      const ia = randomInts(n, 2, I);
      const dot = run(p, (be, s) => be.gatherDot!(on(a, s), on(b, s), ua, ia), 'float32');
      assert.ok(normError(dot.gpu, dot.cpu) <= 1e-6, `gatherDot D=${D}: ${fmt(normError(dot.gpu, dot.cpu))}`);
      const scale = both(p, randomValues(n, 3), [n]);
      const seg = randomInts(n, 4, 150);
      const ss = run(p, (be, s) => be.segmentSumScaledRows!(on(scale, s), on(b, s), ia, seg, 150), 'float32');
      assert.ok(normError(ss.gpu, ss.cpu) <= 1e-6, `segmentSumScaledRows D=${D}`);
      dispose(p, a, b, scale);
    }
  });

  test('softmax, logSoftmax, logSumExp: short and long rows, -inf rows (workgroup and barrier-free kernels)', () => bothVariants((variant) => {
    for (const shape of [[1, 1], [7, 5], [3, 64], [4, 65], [5, 3000], [2, 3, 20]]) {
      const x = both(p, randomValues(sizeOf(shape), sizeOf(shape), -20, 20), shape);
      for (const k of ['softmax', 'logSoftmax', 'logSumExp'] as const) {
        const r = run(p, (b, s) => b[k]!(on(x, s)), 'float32');
        const err = normError(r.gpu, r.cpu);
        assert.ok(err <= 2e-6, `${variant} ${k} [${shape}]: error ${fmt(err)}`);
      }
      dispose(p, x);
    }
    const inf = both(p, [-Infinity, -Infinity, -Infinity, 1, 2, 3], [2, 3]);
    const r = run(p, (b, s) => b.logSumExp!(on(inf, s)), 'float32');
    assert.equal(r.gpu[0], -Infinity);
    assert.ok(Math.abs(r.gpu[1] - r.cpu[1]) < 1e-6);
    dispose(p, inf);
  }));

  test('denseGrad (relu and linear, with and without the bias sums) and the multinomial likelihood (forward and backward)', () => {
    for (const [M, N] of [[1, 1], [7, 33], [300, 64]]) {
      const y = both(p, randomValues(M * N, M, -1, 1), [M, N]);
      const dy = both(p, randomValues(M * N, N), [M, N]);
      for (const act of ['relu', 'linear'] as const) {
        for (const bias of [true, false]) {
          const c = p.cpu.denseGrad!(y.cpu, dy.cpu, act, bias);
          const g = p.gpu.denseGrad!(y.gpu, dy.gpu, act, bias);
          assert.equal(Array.from(valuesOf(p.gpu, g.dz, 'float32')), Array.from(valuesOf(p.cpu, c.dz, 'float32')), `dz ${act}`);
          if (bias) assert.ok(normError(valuesOf(p.gpu, g.dBias!, 'float32'), valuesOf(p.cpu, c.dBias!, 'float32')) <= 1e-6, `dBias ${act} [${M},${N}]`);
          for (const id of [c.dz, c.dBias]) if (id) p.cpu.dispose(id);
          for (const id of [g.dz, g.dBias]) if (id) p.gpu.dispose(id);
        }
      }
      dispose(p, y, dy);
    }
    bothVariants((variant) => {
    const r = rng(5);
    for (const [B, N] of [[1, 3], [9, 300], [4, 2000]]) {
      const rows: number[] = [], cols: number[] = [], vals: number[] = [];
      for (let u = 0; u < B; u++) for (let i = 0; i < N; i++) if (r() < 0.05 || i === u) { rows.push(u); cols.push(i); vals.push(1 + Math.floor(r() * 3)); }
      const x = fromCOO(rows, cols, vals, [B, N] as const);
      const z = both(p, randomValues(B * N, B + N, -8, 8), [B, N]);
      const c = p.cpu.multinomialNLL!(z.cpu, x);
      const g = p.gpu.multinomialNLL!(z.gpu, x);
      const lc = valuesOf(p.cpu, c.loss, 'float32')[0];
      const lg = valuesOf(p.gpu, g.loss, 'float32')[0];
      assert.ok(Math.abs(lg - lc) <= 1e-5 * Math.abs(lc), `${variant} multinomial loss [${B},${N}]: ${lg} vs ${lc}`);
      assert.ok(normError(valuesOf(p.gpu, g.stats, 'float32'), valuesOf(p.cpu, c.stats, 'float32')) <= 1e-6, 'row max and log-sum-exp');
      const dy = both(p, [0.7], []);
      const st = (side: 'cpu' | 'gpu') => ({ dataId: side === 'cpu' ? c.stats : g.stats, shape: [B, 2], dtype: 'float32' as const });
      const grad = run(p, (be, s) => be.multinomialNLLGrad!(on(z, s), st(s), x, on(dy, s)), 'float32');
      assert.ok(normError(grad.gpu, grad.cpu) <= 1e-5, `multinomial gradient [${B},${N}]: ${fmt(normError(grad.gpu, grad.cpu))}`);
      p.cpu.dispose(c.loss); p.cpu.dispose(c.stats); p.gpu.dispose(g.loss); p.gpu.dispose(g.stats);
      dispose(p, z, dy);
    }
    });
  });

  test('the fused MSE and its gradient against float64 on awkward sizes, one dispatch each (workgroup and barrier-free kernels)', () => bothVariants((variant) => {
    for (const n of [0, 1, 255, 256, 257, 4097, 70001]) {
      const pv = randomValues(n, n + 1, -1, 6);
      const yv = randomValues(n, n + 2, 1, 5);
      const pred = p.gpu.write(pv, 'float32');
      const labels = p.gpu.write(yv, 'float32');
      const dy = p.gpu.write(Float32Array.of(0.37), 'float32');
      const info = (id: object): TensorInfo => ({ dataId: id, shape: [n], dtype: 'float32' });
      const before = { ...p.gpu.stats() };
      const loss = p.gpu.mse!(info(pred), info(labels));
      const grad = p.gpu.mseGrad!(info(pred), info(labels), { dataId: dy, shape: [], dtype: 'float32' });
      const after = p.gpu.stats();
      assert.is(after.dispatches - before.dispatches, n > 0 ? 2 : 1, `${variant} n=${n}: one dispatch forward, one backward`);
      assert.is(after.readbacks - before.readbacks, 0, 'no read-back');
      let se = 0;
      const want = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        se += (pv[i] - yv[i]) ** 2;
        want[i] = (0.37 / n) * 2 * (pv[i] - yv[i]);
      }
      const got = valuesOf(p.gpu, loss, 'float32')[0];
      if (n === 0) assert.ok(Number.isNaN(got), `${variant}: the mean of nothing is NaN, got ${got}`);
      else assert.ok(Math.abs(got - se / n) <= 1e-6 * (se / n), `${variant} mse n=${n}: ${got} vs ${se / n}`);
      const g = valuesOf(p.gpu, grad, 'float32').subarray(0, n);
      assert.ok(normError(g, want) <= 1e-6, `${variant} mseGrad n=${n}: ${fmt(normError(g, want))}`);
      for (const id of [pred, labels, dy, loss, grad]) p.gpu.dispose(id);
    }
  }));

  test('optimizer updates: dense and lazy SGD (±momentum), Adam, AdaGrad; untouched rows bit-for-bit unchanged', () => {
    const N = 257, D = 9;
    const hyper = { lr: 0.05, momentum: 0.9, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const rows = Int32Array.from([0, 3, 4, 100, 255, 256]);
    const steps = Int32Array.from([1, 2, 7, 30, 1, 1000]);
    for (const kind of ['sgd', 'momentum', 'adam', 'adagrad'] as const) {
      for (const lazy of [false, true]) {
        const w = both(p, randomValues(N * D, 1), [N, D]);
        const s1 = both(p, kind === 'adagrad' ? randomValues(N * D, 2, 0, 1) : randomValues(N * D, 2, -0.1, 0.1), [N, D]);
        const s2 = both(p, randomValues(N * D, 3, 0, 0.01), [N, D]);
        const g = both(p, randomValues((lazy ? rows.length : N) * D, 4), [lazy ? rows.length : N, D]);
        for (const side of ['cpu', 'gpu'] as const) {
          const be = side === 'cpu' ? p.cpu : p.gpu;
          const [W, G, S1, S2] = [on(w, side), on(g, side), on(s1, side), on(s2, side)];
          for (let step = 1; step <= 3; step++) {
            if (kind === 'sgd') lazy ? be.sparseSgdUpdate!(W, rows, G, null, hyper) : be.sgdUpdate!(W, G, null, hyper);
            if (kind === 'momentum') lazy ? be.sparseSgdUpdate!(W, rows, G, S1, hyper) : be.sgdUpdate!(W, G, S1, hyper);
            if (kind === 'adam') lazy ? be.sparseAdamUpdate!(W, rows, G, S1, S2, steps.map((t) => t + step), hyper) : be.adamUpdate!(W, G, S1, S2, step, hyper);
            if (kind === 'adagrad') lazy ? be.sparseAdagradUpdate!(W, rows, G, S1, hyper) : be.adagradUpdate!(W, G, S1, hyper);
          }
        }
        const wc = valuesOf(p.cpu, w.cpu.dataId, 'float32');
        const wg = valuesOf(p.gpu, w.gpu.dataId, 'float32');
        const err = elementError(wg, wc, 1e-3);
        assert.ok(err <= 1e-5, `${kind} ${lazy ? 'lazy' : 'dense'}: weights differ by ${fmt(err)}`);
        const sc = valuesOf(p.cpu, s1.cpu.dataId, 'float32');
        const sg2 = valuesOf(p.gpu, s1.gpu.dataId, 'float32');
        assert.ok(elementError(sg2, sc, 1e-3) <= 1e-5, `${kind} ${lazy ? 'lazy' : 'dense'}: state differs`);
        if (lazy) {
          const before = randomValues(N * D, 1);
          let changed = 0;
          for (let r = 0; r < N; r++) {
            if (rows.includes(r)) continue;
            for (let j = 0; j < D; j++) if (!Object.is(wg[r * D + j], before[r * D + j])) changed++;
          }
          assert.is(changed, 0, `${kind}: untouched rows unchanged`);
        }
        dispose(p, w, s1, s2, g);
      }
    }
  });

  test('a lazy Adam update is one dispatch whatever the number of rows', () => {
    const N = 20000, D = 16;
    const w = p.gpu.zeros(N * D, 'float32');
    const m = p.gpu.zeros(N * D, 'float32');
    const v = p.gpu.zeros(N * D, 'float32');
    const hyper = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
    for (const count of [1, 10, 5000, 20000]) {
      const rows = Int32Array.from({ length: count }, (_, i) => Math.floor((i * N) / count));
      const g = p.gpu.write(randomValues(count * D, count), 'float32');
      const before = { ...p.gpu.stats() };
      p.gpu.sparseAdamUpdate({ dataId: w, shape: [N, D], dtype: 'float32' }, rows, { dataId: g, shape: [count, D], dtype: 'float32' },
        { dataId: m, shape: [N, D], dtype: 'float32' }, { dataId: v, shape: [N, D], dtype: 'float32' }, new Int32Array(count).fill(1), hyper);
      const after = p.gpu.stats();
      assert.is(after.dispatches - before.dispatches, 1, `${count} rows: one dispatch`);
      assert.is(after.readbacks - before.readbacks, 0, 'no read-back');
      assert.is(after.uploadBytes - before.uploadBytes, count * 8, 'uploads: the row ids and their step counts');
      p.gpu.dispose(g);
    }
    for (const id of [w, m, v]) p.gpu.dispose(id);
  });
}

test.run();
