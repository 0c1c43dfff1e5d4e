/**
 * Unbounded sizes: a tensor no typed array can hold is refused at once with the op and the
 * size named, not V8's bare "Invalid typed array length" (or an hour of initialisation).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { AllocationBudgetError, MAX_TENSOR_ELEMENTS } from '../../core/budget.js';

test('a model whose table cannot exist says which tensor and how large', () => {
  const err = (() => { try { new sg.models.MatrixFactorization({ numUsers: 1e12, numItems: 5 }); } catch (e) { return e as Error; } return null; })();
  assert.ok(err instanceof AllocationBudgetError, String(err));
  assert.match(err!.message, /initTensor \[1000000000000,25\]: 25,000,000,000,000 values/);
  assert.match(err!.message, /more than one tensor can hold/);
});

test('zeros and full refuse more than MAX_TENSOR_ELEMENTS values; sizes at the edge of usual are fine', () => {
  assert.throws(() => sg.zeros([MAX_TENSOR_ELEMENTS, 2]), /zeros: 8,589,934,592 values/);
  assert.throws(() => sg.full([65536, 65536, 2], 1), /full: .* more than one tensor can hold/);
  assert.equal(sg.zeros([1000, 1000]).size, 1e6);
});

test.run();
