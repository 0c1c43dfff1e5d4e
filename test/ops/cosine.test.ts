/**
 * ops/cosine.ts: the row-wise cosine similarity op and the margin loss on it — values
 * against float64 formulas, gradients against central finite differences in float64, and
 * the pair equal to the fused cosineLoss of recsys-losses.ts in value and gradient.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { gradcheck, randT } from '../helpers/gradcheck.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const f64 = (v: number[][] | number[]) => sg.tensor(v, undefined, 'float64');

test('cosineSimilarity: a·b / (‖a‖‖b‖) per row, [B, D] → [B]', () => {
  const a = f64([[1, 0], [1, 1], [3, 4], [1, 2]]);
  const b = f64([[1, 0], [1, 0], [-3, -4], [-2, 1]]);
  const c = sg.cosineSimilarity(a, b);
  assert.equal(c.shape, [4]);
  const v = c.dataSync();
  [1, Math.SQRT1_2, -1, 0].forEach((want, i) => close(v[i], want, 1e-11));
  assert.throws(() => sg.cosineSimilarity(sg.zeros([2, 3]), sg.zeros([2, 4])), /cosineSimilarity: both inputs must be \[batch, dim\] of the same shape, got \[2, 3\] and \[2, 4\]/);
});

test('gradient: cosineSimilarity in float64 against finite differences', () => {
  gradcheck((a, b) => sg.cosineSimilarity(a, b), [randT([6, 4], 1), randT([6, 4], 2)], { tol: 1e-6 });
  // one side only (the other a constant)
  const fixed = randT([3, 5], 3);
  gradcheck((a) => sg.cosineSimilarity(a, fixed), [randT([3, 5], 4)], { tol: 1e-6 });
});

test('cosineSimilarity: a zero row has cosine 0 and a finite gradient (eps under the roots)', () => {
  const a = sg.variable(f64([[0, 0, 0], [1, 2, 3]]));
  const b = sg.variable(f64([[1, 1, 0], [1, 0, 0]]));
  const c = sg.cosineSimilarity(a, b);
  close(c.dataSync()[0], 0);
  sg.sum(c).backward();
  for (const g of [a.grad as sg.Tensor, b.grad as sg.Tensor]) assert.ok(Array.from(g.dataSync()).every(Number.isFinite));
});

test('cosineMarginLoss: 1 − c for positives, max(0, c − margin) for negatives, mean over rows', () => {
  const c = f64([0.9, 0.7, -0.2, 0.05]);
  const y = f64([1, 0, 0, -1]);
  close(sg.cosineMarginLoss(c, y, { margin: 0.1 }).item(), ((1 - 0.9) + (0.7 - 0.1) + 0 + 0) / 4);
  close(sg.cosineMarginLoss(c, y).item(), ((1 - 0.9) + 0.7 + 0 + 0.05) / 4);
  assert.throws(() => sg.cosineMarginLoss(c, f64([1, 0])), /cosineMarginLoss: labels \[2\] must match the cosines \[4\]/);
  // gradient (away from the kinks at c = margin)
  gradcheck((x) => sg.cosineMarginLoss(x, y, { margin: 0.1 }), [c], { tol: 1e-6 });
});

test('cosineMarginLoss(cosineSimilarity(a, b)) equals the fused cosineLoss(a, b), value and gradients', () => {
  const y = sg.tensor([1, 0, 1, 0, 0, 1], undefined, 'float64');
  for (const margin of [0, -0.3]) {
    const grads = (loss: (a: sg.Tensor, b: sg.Tensor) => sg.Tensor) => {
      const a = sg.variable(randT([6, 4], 5));
      const b = sg.variable(randT([6, 4], 6));
      const l = loss(a, b);
      l.backward();
      return [l.item(), ...(a.grad as sg.Tensor).dataSync(), ...(b.grad as sg.Tensor).dataSync()];
    };
    const split = grads((a, b) => sg.cosineMarginLoss(sg.cosineSimilarity(a, b), y, { margin }));
    const fused = grads((a, b) => sg.cosineLoss(a, b, y, { margin }));
    split.forEach((v, i) => close(v, fused[i], 1e-12));
  }
});

test.run();
