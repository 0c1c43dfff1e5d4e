/**
 * Elementwise kernels over typed arrays. Each op has its own tight loop (the switch is
 * outside the loop), so V8 compiles straight-line arithmetic with no per-element calls.
 */
import type { BinaryOp, FusedUnaryOp, UnaryOp } from '../../core/kernels.js';
import { broadcastIndexMap } from '../../core/shape.js';

export type FloatArray = Float32Array | Float64Array;
export type NumArray = Float32Array | Float64Array | Int32Array;

export function unaryInto(op: UnaryOp | FusedUnaryOp, x: NumArray, out: NumArray): void {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]; break;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); break;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); break;
    case 'log1p': for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]); break;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); break;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); break;
    case 'sign': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0; break;
    case 'square': for (let i = 0; i < n; i++) out[i] = x[i] * x[i]; break;
    case 'reciprocal': for (let i = 0; i < n; i++) out[i] = 1 / x[i]; break;
    case 'relu': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0; break;
    case 'step': for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : 0; break;
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i])); break;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); break;
    // softplus(x) = log(1 + e^x), written to neither overflow nor lose precision
    case 'softplus':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      }
      break;
    case 'isfinite': for (let i = 0; i < n; i++) out[i] = Number.isFinite(x[i]) ? 1 : 0; break;
    default: throw new Error(`cpu: unknown unary op '${op as string}'`);
  }
}

/** Scalar form of each binary op, used on the general (broadcast) path. */
const BINARY: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  equal: (a, b) => (a === b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
};

/** One binary op on two numbers. */
export const BINARY_SCALAR = (op: BinaryOp, a: number, b: number): number => BINARY[op](a, b);

/** Same-shape fast path for the arithmetic that dominates training. */
export function binarySameShape(op: BinaryOp, a: NumArray, b: NumArray, out: NumArray): void {
  const n = out.length;
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return;
    case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return;
    case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return;
    case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return;
    default: {
      const f = BINARY[op];
      for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    }
  }
}

/** One operand is a single number (b when `scalarIsB`, else a). */
export function binaryScalar(op: BinaryOp, x: NumArray, s: number, scalarIsB: boolean, out: NumArray): void {
  const n = out.length;
  if (scalarIsB) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = x[i] + s; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = x[i] - s; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = x[i] * s; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = x[i] / s; return;
    }
  } else {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = s + x[i]; return;
      case 'sub': for (let i = 0; i < n; i++) out[i] = s - x[i]; return;
      case 'mul': for (let i = 0; i < n; i++) out[i] = s * x[i]; return;
      case 'div': for (let i = 0; i < n; i++) out[i] = s / x[i]; return;
    }
  }
  const f = BINARY[op];
  if (scalarIsB) for (let i = 0; i < n; i++) out[i] = f(x[i], s);
  else for (let i = 0; i < n; i++) out[i] = f(s, x[i]);
}

/**
 * How a broadcast input maps onto the output, for the cheap cases:
 * 'suffix' — the input repeats along leading axes (a bias row: index = i mod size);
 * 'prefix' — the input is constant along trailing axes (a column [R,1]: index = i div inner).
 */
export type BroadcastKind = { kind: 'suffix'; size: number } | { kind: 'prefix'; inner: number } | null;

export function broadcastKind(inShape: readonly number[], outShape: readonly number[]): BroadcastKind {
  const n = outShape.length;
  const padded = new Array<number>(n - inShape.length).fill(1).concat(inShape);
  // suffix: leading dims 1, then equal to the output's
  let k = 0;
  while (k < n && padded[k] === 1 && outShape[k] !== 1) k++;
  let ok = true;
  for (let i = k; i < n; i++) if (padded[i] !== outShape[i]) { ok = false; break; }
  if (ok) {
    let size = 1;
    for (let i = k; i < n; i++) size *= outShape[i];
    return { kind: 'suffix', size };
  }
  // prefix: equal to the output's, then trailing dims 1
  let t = n;
  while (t > 0 && padded[t - 1] === 1 && outShape[t - 1] !== 1) t--;
  for (let i = 0; i < t; i++) if (padded[i] !== outShape[i]) return null;
  let inner = 1;
  for (let i = t; i < n; i++) inner *= outShape[i];
  return { kind: 'prefix', inner };
}

/**
 * out = full ∘ small (or small ∘ full when `smallIsA`), with `small` broadcast as described
 * by `how`. One loop per case, no index maps.
 */
