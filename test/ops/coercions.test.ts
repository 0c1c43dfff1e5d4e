/**
 * No silent coercions (issue 14 item 10): ids must be integers in range, tensor data must be
 * numbers, int32 values must be integers, zeros/ones/full take a dtype or {dtype} — or say
 * clearly what is wrong.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';

test('gather: 1.5, NaN, "1", out-of-range and huge ids are errors (not rows 1, 0, 1 or a wrapped index)', () => {
  const t = sg.tensor([[1, 2], [3, 4], [5, 6]]);
  assert.throws(() => sg.gather(t, [1.5]), /gather: ids must be integers; position 0 holds 1\.5/);
  assert.throws(() => sg.gather(t, [0, NaN]), /gather: ids must be integers; position 1 holds NaN/);
  assert.throws(() => sg.gather(t, ['1'] as unknown as number[]), /gather: ids must be integers; position 0 holds the string "1"/);
  assert.throws(() => sg.gather(t, [3]), /gather: index 3 at position 0 is out of range for a table of 3 rows/);
  assert.throws(() => sg.gather(t, [2 ** 32 + 1]), /out of range/);
  assert.throws(() => sg.gather(t, [-1]), /out of range/);
  assert.equal(Array.from(sg.gather(t, [2, 0]).dataSync()), [5, 6, 1, 2]);
  assert.equal(Array.from(sg.gather(t, Int32Array.of(1)).dataSync()), [3, 4]);
  const a = sg.variable(sg.tensor([[1, 2], [3, 4]]));
  const b = sg.variable(sg.tensor([[1, 0], [0, 1]]));
  assert.throws(() => sg.gatherDot(a, b, [0.5] as unknown as Int32Array, Int32Array.of(0)), /gatherDot: first ids must be integers/);
});

test('tensor: strings, objects and null are errors, not NaN; int32 data must be integers in range', () => {
  assert.throws(() => sg.tensor(['a', 'b'] as unknown as number[]), /tensor: the element at index \[0\] is the string "a", not a number/);
  assert.throws(() => sg.tensor([[1, 2], [3, {}]] as unknown as number[][]), /index \[1, 1\] is an object \(Object\), not a number/);
  assert.throws(() => sg.tensor([1, null] as unknown as number[]), /index \[1\] is null, not a number/);
  assert.throws(() => sg.tensor([1.5], [1], 'int32'), /tensor: int32 value at position 0 is 1\.5, not an integer in the int32 range/);
  assert.throws(() => sg.tensor(Float32Array.of(2 ** 31), [1], 'int32'), /not an integer in the int32 range/);
  assert.equal(Array.from(sg.tensor([true, false]).dataSync()), [1, 0]);
  assert.equal(Array.from(sg.tensor([3, -4], [2], 'int32').dataSync()), [3, -4]);
});

test('zeros / ones / full take a dtype name or {dtype}; anything else is a clear error', () => {
  const o = sg.ones([2, 2], { dtype: 'int32' } as never);
  assert.is(o.dtype, 'int32');
  assert.equal(Array.from(o.dataSync()), [1, 1, 1, 1]);
  assert.is(sg.zeros([3], { dtype: 'float32' } as never).dtype, 'float32');
  assert.is(sg.ones([3], {} as never).dtype, 'float32');
  assert.is(sg.full([2], 7, 'int32').dtype, 'int32');
  assert.throws(() => sg.ones([2], { dtype: 'int8' } as never), /ones|full: unknown dtype "int8"/);
  assert.throws(() => sg.zeros([2], 'double' as never), /zeros: unknown dtype "double"/);
  assert.throws(() => sg.full([2], 'x' as never), /full: the fill value is the string "x", not a number/);
  assert.throws(() => sg.full([2], 1.5, 'int32'), /full: int32 value at position 0 is 1\.5/);
});

test('csr: non-integer indices and indptr are errors, not truncated', () => {
  assert.throws(() => sg.csr([0, 1], [1.5], null, [1, 3]), /csr: indices\[0\] is 1\.5, not an integer/);
  assert.throws(() => sg.csr([0, '1'] as unknown as number[], [1], null, [1, 3]), /csr: indptr\[1\] is "1", not an integer/);
  assert.equal(Array.from(sg.csr([0, 1], [2], null, [1, 3]).indices), [2]);
});

test('optimizers refuse hyper-parameters out of range (a checkpoint cannot smuggle beta1 = 9e15 in)', () => {
  const p = [sg.variable(sg.tensor([1, 2]))];
  assert.throws(() => new sg.optim.Adam(p, { beta1: 9e15 }), /Adam: beta1 must be in \[0, 1\), got 9000000000000000/);
  assert.throws(() => new sg.optim.Adam(p, { beta2: 1 }), /beta2 must be in \[0, 1\)/);
  assert.throws(() => new sg.optim.Adam(p, { eps: 0 }), /Adam: eps must be a finite number > 0/);
  assert.throws(() => new sg.optim.SGD(p, { momentum: -0.1 }), /SGD: momentum must be in \[0, 1\)/);
  assert.throws(() => new sg.optim.AdaGrad(p, { weightDecay: -1 }), /weightDecay must be a finite number ≥ 0/);
  assert.throws(() => new sg.optim.SGD(p, { lr: Infinity }), /learning rate must be a finite number > 0/);
  assert.throws(() => new sg.optim.SGD(p, { lazy: 'yes' as never }), /lazy must be true or false/);
  new sg.optim.Adam(p, { beta1: 0, beta2: 0.5, eps: 1e-6, weightDecay: 0.1 });
});

test.run();
