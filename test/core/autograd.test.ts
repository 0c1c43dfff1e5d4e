/** The tape: diamonds, accumulation, noGrad, tidy/memory, graph release, bad input. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';

const arr = (t: sg.Gradient | null) => Array.from((t as sg.Tensor).dataSync());

test('diamond: a tensor used twice receives the sum of both paths', () => {
  // y = x*x + 3x  →  dy/dx = 2x + 3 ; x is used by two ops and one op uses it twice
  const x = sg.variable(sg.tensor([1, 2, -3]));
  const a = sg.mul(x, x);
  const b = sg.mul(x, 3);
  sg.sum(sg.add(a, b)).backward();
  assert.equal(arr(x.grad), [5, 7, -3]);
});

test('diamond through a shared intermediate', () => {
  // h = 2x ; y = h*h + h  →  dy/dx = (2h + 1)·2
  const x = sg.variable(sg.tensor([1, 0.5]));
  const h = sg.mul(x, 2);
  sg.sum(sg.add(sg.mul(h, h), h)).backward();
  assert.equal(arr(x.grad), [10, 6]);
});

test('gradients accumulate across backward calls until zeroGrad', () => {
  const w = sg.variable(sg.tensor([1, 2]));
  sg.sum(sg.mul(w, 2)).backward();
  sg.sum(sg.mul(w, 3)).backward();
  assert.equal(arr(w.grad), [5, 5]);
  const opt = new sg.optim.SGD([w], { lr: 0.1 });
  opt.zeroGrad();
  assert.is(w.grad, null);
});

test('two leaves fed the same gradient tensor get independent copies', () => {
  const a = sg.variable(sg.tensor([1, 2]));
  const b = sg.variable(sg.tensor([3, 4]));
  sg.sum(sg.add(a, b)).backward();
  (a.grad as sg.Tensor).dispose();
  assert.equal(arr(b.grad), [1, 1]);
});

test('noGrad records nothing', () => {
  const w = sg.variable(sg.tensor([1, 2]));
  const y = sg.noGrad(() => sg.sum(sg.mul(w, w)));
  assert.is(y.requiresGrad, false);
  assert.is(y.node, null);
  assert.throws(() => y.backward(), /does not require a gradient/);
});

test('backward releases the graph; a second backward is a clear error', () => {
  const w = sg.variable(sg.tensor([1, 2]));
  const loss = sg.sum(sg.mul(w, w));
  loss.backward();
  assert.throws(() => loss.backward(), /already used by backward/);
  const loss2 = sg.sum(sg.mul(w, w));
  loss2.backward(undefined, { retainGraph: true });
  loss2.backward();
  assert.equal(arr(w.grad), [6, 12]); // 2w from each of the three backward passes
});

test('tidy frees everything made inside except the result; memory() tracks it', () => {
  const before = sg.memory().numTensors;
  const kept = sg.tidy(() => {
    const a = sg.ones([100, 10]);
    const b = sg.mul(a, 2);
    return sg.sum(b, 1);
  });
  assert.is(sg.memory().numTensors, before + 1);
  assert.equal(Array.from(kept.dataSync()).slice(0, 2), [20, 20]);
  kept.dispose();
  assert.is(sg.memory().numTensors, before);
});

test('tidy keeps variables, their gradients and nested results', () => {
  const w = sg.variable(sg.randn([4, 3], { seed: 1 }));
  const before = sg.memory().numTensors;
  const out = sg.tidy(() => {
    const loss = sg.sum(sg.square(sg.matmul(sg.ones([2, 4]), w)));
    loss.backward();
    return { loss, list: [sg.zeros([2])] };
  });
  assert.ok(w.grad && !(w.grad as sg.Tensor).isDisposed);
  // result tensors (2) + the new gradient (1)
  assert.is(sg.memory().numTensors, before + 3);
  out.loss.dispose(); out.list[0].dispose(); (w.grad as sg.Tensor).dispose(); w.grad = null;
  assert.is(sg.memory().numTensors, before);
});

test('a training loop keeps memory() flat', () => {
  const w = sg.variable(sg.randn([50, 8], { seed: 2 }));
  const opt = new sg.optim.Adam([w], { lr: 0.01 });
  const step = () => sg.tidy(() => {
    opt.zeroGrad();
    const loss = sg.mse(sg.gather(w, [1, 2, 3, 2]), sg.ones([4, 8]));
    loss.backward();
    opt.step();
  });
  step();
  const before = sg.memory();
  for (let i = 0; i < 20; i++) step();
  const after = sg.memory();
  assert.is(after.numTensors, before.numTensors);
  assert.is(after.numBytes, before.numBytes);
});

test('tidy refuses async functions', () => {
  assert.throws(() => sg.tidy((async () => 1) as unknown as () => number), /Promise/);
});

test('bad input: shape mismatch names the op and both shapes', () => {
  assert.throws(() => sg.add(sg.zeros([2, 3]), sg.zeros([4, 3])), /add: shapes \[2, 3\] and \[4, 3\]/);
  assert.throws(() => sg.matmul(sg.zeros([2, 3]), sg.zeros([4, 5])), /matmul: inner dimensions differ: \[2, 3\] · \[4, 5\]/);
  assert.throws(() => sg.mse(sg.zeros([4]), sg.zeros([5])), /mse: predictions \[4\] and labels \[5\]/);
  assert.throws(() => sg.reshape(sg.zeros([2, 3]), [4, 2]), /reshape: cannot reshape \[2, 3\]/);
});

test('bad input: unsupported argument types give a typed-function error naming the op', () => {
  assert.throws(() => (sg.add as unknown as (a: unknown, b: unknown) => unknown)('x', sg.zeros([1])), (e: Error) =>
    e instanceof TypeError && /add/.test(e.message));
  assert.throws(() => (sg.matmul as unknown as (a: unknown) => unknown)(3), (e: Error) => /matmul/.test(e.message));
});

test('bad input: out-of-range gather index names the index and the table size', () => {
  const t = sg.zeros([5, 2]);
  assert.throws(() => sg.gather(t, [0, 7, 1]), /index 7 at position 1 is out of range for a table of 5 rows/);
  assert.throws(() => sg.gather(t, [-1]), /index -1/);
});

test('bad input: a NaN loss is reported by backward, not propagated', () => {
  const w = sg.variable(sg.tensor([-1, 2]));
  const loss = sg.sum(sg.log(w));
  assert.throws(() => loss.backward(), /loss is NaN \(produced by op 'sum'\)/);
});

test('disposed tensors are a clear error', () => {
  const t = sg.ones([2]);
  t.dispose();
  assert.throws(() => t.dataSync(), /disposed/);
  assert.throws(() => sg.add(t, 1), /disposed/);
});

test('tensor creation: nested arrays, shapes, dtypes, ragged input', () => {
  const t = sg.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(t.shape, [2, 3]);
  assert.equal(t.arraySync(), [[1, 2, 3], [4, 5, 6]]);
  assert.is(sg.tensor(new Int32Array([1, 2])).dtype, 'int32');
  assert.throws(() => sg.tensor([[1, 2], [3]]), /ragged/);
  assert.throws(() => sg.tensor([1, 2, 3], [2, 2]), /3 values do not fill shape \[2, 2\]/);
  assert.throws(() => sg.zeros([2], 'float8' as sg.DType), /.+/);
});

test('same seed gives the same random tensors; different streams differ', () => {
  const a = sg.randn([5], { seed: 42 }).dataSync();
  const b = sg.randn([5], { seed: 42 }).dataSync();
  const c = sg.randn([5], { seed: 43 }).dataSync();
  assert.equal(Array.from(a), Array.from(b));
  assert.not.equal(Array.from(a), Array.from(c));
});

test.run();
