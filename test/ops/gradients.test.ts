/** Every op's gradient against central finite differences in float64. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { gradcheck, randT } from '../helpers/gradcheck.js';

const pos = (shape: number[], seed: number) => randT(shape, seed, { min: 0.5, max: 2 });

const unary: [string, (x: sg.Tensor) => sg.Tensor, boolean][] = [
  ['neg', sg.neg, false], ['exp', sg.exp, false], ['log', sg.log, true], ['log1p', sg.log1p, true],
  ['sqrt', sg.sqrt, true], ['abs', sg.abs, false], ['square', sg.square, false],
  ['reciprocal', sg.reciprocal, true], ['relu', sg.relu, false], ['sigmoid', sg.sigmoid, false],
  ['tanh', sg.tanh, false], ['softplus', sg.softplus, false],
];
for (const [name, f, positive] of unary) {
  test(`gradient: ${name}`, () => {
    const x = positive ? pos([3, 4], 1) : randT([3, 4], 1);
    // keep relu/abs away from their kink at 0
    const safe = name === 'relu' || name === 'abs' ? sg.add(x, sg.mul(sg.sign(x), 0.1)) : x;
    gradcheck(f, [safe]);
  });
}

const binaryOps: [string, (a: sg.Tensor, b: sg.Tensor) => sg.Tensor][] = [
  ['add', sg.add], ['sub', sg.sub], ['mul', sg.mul], ['div', sg.div], ['pow', sg.pow],
  ['maximum', sg.maximum], ['minimum', sg.minimum],
];
const broadcastCases: [number[], number[]][] = [
  [[3, 4], [3, 4]], [[3, 4], [4]], [[4], [3, 4]], [[3, 1], [1, 4]], [[2, 3, 4], [3, 1]], [[3, 4], []],
];
for (const [name, f] of binaryOps) {
  for (const [sa, sb] of broadcastCases) {
    test(`gradient: ${name} ${JSON.stringify(sa)} with ${JSON.stringify(sb)}`, () => {
      const a = name === 'pow' ? pos(sa, 2) : randT(sa, 2);
      const b = name === 'pow' || name === 'div' ? pos(sb, 3) : randT(sb, 3);
      gradcheck(f, [a, b]);
    });
  }
}

test('gradient: number operands', () => {
  gradcheck((x) => sg.add(sg.mul(x, 3), 2), [randT([2, 3], 4)]);
  gradcheck((x) => sg.div(1, sg.add(x, 3)), [randT([2, 3], 5)]);
  gradcheck((x) => sg.sub(2, x), [randT([2, 3], 6)]);
});

for (const name of ['sum', 'mean', 'max', 'min'] as const) {
  const f = sg[name];
  const cases: [number[], number | number[] | null, boolean][] = [
    [[3, 4], null, false], [[3, 4], 0, false], [[3, 4], 1, true], [[2, 3, 4], [0, 2], false],
    [[2, 3, 4], -1, true], [[2, 3, 4], [1], false],
  ];
  for (const [shape, axes, keepDims] of cases) {
    test(`gradient: ${name} over ${JSON.stringify(axes)} of ${JSON.stringify(shape)} keepDims=${keepDims}`, () => {
      gradcheck((x) => f(x, axes, keepDims), [randT(shape, 7)]);
    });
  }
}

for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]]) {
  test(`gradient: matmul transposeA=${tA} transposeB=${tB}`, () => {
    const a = randT(tA ? [4, 3] : [3, 4], 8);
    const b = randT(tB ? [5, 4] : [4, 5], 9);
    gradcheck((x, y) => sg.matmul(x, y, { transposeA: tA, transposeB: tB }), [a, b]);
  });
}

test('gradient: reshape, transpose, concat, slice', () => {
  gradcheck((x) => sg.reshape(x, [4, -1]), [randT([2, 3, 2], 10)]);
  gradcheck((x) => sg.transpose(x), [randT([2, 3], 11)]);
  gradcheck((x) => sg.transpose(x, [1, 2, 0]), [randT([2, 3, 4], 12)]);
  gradcheck((a, b) => sg.concat([a, b], 1), [randT([2, 3], 13), randT([2, 2], 14)]);
  gradcheck((a, b) => sg.concat([a, b, a], 0), [randT([2, 3], 15), randT([1, 3], 16)]);
  gradcheck((x) => sg.slice(x, [1, 0, 2], [1, 2, -1]), [randT([3, 2, 5], 17)]);
});

test('gradient: gather (sparse and dense) with duplicate ids', () => {
  const ids = [3, 1, 3, 0, 3, 1];
  gradcheck((t) => sg.gather(t, ids), [randT([5, 3], 18)]);
  gradcheck((t) => sg.gather(t, ids, { sparseGrad: false }), [randT([5, 3], 19)]);
});

test('gradient: softmax, logSoftmax, logSumExp', () => {
  gradcheck(sg.softmax, [randT([3, 5], 20)]);
  gradcheck(sg.logSoftmax, [randT([3, 5], 21)]);
  gradcheck(sg.logSumExp, [randT([3, 5], 22)]);
  gradcheck(sg.logSoftmax, [randT([2, 2, 4], 23)]);
});

test('gradient: losses', () => {
  gradcheck((p, y) => sg.mse(p, y), [randT([6], 24), randT([6], 25)]);
  const labels01 = sg.tensor(Float64Array.from([1, 0, 1, 1, 0, 0]), [6], 'float64');
  gradcheck((x) => sg.bceWithLogits(x, labels01), [sg.mul(randT([6], 26), 4)]);
  const classes = sg.tensor(new Int32Array([2, 0, 1]), [3], 'int32');
  gradcheck((x) => sg.softmaxCrossEntropy(x, classes), [randT([3, 4], 27)]);
  const dist = sg.softmax(randT([3, 4], 28));
  gradcheck((x) => sg.softmaxCrossEntropy(x, dist), [randT([3, 4], 29)]);
});

test('gradient: where and cast', () => {
  const cond = sg.tensor(Float64Array.from([1, 0, 0, 1, 1, 0]), [2, 3], 'float64');
  gradcheck((a, b) => sg.where(cond, a, b), [randT([2, 3], 30), randT([2, 3], 31)]);
});

test('gradient: sparse (CSR) times dense, dense and RowSparse weight gradients', () => {
  const x = sg.fromCOO([0, 0, 2, 3, 3], [1, 4, 1, 0, 2], [0.5, -1, 2, 1.5, 0.25], [4, 6]);
  gradcheck((w) => sg.matmul(x, w), [randT([6, 3], 32)]);
  gradcheck((w) => sg.matmul(x, w, { sparseGrad: true }), [randT([6, 3], 33)]);
});

test('gradient: SVD++\'s implicit term — CSR rows of the distinct users × Y (RowSparse), gathered back to one row per pair, dotted with the items\' rows', () => {
  // 3 users' normalised histories over 5 items; the batch's pairs repeat user 2 (models/svdpp.ts)
  const x = sg.fromCOO([0, 0, 1, 1, 1, 2], [0, 2, 1, 2, 4, 3], [1 / Math.SQRT2, 1 / Math.SQRT2, 1 / Math.sqrt(3), 1 / Math.sqrt(3), 1 / Math.sqrt(3), 1], [3, 5]);
  const inverse = [2, 0, 2, 1];
  const items = [4, 1, 0, 0];
  gradcheck((y, q, p) => sg.sum(sg.mul(sg.gather(q, items), sg.add(sg.gather(p, inverse), sg.gather(sg.matmul(x, y, { sparseGrad: true }), inverse, { sparseGrad: false }))), 1),
    [randT([5, 3], 37), randT([5, 3], 38), randT([3, 3], 39)]);
});

test('gradient: a composite (MLP with broadcasting bias)', () => {
  gradcheck((x, w, b) => sg.tanh(sg.add(sg.matmul(x, w), b)), [randT([4, 3], 34), randT([3, 2], 35), randT([2], 36)]);
});

test('gradient: fused gatherDot (sparse and dense) equals the composed ops', () => {
  const ai = [0, 3, 3, 1];
  const bi = [2, 2, 0, 4];
  gradcheck((a, b) => sg.gatherDot(a, b, ai, bi), [randT([4, 3], 40), randT([5, 3], 41)]);
  gradcheck((a, b) => sg.gatherDot(a, b, ai, bi, { sparseGrad: false }), [randT([4, 3], 42), randT([5, 3], 43)]);
  const a = randT([4, 3], 44);
  const b = randT([5, 3], 45);
  const fused = sg.gatherDot(a, b, ai, bi).dataSync();
  const composed = sg.sum(sg.mul(sg.gather(a, ai), sg.gather(b, bi)), 1).dataSync();
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(fused[i] - composed[i]) < 1e-14);
  assert.throws(() => sg.gatherDot(a, b, [9], [0]), /first index 9 at position 0/);
});

test('gradcheck itself catches a wrong gradient', () => {
  // an op whose backward is deliberately off by a factor: the checker must reject it
  const wrong = (x: sg.Tensor) => {
    const y = sg.mul(x, 2);
    const node = y.node;
    if (node) {
      const orig = node.backward;
      node.backward = (dy) => orig(sg.mul(dy, 1.5));
    }
    return y;
  };
  assert.throws(() => gradcheck(wrong, [randT([3], 37)]), /gradcheck: input 0/);
});


test('gradient: fused dense layer (relu and linear, with and without bias)', () => {
  for (const act of ['relu', 'linear'] as const) {
    gradcheck((x, w, b) => sg.dense(x, w, b, act), [randT([5, 3], 44), randT([3, 4], 45), randT([4], 46)]);
    gradcheck((x, w) => sg.dense(x, w, null, act), [randT([5, 3], 47), randT([3, 4], 48)]);
  }
  assert.throws(() => sg.dense(randT([2, 3], 49), randT([4, 2], 50)), /dense: expected x \[batch, in\] and w \[in, out\]/);
  assert.throws(() => sg.dense(randT([2, 3], 49), randT([3, 2], 50), randT([3], 51)), /bias has shape \[3\], expected \[2\]/);
});

test.run();
