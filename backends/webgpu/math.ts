/**
 * WGSL functions where the builtins are not accurate enough for parity with the CPU.
 *
 * WGSL only promises `log` to an *absolute* error of 2^-21 on [0.5, 2] (so log(1 + 1e-5) is
 * off by 5%; SwiftShader gives exactly that), and has no log1p or expm1. `ln_` therefore
 * splits x = 2^k · m with m in [√½, √2) and sums the atanh series of s = (m − 1)/(m + 1)
 * (|s| ≤ 0.172, six terms, error below 1e-9 relative), plus k·ln 2 in two parts.
 * log1p uses the same series on v/(2 + v). `expm1_` is a Taylor polynomial for |y| < ½ — Adam's bias correction 1 − β^t =
 * −expm1(t·ln β) is 0.001 at t = 1 for β = 0.999 and must not lose its digits.
 */
import { FLOAT_BITS } from './wgsl.js';

export const ACCURATE_MATH = `${FLOAT_BITS}
/** 2·atanh(s) = ln((1 + s)/(1 − s)) for |s| ≤ 0.172 */
fn atanh2_(s: f32) -> f32 {
  let s2 = s * s;
  return s * (2.0 + s2 * (0.6666666667 + s2 * (0.4 + s2 * (0.2857142857 + s2 * (0.2222222222 + s2 * 0.1818181818)))));
}
fn ln_(x: f32) -> f32 {
  if (x < 0.0 || is_nan(x)) { return f32_nan(); }
  if (x == 0.0) { return -f32_inf(); }
  if (!is_finite(x)) { return x; }
  var b = bitcast<u32>(x);
  var k = i32((b >> 23u) & 0xffu) - 127;
  if (k == -127) {
    // subnormal: scale into the normal range first
    b = bitcast<u32>(x * 8388608.0);
    k = i32((b >> 23u) & 0xffu) - 127 - 23;
  }
  var m = bitcast<f32>((b & 0x007fffffu) | 0x3f800000u);
  if (m > 1.4142135) { m = m * 0.5; k = k + 1; }
  // m − 1 is exact here, so nothing is lost near x = 1
  return f32(k) * 0.693145751953125 + (f32(k) * 1.4286068203094172e-6 + atanh2_((m - 1.0) / (m + 1.0)));
}
fn log1p_(v: f32) -> f32 {
  if (v < -1.0 || is_nan(v)) { return f32_nan(); }
  if (v == -1.0) { return -f32_inf(); }
  // ln(1 + v) = 2·atanh(v / (2 + v)): no rounded 1 + v to lose v's digits (and no
  // (1 + v) − 1 for a fast-math compiler to fold away)
  if (v > -0.29 && v < 0.41) { return atanh2_(v / (2.0 + v)); }
  return ln_(1.0 + v);
}
fn expm1_(y: f32) -> f32 {
  if (abs(y) < 0.5) {
    return y * (1.0 + y * (0.5 + y * (0.16666667 + y * (0.041666668 + y * (0.008333334 + y * (0.0013888889
      + y * (0.0001984127 + y * (0.0000248016 + y * 0.0000027557))))))));
  }
  return exp(y) - 1.0;
}`;
