/**
 * What a kernel sees of a tensor (a buffer, its shape and dtype), and how a kernel's output
 * becomes a tensor's storage: float32 and int32 results are written directly; a float16
 * result is computed into float32 and packed two halves per word (`packHalves`) — one extra
 * pass, so that no two invocations ever write into the same 32-bit word.
 */
import type { DType } from '../../core/dtype.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { bufferBytes, computeDType, grid, input, binding, paramsDecl, MAIN_1D, WG } from './wgsl.js';

export interface GTensor {
  readonly buf: GpuBuffer;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** number of elements */
  readonly size: number;
}

/** A fresh output buffer of `n` elements in the dtype a kernel writes for `dtype`. */
export function outputBuffer(gpu: Gpu, n: number, dtype: DType): GpuBuffer {
  return gpu.alloc(bufferBytes(n, computeDType(dtype)));
}

/**
 * The storage of a result: `buf` (written by a kernel in computeDType(dtype)) itself, or for
 * float16 a packed copy (and `buf` goes back to the pool).
 */
export function finishOutput(gpu: Gpu, buf: GpuBuffer, n: number, dtype: DType): GpuBuffer {
  if (dtype !== 'float16') return buf;
  const packed = packHalves(gpu, buf, 'float32', n);
  gpu.release(buf);
  return packed;
}

/**
 * float32 → float16 bits, rounding to nearest even, by integer arithmetic (so the result
 * does not depend on the driver's pack2x16float rounding): overflow → ±inf, NaN stays NaN,
 * small values become subnormal halves exactly as core/float16.ts encodes them.
 */
export const F32_TO_F16 = `fn f16_bits(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  let sign = (b >> 16u) & 0x8000u;
  let e = i32((b >> 23u) & 0xffu);
  let m = b & 0x7fffffu;
  if (e == 255) { return sign | 0x7c00u | select(0u, 0x200u | (m >> 13u), m != 0u); }
  let he = e - 127 + 15;
  if (he >= 31) { return sign | 0x7c00u; }
  if (he <= 0) {
    if (he < -10) { return sign; }
    let mm = m | 0x800000u;
    let shift = u32(14 - he);
    var h = mm >> shift;
    let rest = mm & ((1u << shift) - 1u);
    let half = 1u << (shift - 1u);
    if (rest > half || (rest == half && (h & 1u) == 1u)) { h = h + 1u; }
    return sign | h;
  }
  var h = (u32(he) << 10u) | (m >> 13u);
  let rest = m & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) == 1u)) { h = h + 1u; }
  return sign | h;
}`;

/** A float16 buffer holding `n` values of `src` (any dtype), rounded to nearest even. */
export function packHalves(gpu: Gpu, src: GpuBuffer, srcDtype: DType, n: number): GpuBuffer {
  const words = Math.ceil(n / 2);
  const out = gpu.alloc(Math.max(4, words * 4));
  if (words === 0) return out;
  const fields = [['n', 'u32']] as const;
  const k = gpu.kernel(`pack16:${srcDtype}`, () => ({
    fields,
    code: `${input(0, 'src', srcDtype)}
${binding(1, 'dst', 'float16', true)}
${paramsDecl(fields, 2)}
${F32_TO_F16}
${MAIN_1D}
  let w = i;
  if (2u * w >= params.n) { return; }
  let lo = f16_bits(ld_src(2u * w));
  let hi = select(0u, f16_bits(ld_src(min(2u * w + 1u, params.n - 1u))), 2u * w + 1u < params.n);
  dst[w] = lo | (hi << 16u);
}`,
  }));
  gpu.dispatch(k, [src, out], { n }, grid(Math.ceil(words / WG)));
  return out;
}
