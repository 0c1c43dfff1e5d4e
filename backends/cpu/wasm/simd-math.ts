/**
 * Elementary functions for WebAssembly SIMD, emitted inline (WebAssembly has no exp).
 *
 * exp(x), four lanes at a time, as in Cephes' expf: write x = n·ln2 + r with n an integer
 * and |r| ≤ ln2/2 (ln2 split in two constants so n·ln2 is exact enough), approximate e^r by
 * a degree-7 polynomial (Cephes' coefficients: error below 2 float32 ulps), and multiply by
 * 2^n built directly in the exponent bits: (n + 127) << 23. Inputs are clamped to where 2^n
 * is a normal float; below that the result is exactly 0 (as Math.exp's float32 rounding
 * would be, give or take subnormals), NaN stays NaN.
 */
import type { Code, Locals } from './emitter.js';

const LOG2E = 1.44269504088896341;
const C1 = 0.693359375;
const C2 = -2.12194440e-4;
const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];
/** below this e^x is < 2^−126 (the smallest normal float): the result is 0 */
export const EXP_LO = -87.33654;
/** above this 2^n would overflow; arguments here are ≤ 0 (softmax shifts by the max) */
const EXP_HI = 88.0;

export interface ExpScratch {
  fx: number;
  r: number;
  y: number;
}

/** Locals one exp needs (allocate once per function, reuse for every call). */
export function expScratch(L: Locals): ExpScratch {
  return { fx: L.v128(), r: L.v128(), y: L.v128() };
}

/** Emits out = exp(x) for f32x4 locals x and out (out may be x). */
export function emitExp(code: Code, x: number, out: number, s: ExpScratch): void {
  // r = clamp(x)
  code.get(x).f32x4Const(EXP_LO).f32x4Max().f32x4Const(EXP_HI).f32x4Min().set(s.r);
  // n = nearest(r·log2 e); r −= n·C1 + n·C2
  code.get(s.r).f32x4Const(LOG2E).f32x4Mul().f32x4Nearest().set(s.fx);
  code.get(s.r).get(s.fx).f32x4Const(C1).f32x4Mul().f32x4Sub()
    .get(s.fx).f32x4Const(C2).f32x4Mul().f32x4Sub().set(s.r);
  // y = (((((P0·r + P1)·r + P2)·r + P3)·r + P4)·r + P5)·r² + r + 1
  code.f32x4Const(P[0]);
  for (let i = 1; i < P.length; i++) code.get(s.r).f32x4Mul().f32x4Const(P[i]).f32x4Add();
  code.get(s.r).get(s.r).f32x4Mul().f32x4Mul().get(s.r).f32x4Add().f32x4Const(1).f32x4Add().set(s.y);
  // 2^n: (n + 127) in the exponent field
  code.get(s.fx).f32x4Const(127).f32x4Add().i32x4TruncSatF32x4S().i32(23).i32x4Shl();
  code.get(s.y).f32x4Mul();
  // exactly 0 below the range (a NaN fails the comparison and stays NaN)
  code.get(x).f32x4Const(EXP_LO).f32x4Lt().v128AndNot().set(out);
}
