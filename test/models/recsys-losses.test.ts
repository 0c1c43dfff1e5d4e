/**
 * The recommender losses (ops/recsys-losses.ts): values against direct float64 formulas and
 * gradients against central finite differences, with CSR and dense targets agreeing.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { gradcheck, randT } from '../helpers/gradcheck.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

/** A small CSR of counts (some rows with several items, one row empty) and its dense copy. */
function targets(): { x: sg.CSR; dense: number[][] } {
  const dense = [
    [1, 0, 0, 2, 0],
    [0, 0, 0, 0, 0],
    [0, 1, 1, 0, 1],
  ];
  return { x: sg.fromDense(dense.flat(), [3, 5]), dense };
}

test('cosineLoss: value for positive and negative pairs (margin)', () => {
  const a = sg.tensor([[1, 0], [1, 1], [1, 0]], undefined, 'float64');
  const b = sg.tensor([[1, 0], [1, 0], [-1, 0]], undefined, 'float64');
  const y = sg.tensor([1, 0, 0], undefined, 'float64');
  // pos: 1 − 1 = 0; neg with cos = 1/√2: max(0, 0.707 − 0.1); neg with cos = −1: 0
  const loss = sg.cosineLoss(a, b, y, { margin: 0.1 }).item();
  close(loss, (Math.SQRT1_2 - 0.1) / 3, 1e-9);
  // −1 labels count as negatives too
  close(sg.cosineLoss(a, b, sg.tensor([1, -1, -1], undefined, 'float64'), { margin: 0.1 }).item(), loss);
});

test('gradient: cosineLoss (positives, active and inactive negatives)', () => {
  const y = sg.tensor([1, 0, 1, 0, 0, 1], undefined, 'float64');
  gradcheck((a, b) => sg.cosineLoss(a, b, y), [randT([6, 4], 1), randT([6, 4], 2)], { tol: 1e-6 });
  gradcheck((a, b) => sg.cosineLoss(a, b, y, { margin: -0.3 }), [randT([6, 4], 3), randT([6, 4], 4)], { tol: 1e-6 });
});

test('multinomialLogLikelihood: value = −mean_u Σ_i x_ui log softmax(z_u)_i, CSR = dense', () => {
  const { x, dense } = targets();
  const z = randT([3, 5], 5, { min: -3, max: 3 });
  const zv = z.dataSync();
  let expected = 0;
  for (let u = 0; u < 3; u++) {
    let m = -Infinity;
    for (let i = 0; i < 5; i++) m = Math.max(m, zv[u * 5 + i]);
    let s = 0;
    for (let i = 0; i < 5; i++) s += Math.exp(zv[u * 5 + i] - m);
    const lse = m + Math.log(s);
    for (let i = 0; i < 5; i++) expected -= dense[u][i] * (zv[u * 5 + i] - lse);
  }
  expected /= 3;
  close(sg.multinomialLogLikelihood(z, x).item(), expected);
  close(sg.multinomialLogLikelihood(z, sg.tensor(dense, undefined, 'float64')).item(), expected);
});

test('gradient: multinomialLogLikelihood with CSR and dense targets', () => {
  const { x, dense } = targets();
  gradcheck((z) => sg.multinomialLogLikelihood(z, x), [randT([3, 5], 6, { min: -2, max: 2 })]);
  const d = sg.tensor(dense, undefined, 'float64');
  gradcheck((z) => sg.multinomialLogLikelihood(z, d), [randT([3, 5], 7, { min: -2, max: 2 })]);
});

test('gaussianKL: value and zero at the prior', () => {
  const mu = sg.tensor([[0.5, -1], [0, 2]], undefined, 'float64');
  const lv = sg.tensor([[0.2, -0.3], [1, 0]], undefined, 'float64');
  let e = 0;
  const m = [0.5, -1, 0, 2];
  const l = [0.2, -0.3, 1, 0];
  for (let j = 0; j < 4; j++) e += 0.5 * (-l[j] + Math.exp(l[j]) + m[j] ** 2 - 1);
  close(sg.gaussianKL(mu, lv).item(), e / 2);
  close(sg.gaussianKL(sg.zeros([3, 4], 'float64'), sg.zeros([3, 4], 'float64')).item(), 0);
});

