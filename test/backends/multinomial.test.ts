/**
 * The fused log-softmax + multinomial log-likelihood (backends/cpu/multinomial.ts and its
 * WebAssembly SIMD kernels) against the reference composition of primitives
 * (ops/recsys-losses.ts multinomialComposed), against its own JavaScript twin, and against
 * finite differences in float64; and the SIMD exp it is built on against Math.exp.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { multinomialComposed } from '../../ops/recsys-losses.js';
import { setWasmMultinomial, simdExpForTests, wasmMultinomialActive } from '../../backends/cpu/multinomial.js';
import { EXP_LO } from '../../backends/cpu/wasm/simd-math.js';
import { randomStream } from '../../core/random.js';
import { gradcheck, maxRelDiff, randT } from '../helpers/gradcheck.js';
import type { CpuBackend } from '../../backends/cpu/index.js';
const arena = (sg.engine.getBackendInstance('cpu') as CpuBackend).arena;

test('SIMD exp: within 2 float32 ulps of Math.exp on [−87, 88]; 0 below the normal range; NaN stays NaN', () => {
  const n = 200000;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = -87 + (175 * i) / n;
  x.set([0, -0, 1, -1, 1e-8, -1e-8, EXP_LO - 1, -1000, -Infinity, NaN, 88, 0.5], n - 12);
  const y = simdExpForTests(arena, x);
  assert.ok(y, 'the WebAssembly kernels are available on Node 20');
  let worst = 0;
  for (let i = 0; i < n - 6; i++) {
    const want = Math.fround(Math.exp(x[i]));
    const ulp = Math.max(Math.abs(want) * 2 ** -23, 2 ** -149);
    worst = Math.max(worst, Math.abs(y![i] - want) / ulp);
  }
  assert.ok(worst <= 2, `worst error ${worst} ulps`);
  assert.equal(y![n - 12], 1);
  assert.equal([y![n - 6], y![n - 5], y![n - 4]], [0, 0, 0]);
  assert.ok(Number.isNaN(y![n - 3]));
});

/** B user rows over N items, `per` distinct items each (some rows empty), float32 values in (0, 2]. */
function targets(B: number, N: number, per: number, seed: number): sg.CSR {
  const r = randomStream('mn-test', seed);
  const rows: number[] = [], cols: number[] = [], vals: number[] = [];
  for (let u = 0; u < B; u++) {
    if (u % 4 === 3) continue; // an empty row: no loss, gradient 0 from the targets
    const seen = new Set<number>();
    while (seen.size < Math.min(per, N)) seen.add(r.int(N));
    for (const c of seen) { rows.push(u); cols.push(c); vals.push(0.5 + 1.5 * r.next()); }
  }
  return sg.fromCOO(Int32Array.from(rows), Int32Array.from(cols), Float32Array.from(vals), [B, N]);
}

function lossAndGrad(f: (z: sg.Tensor, x: sg.CSR) => sg.Tensor, z0: Float32Array, shape: [number, number], x: sg.CSR, scale: number) {
  const z = sg.variable(sg.tensor(z0, shape));
  const loss = f(z, x);
  sg.mul(loss, scale).backward();
  return { loss: loss.item(), grad: Float64Array.from((z.grad as sg.Tensor).dataSync()) };
}

for (const [B, N, per] of [[3, 5, 2], [8, 1003, 30], [500, 2000, 20], [1, 7, 7]] as const) {
  test(`fused = composed reference (float32, ${B}×${N}), WebAssembly and JS twin; stable for huge logits`, () => {
    const r = randomStream('mn-z', B * N);
    for (const offset of [0, 1000, -3e4]) {
      const z0 = Float32Array.from({ length: B * N }, () => offset + 8 * (r.next() - 0.5));
      const x = targets(B, N, per, B + N);
      const want = lossAndGrad(multinomialComposed, z0, [B, N], x, 0.7);
      for (const wasm of [true, false]) {
        setWasmMultinomial(wasm);
        try {
          const got = lossAndGrad((z, t) => sg.multinomialLogLikelihood(z, t), z0, [B, N], x, 0.7);
          assert.ok(Number.isFinite(got.loss), `finite loss at offset ${offset}`);
          assert.ok(Math.abs(got.loss - want.loss) <= 2e-6 * Math.max(1, Math.abs(want.loss)), `${wasm ? 'wasm' : 'js'} loss ${got.loss} vs ${want.loss}`);
          assert.ok(maxRelDiff(got.grad, want.grad) < 1e-6, `${wasm ? 'wasm' : 'js'} gradient: ${maxRelDiff(got.grad, want.grad)}`);
        } finally {
          setWasmMultinomial(true);
        }
      }
    }
    if (B * N >= 4096) assert.ok(wasmMultinomialActive(arena), 'the WebAssembly path was the one checked');
  });
}

test('fused multinomial log-likelihood: gradient matches finite differences (float64)', () => {
  const x = targets(4, 9, 3, 5);
  gradcheck((z) => sg.multinomialLogLikelihood(z, x), [randT([4, 9], 8, { min: -3, max: 3 })]);
});

test('fused multinomial log-likelihood: no gradient recorded outside autograd, shapes checked', () => {
  const x = targets(3, 6, 2, 1);
  const z = sg.zeros([3, 6]);
  const before = sg.memory().numTensors;
  const l = sg.noGrad(() => sg.multinomialLogLikelihood(z, x));
  assert.ok(Math.abs(l.item() - (x.nnz > 0 ? Array.from(x.values).reduce((a, b) => a + b, 0) * Math.log(6) / 3 : 0)) < 1e-5);
  l.dispose();
  assert.equal(sg.memory().numTensors, before, 'the row statistics are not kept without a backward');
  z.dispose();
  assert.throws(() => sg.multinomialLogLikelihood(sg.zeros([3, 5]), x), /multinomialLogLikelihood.*\[3, ?5\]/);
});

test.run();
