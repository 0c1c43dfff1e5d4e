/**
 * Every acceleration against its reference composition, on one backend: the same op runs on
 * the backend itself (its fused kernel) and on `primitivesOnly` of it (the reference, made of
 * that backend's primitives), from the same inputs, and outputs and gradients must agree.
 * Used by test/ops/accelerations.test.ts (CPU), test/webgl/accelerations.test.ts and
 * test/webgpu/accelerations.test.ts. A backend without an acceleration compares the reference
 * with itself (the fused MSE exists on webgpu only).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { primitivesOnly } from '../../core/kernels.js';
import { RowSparse } from '../../core/rowsparse.js';

type Values = Float64Array;

/** A small deterministic generator. */
function values(n: number, seed: number, lo = -2, hi = 2): Float32Array {
  let s = (seed * 2654435761) >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    out[i] = lo + (hi - lo) * (s / 4294967296);
  }
  return out;
}

function ints(n: number, seed: number, max: number): Int32Array {
  return Int32Array.from(values(n, seed, 0, 1), (v) => Math.min(max - 1, Math.floor(v * max)));
}

const read = (t: sg.Tensor | RowSparse | null): Values => {
  if (!t) return new Float64Array(0);
  return Float64Array.from((t instanceof RowSparse ? t.toDense() : t).dataSync());
};

/** max |a − b| / max(‖b‖∞, floor) */
function relError(a: Values, b: Values, floor = 1e-3): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0, scale = floor;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (Number.isNaN(a[i])) continue;
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

export interface AccelerationSuite {
  /** the backend under test, registered with the engine */
  backend: string;
  /** relative tolerance (float32 kernels on either side) */
  tol: number;
  /** whether float16 tensors are supported */
  float16?: boolean;
}

