/**
 * The ops whose forward is an acceleration, gradient-checked in float64 on the CPU backend
 * with its accelerations hidden (`primitivesOnly`): the reference compositions in ops/ then
 * compute every forward, so this checks that they are right, not just close to the fused
 * kernels (test/ops/accelerations.test.ts) — and that each op's backward is right for them.
 */
import { test } from 'uvu';
import * as sg from '../../index.js';
import { primitivesOnly } from '../../core/kernels.js';
import { gradcheck, randT } from '../helpers/gradcheck.js';

sg.engine.registerBackend('cpu-primitives', () => primitivesOnly(sg.engine.getBackendInstance('cpu')!));

/** A test that runs on the primitives-only backend. */
function onPrimitives(name: string, fn: () => void): void {
  test(`${name} (primitives only)`, () => {
    sg.engine.setBackendSync('cpu-primitives');
    try {
      fn();
    } finally {
      sg.engine.setBackendSync('cpu');
    }
  });
}

const pos = (shape: number[], seed: number) => randT(shape, seed, { min: 0.5, max: 2 });

onPrimitives('gradient: the fused unary functions', () => {
  const cases: [string, (x: sg.Tensor) => sg.Tensor, boolean][] = [
    ['log1p', sg.log1p, true], ['square', sg.square, false], ['reciprocal', sg.reciprocal, true], ['relu', sg.relu, false],
    ['sigmoid', sg.sigmoid, false], ['tanh', sg.tanh, false], ['softplus', sg.softplus, false],
  ];
  for (const [name, f, positive] of cases) {
    const x = positive ? pos([3, 4], 1) : randT([3, 4], 1);
    gradcheck(f, [name === 'relu' ? sg.add(x, sg.mul(sg.sign(x), 0.1)) : x]);
  }
});

onPrimitives('gradient: softmax, logSoftmax, logSumExp', () => {
  gradcheck(sg.softmax, [randT([3, 5], 20)]);
  gradcheck(sg.logSoftmax, [randT([3, 5], 21)]);
  gradcheck(sg.logSumExp, [randT([3, 5], 22)]);
  gradcheck(sg.logSoftmax, [randT([2, 2, 4], 23)]);
});

onPrimitives('gradient: gatherDot (sparse and dense)', () => {
  const ai = [0, 3, 3, 1];
  const bi = [2, 2, 0, 4];
  gradcheck((a, b) => sg.gatherDot(a, b, ai, bi), [randT([4, 3], 40), randT([5, 3], 41)]);
  gradcheck((a, b) => sg.gatherDot(a, b, ai, bi, { sparseGrad: false }), [randT([4, 3], 42), randT([5, 3], 43)]);
});

onPrimitives('gradient: mse (both inputs; [B,1] against [B])', () => {
  gradcheck((p, y) => sg.mse(p, y), [randT([7], 60), randT([7], 61)]);
  gradcheck((p, y) => sg.mse(p, y), [randT([5, 1], 62), randT([5], 63)]);
});

onPrimitives('gradient: dense layer (relu and linear, with and without bias)', () => {
  for (const act of ['relu', 'linear'] as const) {
    gradcheck((x, w, b) => sg.dense(x, w, b, act), [randT([5, 3], 44), randT([3, 4], 45), randT([4], 46)]);
    gradcheck((x, w) => sg.dense(x, w, null, act), [randT([5, 3], 47), randT([3, 4], 48)]);
  }
});

onPrimitives('gradient: row losses with CSR targets (the scatter-add reference)', () => {
  const x = sg.fromCOO([0, 0, 1, 2, 2], [1, 4, 0, 2, 3], [1, 2, 1, 1, 3], [3, 5]);
  gradcheck((z) => sg.multinomialLogLikelihood(z, x), [randT([3, 5], 50)]);
  gradcheck((z) => sg.multiLabelBCE(z, x), [randT([3, 5], 51)]);
  gradcheck((x2) => sg.bceWithLogits(x2, sg.tensor(Float64Array.from([1, 0, 1]), [3], 'float64')), [randT([3], 52)]);
});

test.run();
