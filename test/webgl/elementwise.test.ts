/**
 * Elementwise kernels, WebGL vs CPU: every unary and binary op, broadcasting in every
 * mode (same shape, scalar, trailing row, general), where, cast, copy — on sizes 1, odd,
 * more than one texture row (with the texture width lowered to 64) and more than
 * MAX_TEXTURE_SIZE elements.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BinaryOp, FusedUnaryOp, UnaryOp } from '../../core/kernels.js';
import { setMaxTextureWidth } from '../../backends/webgl/index.js';
import { sizeOf } from '../../core/shape.js';
import { backends, both, dispose, elementError, fmt, randomValues, run } from './helpers.js';

const TOL = 1e-5;
/** 1, odd, several 64-wide texture rows, and more than 16384 elements (2-D at full width) */
const SIZES = [1, 7, 1000, 16384 * 2 + 5];

const PRIMITIVE: UnaryOp[] = ['neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'isfinite'];
const FUSED: FusedUnaryOp[] = ['square', 'reciprocal', 'relu', 'step', 'sigmoid', 'tanh', 'softplus', 'log1p'];
const UNARY = [...PRIMITIVE, ...FUSED];
const POSITIVE = new Set<string>(['log', 'sqrt']);

for (const width of [null, 64]) {
  test(`unary ops match the CPU (texture width ${width ?? 'device'})`, async () => {
    const p = await backends();
    setMaxTextureWidth(width);
    for (const n of SIZES) {
      for (const op of UNARY) {
        const vals = POSITIVE.has(op) ? randomValues(n, n + 1, 0.01, 5) : randomValues(n, n + 2, -6, 6);
        if (op === 'isfinite' && n > 3) { vals[0] = Infinity; vals[1] = NaN; vals[2] = -Infinity; }
        if (op === 'tanh' || op === 'log1p' || op === 'softplus') { vals[0] = 1e-6; }
        const x = both(p, vals, [n]);
        const r = run(p, (b, s) => ((PRIMITIVE as string[]).includes(op)
          ? b.unary(op as UnaryOp, s === 'cpu' ? x.cpu : x.gl, 'float32')
          : b.fusedUnary(op as FusedUnaryOp, s === 'cpu' ? x.cpu : x.gl, 'float32')), 'float32');
        const err = elementError(r.gl, r.cpu);
        assert.ok(err <= TOL, `${op} n=${n}: relative error ${fmt(err)}`);
        dispose(p, x);
      }
    }
    setMaxTextureWidth(null);
  });
}

const BINARY: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'equal', 'greater', 'less'];

/** [a shape, b shape, out shape]: same, scalar either side, bias row, column, general 3-D */
const BROADCASTS: [number[], number[], number[]][] = [
  [[1], [1], [1]],
  [[7], [7], [7]],
  [[33, 31], [33, 31], [33, 31]],
  [[33, 31], [], [33, 31]],
  [[], [33, 31], [33, 31]],
  [[33, 31], [31], [33, 31]],
  [[31], [33, 31], [33, 31]],
  [[33, 1], [33, 31], [33, 31]],
  [[5, 1, 7], [1, 6, 7], [5, 6, 7]],
  [[4, 1, 3, 1], [2, 1, 5], [4, 2, 3, 5]],
  [[16384 * 2 + 5], [1], [16384 * 2 + 5]],
  [[3, 11000], [11000], [3, 11000]],
];

for (const width of [null, 64]) {
  test(`binary ops broadcast like NumPy and match the CPU (texture width ${width ?? 'device'})`, async () => {
    const p = await backends();
    setMaxTextureWidth(width);
    for (const [as, bs, os] of BROADCASTS) {
      for (const op of BINARY) {
        // pow: a positive base, plus some negative bases with integer powers
        const av = op === 'pow' ? randomValues(sizeOf(as), 3, 0.1, 3) : randomValues(sizeOf(as), 3, -3, 3);
        const bv = op === 'pow' ? randomValues(sizeOf(bs), 4, -2, 2) : randomValues(sizeOf(bs), 4, -3, 3);
        if (op === 'equal' && av.length === bv.length) av.set(bv.subarray(0, Math.ceil(bv.length / 2)));
        if (op === 'pow' && av.length > 2 && bv.length > 2) { av[0] = -2; bv[0] = 3; av[1] = -1.5; bv[1] = 2; }
        const a = both(p, av, as);
        const b = both(p, bv, bs);
        const r = run(p, (be, s) => be.binary(op, s === 'cpu' ? a.cpu : a.gl, s === 'cpu' ? b.cpu : b.gl, os, 'float32'), 'float32');
        const err = elementError(r.gl, r.cpu);
        assert.ok(err <= TOL, `${op} [${as}]∘[${bs}]: relative error ${fmt(err)}`);
        dispose(p, a, b);
      }
    }
    setMaxTextureWidth(null);
  });
}