/** Registers the comparison tests for `suite.backend`. */
export function accelerationTests(suite: AccelerationSuite): void {
  const reference = `${suite.backend}-primitives`;
  sg.engine.registerBackend(reference, async () => primitivesOnly(await sg.engine.backendInstance(suite.backend)));

  /** Runs `fn` on the backend and on its primitives, returns both results' values. */
  async function both(fn: () => (sg.Tensor | RowSparse | null)[]): Promise<{ fused: Values[]; composed: Values[] }> {
    const run = async (name: string) => {
      await sg.setBackend(name);
      try {
        return sg.tidy(() => fn().map(read));
      } finally {
        await sg.setBackend('cpu');
      }
    };
    return { fused: await run(suite.backend), composed: await run(reference) };
  }

  async function check(what: string, fn: () => (sg.Tensor | RowSparse | null)[], tol = suite.tol): Promise<void> {
    const { fused, composed } = await both(fn);
    fused.forEach((f, i) => {
      const err = relError(f, composed[i]);
      assert.ok(err <= tol, `${suite.backend} ${what}, output ${i}: fused vs reference error ${err.toExponential(2)}`);
    });
  }

  /** y = f(x) and dL/dx for L = Σ y·c, from fixed values. */
  const withGrad = (shape: number[], f: (x: sg.Tensor) => sg.Tensor, seed: number, lo = -3, hi = 3) => () => {
    const n = shape.reduce((a, b) => a * b, 1);
    const x = sg.variable(sg.tensor(values(n, seed, lo, hi), shape));
    const y = f(x);
    sg.sum(sg.mul(y, sg.tensor(values(y.size, seed + 1), y.shape))).backward();
    const out = [y, x.grad as sg.Tensor];
    return out;
  };

  const FUSED_UNARY: [string, (x: sg.Tensor) => sg.Tensor, number, number][] = [
    ['relu', sg.relu, -3, 3], ['sigmoid', sg.sigmoid, -8, 8], ['tanh', sg.tanh, -4, 4], ['softplus', sg.softplus, -20, 20],
    ['log1p', sg.log1p, -0.5, 3], ['square', sg.square, -3, 3], ['reciprocal', sg.reciprocal, 0.2, 3],
  ];

  test(`${suite.backend}: fusedUnary equals its compositions (values and gradients)`, async () => {
    for (const [name, f, lo, hi] of FUSED_UNARY) {
      await check(name, withGrad([7, 33], f, name.length, lo, hi));
      if (suite.float16) await check(`${name} float16`, () => [f(sg.tensor(values(100, 3, lo, hi)).cast('float16'))], 2e-3);
    }
    // step has no gradient of its own: through where it is used, relu's backward
    await check('step (relu backward)', withGrad([50], (x) => sg.relu(sg.sub(x, 0.5)), 9));
  });

  test(`${suite.backend}: softmax, logSoftmax, logSumExp equal their compositions`, async () => {
    for (const shape of [[1, 1], [3, 7], [4, 300]]) {
      await check(`softmax [${shape}]`, withGrad(shape, sg.softmax, 11, -20, 20));
      await check(`logSoftmax [${shape}]`, withGrad(shape, sg.logSoftmax, 12, -20, 20));
      await check(`logSumExp [${shape}]`, withGrad(shape, sg.logSumExp, 13, -20, 20));
    }
    await check('large logits', () => [sg.logSoftmax(sg.tensor([80, 0, -80, 1], [1, 4])), sg.softmax(sg.tensor([80, 0, -80, 1], [1, 4]))]);
  });

  test(`${suite.backend}: gatherDot and segmentSumScaledRows equal their compositions (sparse and dense gradients)`, async () => {
    for (const [N, M, D, n] of [[5, 4, 3, 9], [40, 60, 25, 300], [7, 9, 1, 20]]) {
      for (const sparseGrad of [true, false]) {
        await check(`gatherDot ${N}×${M}×${D}, ${n} pairs, sparseGrad ${sparseGrad}`, () => {
          const a = sg.variable(sg.tensor(values(N * D, N), [N, D]));
          const b = sg.variable(sg.tensor(values(M * D, M), [M, D]));
          const y = sg.gatherDot(a, b, ints(n, 1, N), ints(n, 2, M), { sparseGrad });
          sg.sum(sg.mul(y, sg.tensor(values(n, 3)))).backward();
          return [y, a.grad, b.grad];
        });
      }
    }
  });

  test(`${suite.backend}: gatherConcat and segmentSumColumns equal concat of gathers (sparse and dense gradients)`, async () => {
    for (const dims of [[25, 25], [3, 1, 8], [1]]) {
      for (const sparseGrad of [true, false]) {
        await check(`gatherConcat widths ${dims}, sparseGrad ${sparseGrad}`, () => {
          const tables = dims.map((d, k) => sg.variable(sg.tensor(values(40 * d, 30 + k), [40, d])));
          const ids = dims.map((_, k) => ints(57, 40 + k, 40));
          const y = sg.gatherConcat(tables, ids, { sparseGrad });
          sg.sum(sg.mul(y, sg.tensor(values(y.size, 7), y.shape))).backward();
          return [y, ...tables.map((t) => t.grad)];
        });
      }
    }
  });

  test(`${suite.backend}: scatterAddRows and multinomialNLL equal their compositions (CSR targets of the row losses)`, async () => {
    const rows = sg.fromDense(Array.from({ length: 6 * 40 }, (_, i) => ((i * 7) % 5 === 0 ? 1 + (i % 3) : 0)), [6, 40]);
    await check('multinomialLogLikelihood(logits, CSR)', withGrad([6, 40], (z) => sg.multinomialLogLikelihood(z, rows), 21));
    await check('multiLabelBCE(logits, CSR)', withGrad([6, 40], (z) => sg.multiLabelBCE(z, rows), 22));
  });

  test(`${suite.backend}: mse and mseGrad equal their composition (awkward sizes, [B,1] against [B], labels with a gradient)`, async () => {
    for (const n of [1, 2, 63, 255, 256, 257, 4097, 25001]) {
      for (const [predShape, labelShape, labelGrad] of [[[n], [n], false], [[n, 1], [n], true]] as [number[], number[], boolean][]) {
        await check(`mse [${predShape}] vs [${labelShape}]${labelGrad ? ', labels with a gradient' : ''}`, () => {
          const pred = sg.variable(sg.tensor(values(n, n, -1, 6), predShape));
          const labels = sg.tensor(values(n, n + 1, 1, 5), labelShape);
          const y = labelGrad ? sg.variable(labels) : labels;
          const loss = sg.mse(pred, y);
          sg.mul(loss, 0.37).backward(); // an upstream gradient that is not 1
          return [loss, pred.grad as sg.Tensor, labelGrad ? (y.grad as sg.Tensor) : null];
        });
      }
    }
  });

  test(`${suite.backend}: dense and denseGrad equal their compositions`, async () => {
    for (const [M, K, N] of [[1, 1, 1], [9, 5, 7], [70, 33, 64]]) {
      for (const activation of ['relu', 'linear'] as const) {
        for (const withBias of [true, false]) {
          await check(`dense ${M}×${K}×${N} ${activation} bias ${withBias}`, () => {
            const x = sg.variable(sg.tensor(values(M * K, M), [M, K]));
            const w = sg.variable(sg.tensor(values(K * N, K), [K, N]));
            const bias = withBias ? sg.variable(sg.tensor(values(N, N))) : null;
            const y = sg.dense(x, w, bias, activation);
            sg.sum(sg.mul(y, sg.tensor(values(M * N, 5), [M, N]))).backward();
            return [y, x.grad, w.grad, bias?.grad ?? null];
          });
        }
      }
    }
  });

  const OPTIMIZERS: [string, (p: sg.Tensor[]) => sg.optim.Optimizer][] = [
    ['sgd', (p) => new sg.optim.SGD(p, { lr: 0.1 })],
    ['sgd momentum + weight decay', (p) => new sg.optim.SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 })],
    ['adam', (p) => new sg.optim.Adam(p, { lr: 0.05 })],
    ['adam + weight decay', (p) => new sg.optim.Adam(p, { lr: 0.05, weightDecay: 0.1 })],
    ['adagrad', (p) => new sg.optim.AdaGrad(p, { lr: 0.1, weightDecay: 0.01 })],
  ];

  test(`${suite.backend}: fused optimizer updates equal the optimizers' tensor maths (dense and lazy)`, async () => {
    const dtypes: sg.DType[] = suite.float16 ? ['float32', 'float16'] : ['float32'];
    for (const [name, make] of OPTIMIZERS) {
      for (const dtype of dtypes) {
        for (const sparse of [true, false]) {
          await check(`${name} ${sparse ? 'lazy' : 'dense'} ${dtype}`, () => {
            const [N, D] = [30, 4];
            const p = sg.variable(sg.tensor(values(N * D, 1), [N, D]).cast(dtype));
            const opt = make([p]);
            for (let step = 0; step < 3; step++) {
              // each step touches a different set of rows (some twice), so per-row Adam counts differ
              const ids = ints(12, step + 10, N);
              const rows = sparse ? sg.gather(p, ids) : sg.mul(p, 1);
              const c = sg.tensor(values(rows.size, step + 20), rows.shape).cast(dtype);
              sg.sum(sg.mul(rows, c)).backward();
              opt.step();
              opt.zeroGrad();
            }
            const state = [...opt.stateTensors().values()];
            return [p, ...state];
          }, dtype === 'float16' ? 2e-3 : suite.tol);
        }
      }
    }
  });
}
