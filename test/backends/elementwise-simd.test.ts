/**
 * The SIMD elementwise kernels (backends/cpu/elementwise-simd.ts) against the JavaScript
 * loops they stand in for: bit for bit, on every broadcast form they take (same shape, a
 * scalar on either side, a column, a row, a column or row against a scalar), on row lengths
 * with and without a scalar tail, with NaN, ±0 and ±inf among the values. Through the backend
 * too: sg ops on arena-sized tensors equal the same ops with the values in float64.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import type { CpuBackend } from '../../backends/cpu/index.js';
import { binaryInto, unaryInto } from '../../backends/cpu/elementwise.js';
import { binarySimd, unarySimd, wasm } from '../../backends/cpu/elementwise-simd.js';
import { randomStream } from '../../core/random.js';
import { sizeOf } from '../../core/shape.js';

const arena = (sg.engine.getBackendInstance('cpu') as CpuBackend).arena;
const r = randomStream('elementwise-simd-test', 1);
const specials = [NaN, 0, -0, Infinity, -Infinity, 1e-40, -3.5];

/** float32 values in the arena (whatever their size), a few special values among them */
function arenaValues(n: number): Float32Array {
  const a = arena.allocInArena('float32', n) as Float32Array;
  for (let i = 0; i < n; i++) a[i] = i % 11 === 5 ? specials[i % specials.length] : r.normal() * 3;
  return a;
}
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length), (x, i) => (Number.isNaN(a[i]) ? 'NaN' : x));

test('the SIMD kernels are available here (the tests below check them, not the fallback)', () => {
  assert.ok(wasm.on(arena) !== null);
});

for (const inner of [25, 8, 3, 1]) {
  const R = 37;
  // [a shape, b shape] → out [R, inner]
  const forms: [string, number[], number[]][] = [
    ['same shape', [R, inner], [R, inner]],
    ['scalar b', [R, inner], []],
    ['scalar a', [1], [R, inner]],
    ['column b', [R, inner], [R, 1]],
    ['column a', [R, 1], [R, inner]],
    ['row b (a bias)', [R, inner], [inner]],
    ['row a', [1, inner], [R, inner]],
    ['column a against scalar b (a sum backward)', [R, 1], []],
    ['scalar a against column b', [], [R, 1]],
    ['row a against scalar b', [inner], [1, 1]],
  ];
  for (const [name, aShape, bShape] of forms) {
    test(`binary SIMD = JavaScript, ${name}, rows of ${inner}`, () => {
      const outShape = [R, inner];
      for (const op of ['add', 'sub', 'mul', 'div'] as const) {
        for (const placed of [true, false]) {
          // the small operand either in the arena too or a plain array (copied in)
          const small = (shape: number[]) => shape.length === 2 && shape[1] === inner && shape[0] === R;
          const make = (shape: number[]) => {
            const v = arenaValues(sizeOf(shape));
            return placed || small(shape) ? v : Float32Array.from(v);
          };
          const a = make(aShape), b = make(bShape);
          const out = arena.allocInArena('float32', R * inner) as Float32Array;
          const ref = new Float32Array(R * inner);
          const ran = binarySimd(arena, op, a, aShape, b, bShape, outShape, out);
          // two one-element operands (rows of 1): a fill, left to the JavaScript path
          if (a.length === 1 && b.length === 1) { assert.not.ok(ran); continue; }
          assert.ok(ran, `${op}: the SIMD kernel ran`);
          binaryInto(op, Float32Array.from(a), aShape, Float32Array.from(b), bShape, outShape, ref);
          assert.equal(bits(out), bits(ref), `${op} (${placed ? 'in the arena' : 'copied in'})`);
        }
      }
    });
  }
}

test('unary SIMD = JavaScript (neg, abs, sqrt, square, relu), with a scalar tail', () => {
  for (const n of [1003, 4, 1]) {
    const x = arenaValues(n);
    for (const op of ['neg', 'abs', 'sqrt', 'square', 'relu'] as const) {
      const out = arena.allocInArena('float32', n) as Float32Array;
      const ref = new Float32Array(n);
      assert.ok(unarySimd(arena, op, x, out), op);
      unaryInto(op, Float32Array.from(x), ref);
      assert.equal(bits(out), bits(ref), `${op}, n = ${n}`);
    }
  }
});

test('everything else falls back: other ops, float64, operands outside the arena, general broadcasts', () => {
  const a = arenaValues(60), b = arenaValues(60);
  const out = arena.allocInArena('float32', 60) as Float32Array;
  assert.not.ok(binarySimd(arena, 'pow', a, [60], b, [60], [60], out), 'pow');
  assert.not.ok(binarySimd(arena, 'add', Float32Array.from(a), [60], b, [60], [60], out), 'a full operand outside the arena');
  assert.not.ok(binarySimd(arena, 'add', a, [60], b, [60], [60], new Float32Array(60)), 'an output outside the arena');
  const f64 = arena.allocInArena('float64', 60) as Float64Array;
  assert.not.ok(binarySimd(arena, 'add', f64, [60], f64, [60], [60], arena.allocInArena('float64', 60) as Float64Array), 'float64');
  const c = arenaValues(5), d = arenaValues(12);
  assert.not.ok(binarySimd(arena, 'add', c, [5, 1], d, [12], [5, 12], arena.allocInArena('float32', 60) as Float32Array), 'outer product: both broadcast');
  assert.not.ok(unarySimd(arena, 'exp', a, out), 'exp');
});

test('through the backend: the composed MF forward and backward on arena-sized tensors match float64', () => {
  const [B, D] = [700, 25]; // 70 KB tensors: arena arrays, so the SIMD kernels run
  const u32 = sg.variable(sg.randn([B, D], { seed: 1 })), v32 = sg.variable(sg.randn([B, D], { seed: 2 }));
  const u64 = sg.variable(sg.tensor(u32.dataSync(), [B, D], 'float64')), v64 = sg.variable(sg.tensor(v32.dataSync(), [B, D], 'float64'));
  const y = sg.randn([B], { seed: 3 }), y64 = sg.tensor(y.dataSync(), [B], 'float64');
  sg.mean(sg.square(sg.sub(sg.sum(sg.mul(u32, v32), 1), y))).backward();
  sg.mean(sg.square(sg.sub(sg.sum(sg.mul(u64, v64), 1), y64))).backward();
  for (const [g32, g64] of [[u32.grad, u64.grad], [v32.grad, v64.grad]] as const) {
    const a = (g32 as sg.Tensor).dataSync(), b = (g64 as sg.Tensor).dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + 1e-6));
    assert.ok(worst < 1e-4, `relative error ${worst}`);
  }
  const x = sg.randn([B, D], { seed: 4 });
  const bias = sg.randn([D], { seed: 5 });
  const col = sg.randn([B, 1], { seed: 6 });
  const ref = (t: sg.Tensor) => sg.tensor(t.dataSync(), t.shape, 'float64');
  for (const [got, want] of [
    [sg.add(x, bias), sg.add(ref(x), ref(bias))],
    [sg.div(col, x), sg.div(ref(col), ref(x))],
    [sg.relu(x), sg.relu(ref(x))],
  ] as const) {
    const a = got.dataSync(), b = Float32Array.from(want.dataSync());
    assert.equal(Array.from(a), Array.from(b));
  }
});

test.run();
