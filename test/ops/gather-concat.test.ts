/**
 * gatherConcat (ops/gather-concat.ts): equal to concat of gathers in value and gradient, on
 * the CPU backend's WebAssembly path (float32 arena tables) and its JavaScript twins
 * (float64), with the gradient checked against finite differences; clear errors.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { gradcheck, maxRelDiff, randT } from '../helpers/gradcheck.js';
import { randomStream } from '../../core/random.js';

const r = randomStream('gather-concat-test', 1);
const ids = (n: number, max: number) => Int32Array.from({ length: n }, () => r.int(max));
const dense = (g: sg.Gradient | null) => Float64Array.from((g instanceof sg.RowSparse ? g.toDense() : (g as sg.Tensor)).dataSync());

test('float32 at DeepMF-like sizes (WebAssembly path): values and RowSparse gradients equal concat of gathers', () => {
  const U = sg.variable(sg.randn([3000, 25], { seed: 1 })), I = sg.variable(sg.randn([700, 25], { seed: 2 }));
  const u = ids(5000, 3000), i = ids(5000, 700); // items repeat a lot: segment sums with long segments
  const R = sg.randn([5000, 50], { seed: 3 });
  const run = (f: () => sg.Tensor) => {
    U.grad = null; I.grad = null;
    const y = f();
    sg.sum(sg.mul(y, R)).backward();
    return { y: Float64Array.from(y.dataSync()), gu: U.grad as unknown as sg.RowSparse, gi: I.grad as unknown as sg.RowSparse };
  };
  const fused = run(() => sg.gatherConcat([U, I], [u, i]));
  const composed = run(() => sg.concat([sg.gather(U, u), sg.gather(I, i)], 1));
  assert.equal(Array.from(fused.y), Array.from(composed.y), 'a lookup copies exactly');
  assert.ok(fused.gu instanceof sg.RowSparse && fused.gi instanceof sg.RowSparse);
  assert.equal(Array.from(fused.gu.indices), Array.from(composed.gu.indices));
  assert.ok(maxRelDiff(dense(fused.gu), dense(composed.gu)) < 1e-6);
  assert.ok(maxRelDiff(dense(fused.gi), dense(composed.gi)) < 1e-6);
});

test('dense gradients (sparseGrad false, per table) and a table without a gradient', () => {
  const A = sg.variable(sg.randn([50, 3], { seed: 4 })), B = sg.randn([20, 5], { seed: 5 });
  const a = ids(30, 50), b = ids(30, 20);
  const y = sg.gatherConcat([A, B], [a, b], { sparseGrad: [false, true] });
  sg.sum(sg.square(y)).backward();
  assert.ok(!(A.grad instanceof sg.RowSparse) && (A.grad as sg.Tensor).shape.join() === '50,3');
  assert.is(B.grad, null, 'B does not require a gradient');
  const fused = dense(A.grad);
  A.grad = null;
  sg.sum(sg.square(sg.concat([sg.gather(A, a, { sparseGrad: false }), sg.gather(B, b)], 1))).backward();
  assert.ok(maxRelDiff(fused, dense(A.grad)) < 1e-6);
  assert.ok(fused.some((v) => v !== 0));
});

test('gradient matches finite differences (float64, three tables, repeated ids)', () => {
  const i0 = Int32Array.from([0, 2, 2, 1]), i1 = Int32Array.from([1, 1, 0, 1]), i2 = Int32Array.from([3, 0, 3, 3]);
  gradcheck((a, b, c) => sg.gatherConcat([a, b, c], [i0, i1, i2]), [randT([3, 2], 1), randT([2, 1], 2), randT([4, 3], 3)]);
  gradcheck((a, b) => sg.gatherConcat([a, b], [i0, i1], { sparseGrad: false }), [randT([3, 2], 4), randT([2, 1], 5)]);
});

test('errors name the problem', () => {
  const A = sg.zeros([5, 2]), B = sg.zeros([4, 3]);
  assert.throws(() => sg.gatherConcat([A, B], [[0, 1]]), /one id list per table/);
  assert.throws(() => sg.gatherConcat([A, B], [[0, 1], [0]]), /table 1 has 1 ids, table 0 has 2/);
  assert.throws(() => sg.gatherConcat([A, B], [[0, 5], [0, 1]]), /table 0: index 5 at position 1 is out of range for a table of 5 rows/);
  assert.throws(() => sg.gatherConcat([sg.zeros([5])], [[0]]), /table 0 must be \[rows, dim\]/);
});

test.run();