export function binaryBroadcastFast(op: BinaryOp, full: NumArray, small: NumArray, how: NonNullable<BroadcastKind>, smallIsA: boolean, out: NumArray): void {
  const f = BINARY[op];
  const n = out.length;
  if (how.kind === 'prefix') {
    const inner = how.inner;
    const outer = n / inner;
    for (let o = 0; o < outer; o++) {
      const s = small[o];
      const base = o * inner;
      if (op === 'add') for (let j = base; j < base + inner; j++) out[j] = full[j] + s;
      else if (op === 'mul') for (let j = base; j < base + inner; j++) out[j] = full[j] * s;
      else if (smallIsA) for (let j = base; j < base + inner; j++) out[j] = f(s, full[j]);
      else for (let j = base; j < base + inner; j++) out[j] = f(full[j], s);
    }
    return;
  }
  const size = how.size;
  for (let base = 0; base < n; base += size) {
    if (op === 'add') for (let c = 0; c < size; c++) out[base + c] = full[base + c] + small[c];
    else if (op === 'mul') for (let c = 0; c < size; c++) out[base + c] = full[base + c] * small[c];
    else if (smallIsA) for (let c = 0; c < size; c++) out[base + c] = f(small[c], full[base + c]);
    else for (let c = 0; c < size; c++) out[base + c] = f(full[base + c], small[c]);
  }
}

/**
 * out = small ∘ s (or s ∘ small when `smallIsA` is false), `small` broadcast as `how`
 * describes and s a single number: one pass, each small value combined once per row.
 */
export function binaryBroadcastScalar(op: BinaryOp, small: NumArray, how: NonNullable<BroadcastKind>, s: number, smallIsA: boolean, out: NumArray): void {
  const f = BINARY[op];
  const n = out.length;
  if (how.kind === 'prefix') {
    const inner = how.inner;
    for (let o = 0, base = 0; base < n; o++, base += inner) {
      const v = smallIsA ? f(small[o], s) : f(s, small[o]);
      for (let j = base; j < base + inner; j++) out[j] = v;
    }
    return;
  }
  const size = how.size;
  for (let c = 0; c < size; c++) out[c] = smallIsA ? f(small[c], s) : f(s, small[c]);
  for (let base = size; base < n; base += size) out.copyWithin(base, 0, size);
}

/** General broadcasting through precomputed index maps (null = identity). */
export function binaryIndexed(op: BinaryOp, a: NumArray, ai: Int32Array | null, b: NumArray, bi: Int32Array | null, out: NumArray): void {
  const f = BINARY[op];
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = f(a[ai === null ? i : ai[i]], b[bi === null ? i : bi[i]]);
}

/**
 * out = a op b with NumPy broadcasting, by the cheapest path that fits: same shape, a scalar
 * on either side, a broadcast row or column (broadcastKind), else a general index map.
 */
export function binaryInto(op: BinaryOp, av: NumArray, aShape: readonly number[], bv: NumArray, bShape: readonly number[],
  outShape: readonly number[], out: NumArray): void {
  const an = av.length;
  const bn = bv.length;
  const n = out.length;
  if (an === n && bn === n) binarySameShape(op, av, bv, out);
  else if (bn === 1 && an === n) binaryScalar(op, av, bv[0], true, out);
  else if (an === 1 && bn === n) binaryScalar(op, bv, av[0], false, out);
  else if (an === 1 && bn === 1) out.fill(BINARY_SCALAR(op, av[0], bv[0]));
  else {
    const aHow = an === n ? null : broadcastKind(aShape, outShape);
    const bHow = bn === n ? null : broadcastKind(bShape, outShape);
    if (an === n && bHow) binaryBroadcastFast(op, av, bv, bHow, false, out);
    else if (bn === n && aHow) binaryBroadcastFast(op, bv, av, aHow, true, out);
    // one side broadcast, the other a scalar (dy [B,1] → [B,D] in a sum's backward)
    else if (bn === 1 && aHow) binaryBroadcastScalar(op, av, aHow, bv[0], true, out);
    else if (an === 1 && bHow) binaryBroadcastScalar(op, bv, bHow, av[0], false, out);
    else binaryIndexed(op, av, broadcastIndexMap(aShape, outShape), bv, broadcastIndexMap(bShape, outShape), out);
  }
}
