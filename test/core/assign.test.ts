/** Tensor.assign: values replaced in place (host numbers or another tensor), the tensor kept. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';

test('assign from host numbers: float32, float16 (encoded), int32; the same tensor, the same memory report', () => {
  const t = sg.variable(sg.zeros([2, 3]));
  const before = sg.memory().numTensors;
  assert.is(t.assign([1, 2, 3, 4, 5, 6]), t);
  assert.equal(Array.from(t.dataSync()), [1, 2, 3, 4, 5, 6]);
  assert.is(sg.memory().numTensors, before);
  const h = sg.zeros([3], 'float16');
  h.assign(Float64Array.of(0.5, -2, 65504));
  assert.equal(Array.from(h.dataSync()), [0.5, -2, 65504]);
  const i = sg.zeros([2], 'int32');
  i.assign([7, -3]);
  assert.equal(Array.from(i.dataSync()), [7, -3]);
});

test('assign from a tensor copies (and casts) its values; the source stays usable', () => {
  const t = sg.variable(sg.zeros([4]));
  const src = sg.tensor([1.5, 2.5, 3.5, 4.5]);
  t.assign(src);
  src.assign([0, 0, 0, 0]); // no shared storage
  assert.equal(Array.from(t.dataSync()), [1.5, 2.5, 3.5, 4.5]);
  const half = sg.zeros([2], 'float16');
  half.assign(sg.tensor([1 / 3, 100]));
  assert.equal(Array.from(half.dataSync()), [Math.fround(0.333251953125), 100]);
  // a variable keeps its identity for its optimizer: one step after assign moves the new values
  const opt = new sg.optim.SGD([t], { lr: 1 });
  sg.sum(t).backward();
  opt.step();
  assert.equal(Array.from(t.dataSync()), [0.5, 1.5, 2.5, 3.5]);
});

test('assign refuses what does not fit, naming the tensor', () => {
  const t = sg.zeros([2, 2]);
  t.name = 'w';
  assert.throws(() => t.assign([1, 2, 3]), /assign: 3 values for 'w' #\d+ \[2, 2\] float32 \(4 elements\)/);
  assert.throws(() => t.assign(sg.zeros([4])), /assign: source shape \[4\] does not match 'w'/);
  const gone = sg.zeros([2, 2]);
  gone.dispose();
  assert.throws(() => t.assign(gone), /source .* was disposed/);
  assert.throws(() => gone.assign([1, 2, 3, 4]), /assign: tensor .* was disposed/);
});

test.run();
