import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';

test('matmul and backward produce a gradient', () => {
  const x = sg.tensor([[1, 2], [3, 4]]);
  const w = sg.variable(sg.randn([2, 3], { seed: 1 }));
  sg.sum(sg.matmul(x, w)).backward();
  const g = w.grad as sg.Tensor;
  assert.equal(Array.from(g.dataSync()), [4, 4, 4, 6, 6, 6]);
});

test.run();