test('gradient: gaussianKL', () => {
  gradcheck((mu, lv) => sg.gaussianKL(mu, lv), [randT([3, 4], 8), randT([3, 4], 9)]);
});

test('multiLabelBCE: CSR targets = dense targets = Σ over labels of bceWithLogits', () => {
  const { x, dense } = targets();
  const bin = sg.fromDense(dense.flat().map((v) => (v > 0 ? 1 : 0)), [3, 5]);
  const binDense = sg.tensor(dense.map((r) => r.map((v) => (v > 0 ? 1 : 0))), undefined, 'float64');
  const z = randT([3, 5], 10, { min: -30, max: 30 }); // large logits: no overflow
  const viaMean = sg.bceWithLogits(z, binDense).item() * 5; // mean over 15 → sum over 5 labels / 3 rows
  close(sg.multiLabelBCE(z, bin).item(), viaMean, 1e-9);
  close(sg.multiLabelBCE(z, binDense).item(), viaMean, 1e-9);
  assert.ok(Number.isFinite(sg.multiLabelBCE(z, x).item()));
});

test('gradient: multiLabelBCE with CSR and dense targets', () => {
  const { x, dense } = targets();
  gradcheck((z) => sg.multiLabelBCE(z, x), [randT([3, 5], 11, { min: -3, max: 3 })]);
  gradcheck((z) => sg.multiLabelBCE(z, sg.tensor(dense, undefined, 'float64')), [randT([3, 5], 12, { min: -3, max: 3 })]);
});

test('bprLoss: value = mean −log σ(pos − neg), stable for large score gaps', () => {
  const pos = sg.tensor([2, -1, 0.5, 30], undefined, 'float64');
  const neg = sg.tensor([1, 1, 0.5, -30], undefined, 'float64');
  const e = [2 - 1, -1 - 1, 0, 60].reduce((s, d) => s - Math.log(1 / (1 + Math.exp(-d))), 0) / 4;
  close(sg.bprLoss(pos, neg).item(), e);
  // a gap of ±1000: no overflow, the loss of the wrong order is the gap itself
  close(sg.bprLoss(sg.tensor([1000], undefined, 'float64'), sg.tensor([0], undefined, 'float64')).item(), 0);
  close(sg.bprLoss(sg.tensor([-1000], undefined, 'float64'), sg.tensor([0], undefined, 'float64')).item(), 1000);
  // only the difference matters: a shared per-user term cancels
  close(sg.bprLoss(sg.add(pos, 7), sg.add(neg, 7)).item(), e);
});

test('gradient: bprLoss (both scores; either side alone)', () => {
  gradcheck((p, n) => sg.bprLoss(p, n), [randT([7], 13, { min: -3, max: 3 }), randT([7], 14, { min: -3, max: 3 })]);
  gradcheck((p, n) => sg.bprLoss(p, n), [randT([3, 2], 15, { min: -3, max: 3 }), randT([3, 2], 16, { min: -3, max: 3 })]);
  const fixed = randT([5], 17);
  gradcheck((p) => sg.bprLoss(p, fixed), [randT([5], 18)]);
  gradcheck((n) => sg.bprLoss(fixed, n), [randT([5], 19)]);
});

test('losses: shape errors name the op', () => {
  assert.throws(() => sg.bprLoss(sg.zeros([4]), sg.zeros([3])), /bprLoss: positive scores \[4\] and negative scores \[3\] must have the same shape/);
  assert.throws(() => sg.bprLoss(sg.zeros([0]), sg.zeros([0])), /bprLoss: no triples/);
  const { x } = targets();
  assert.throws(() => sg.multinomialLogLikelihood(sg.zeros([3, 4]), x), /multinomialLogLikelihood.*\[3, ?4\]/);
  assert.throws(() => sg.cosineLoss(sg.zeros([2, 3]), sg.zeros([2, 4]), sg.zeros([2])), /cosineLoss/);
  assert.throws(() => sg.gaussianKL(sg.zeros([2, 3]), sg.zeros([3, 2])), /gaussianKL/);
});

test.run();