test('binary ops keep NaN and infinity semantics', async () => {
  const p = await backends();
  const av = [NaN, 1, Infinity, -Infinity, 0, 2, NaN, -0];
  const bv = [1, NaN, 1, 2, 0, Infinity, NaN, 0];
  for (const op of BINARY) {
    const a = both(p, av, [8]);
    const b = both(p, bv, [8]);
    const r = run(p, (be, s) => be.binary(op, s === 'cpu' ? a.cpu : a.gl, s === 'cpu' ? b.cpu : b.gl, [8], 'float32'), 'float32');
    for (let i = 0; i < 8; i++) {
      const same = Object.is(r.gl[i], r.cpu[i]) || (Number.isNaN(r.gl[i]) && Number.isNaN(r.cpu[i])) || (r.gl[i] === 0 && r.cpu[i] === 0);
      assert.ok(same, `${op}(${av[i]}, ${bv[i]}): webgl ${r.gl[i]}, cpu ${r.cpu[i]}`);
    }
    dispose(p, a, b);
  }
});

test('int32 arithmetic stays integral', async () => {
  const p = await backends();
  const a = both(p, [1, -5, 7, 1000000], [4], 'int32');
  const b = both(p, [3, 2, -7, 3], [4], 'int32');
  for (const op of ['add', 'sub', 'mul', 'maximum'] as BinaryOp[]) {
    const r = run(p, (be, s) => be.binary(op, s === 'cpu' ? a.cpu : a.gl, s === 'cpu' ? b.cpu : b.gl, [4], 'int32'), 'int32');
    assert.equal(Array.from(r.gl), Array.from(r.cpu), op);
  }
  dispose(p, a, b);
});

test('where, cast and copy match the CPU', async () => {
  const p = await backends();
  for (const n of SIZES) {
    const cv = randomValues(n, 9).map((v) => (v > 0 ? 1 : 0));
    const c = both(p, cv, [n]);
    const a = both(p, randomValues(n, 10, -100, 100), [n]);
    const b = both(p, randomValues(n, 11), [n]);
    const w = run(p, (be, s) => be.where(s === 'cpu' ? c.cpu : c.gl, s === 'cpu' ? a.cpu : a.gl, s === 'cpu' ? b.cpu : b.gl, 'float32'), 'float32');
    assert.equal(Array.from(w.gl), Array.from(w.cpu), `where n=${n}`);
    const toInt = run(p, (be, s) => be.cast(s === 'cpu' ? a.cpu : a.gl, 'int32'), 'int32');
    assert.equal(Array.from(toInt.gl), Array.from(toInt.cpu), `cast → int32 n=${n}`);
    const toHalf = run(p, (be, s) => be.cast(s === 'cpu' ? a.cpu : a.gl, 'float16'), 'float16');
    assert.ok(elementError(toHalf.gl, toHalf.cpu) <= 1e-3, `cast → float16 n=${n}`);
    const same = run(p, (be, s) => be.cast(s === 'cpu' ? a.cpu : a.gl, 'float32'), 'float32');
    assert.equal(Array.from(same.gl), Array.from(same.cpu), `cast to its own dtype n=${n}`);
    const copy = run(p, (be, s) => be.copy(s === 'cpu' ? a.cpu : a.gl), 'float32');
    assert.equal(Array.from(copy.gl), Array.from(a.cpu.dataId && p.cpu.readSync(a.cpu.dataId)), `copy n=${n}`);
    dispose(p, c, a, b);
  }
});

test('float64 is refused with a clear error', async () => {
  const p = await backends();
  assert.throws(() => p.gl.write(new Float64Array(3), 'float64'), /float64 is not supported/);
  assert.throws(() => p.gl.zeros(3, 'float64'), /float64/);
});

test.run();
