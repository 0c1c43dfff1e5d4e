/**
 * Finite-difference gradient checking in float64.
 *
 * For a function f of some float64 tensors, the analytic gradient from backward() must
 * match the central difference (f(x+h) − f(x−h)) / 2h for every input element. The output
 * is projected onto a fixed random tensor R (loss = Σ f(x)·R) so every output element
 * contributes with its own weight and errors cannot cancel.
 */
import * as sg from '../../index.js';
import { randomStream } from '../../core/random.js';

export function randT(shape: number[], seed: number, opts: { min?: number; max?: number } = {}): sg.Tensor {
  const rng = randomStream('test', seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const lo = opts.min ?? -1;
  const hi = opts.max ?? 1;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = lo + (hi - lo) * rng.next();
  return sg.tensor(v, shape, 'float64');
}

function toDenseGrad(g: sg.Gradient | null, size: number): Float64Array {
  if (!g) return new Float64Array(size);
  const t = g instanceof sg.RowSparse ? g.toDense() : g;
  return Float64Array.from(t.dataSync());
}

export interface GradCheckResult {
  maxAbsErr: number;
  maxRelErr: number;
}

/** Throws with the input index, element and both values when they disagree. */
export function gradcheck(f: (...xs: sg.Tensor[]) => sg.Tensor, inputs: sg.Tensor[], opts: { h?: number; tol?: number; seed?: number } = {}): GradCheckResult {
  const h = opts.h ?? 1e-6;
  const tol = opts.tol ?? 1e-6;
  const vars = inputs.map((x) => sg.variable(sg.tensor(Float64Array.from(x.dataSync()), x.shape, 'float64')));
  const probe = sg.noGrad(() => f(...vars));
  const R = randT(probe.shape as number[], opts.seed ?? 99);
  const lossOf = (xs: sg.Tensor[]) => sg.sum(sg.mul(f(...xs), R));
  lossOf(vars).backward();
  let maxAbsErr = 0;
  let maxRelErr = 0;
  vars.forEach((v, k) => {
    const analytic = toDenseGrad(v.grad, v.size);
    const base = Float64Array.from(v.dataSync());
    for (let i = 0; i < v.size; i++) {
      const plus = base.slice(); plus[i] += h;
      const minus = base.slice(); minus[i] -= h;
      const at = (vals: Float64Array) => sg.noGrad(() => {
        const xs = vars.map((u, j) => (j === k ? sg.tensor(vals, u.shape, 'float64') : u));
        return lossOf(xs).item();
      });
      const numeric = (at(plus) - at(minus)) / (2 * h);
      const abs = Math.abs(numeric - analytic[i]);
      const rel = abs / Math.max(1, Math.abs(numeric), Math.abs(analytic[i]));
      maxAbsErr = Math.max(maxAbsErr, abs);
      maxRelErr = Math.max(maxRelErr, rel);
      if (rel > tol) {
        throw new Error(`gradcheck: input ${k} element ${i}: analytic ${analytic[i]} vs numeric ${numeric} (rel err ${rel.toExponential(2)})`);
      }
    }
  });
  return { maxAbsErr, maxRelErr };
}

/** Max |a − b| / max(1, |b|) over two arrays of equal length. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
