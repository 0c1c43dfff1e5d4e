/**
 * How a tensor lives in a texture.
 *
 * Every tensor is a flat array of `size` elements stored ONE ELEMENT PER TEXEL in a
 * single-channel float texture (R32F; R16F for float16), row-major over a 2-D texture:
 *
 *     flat index i  ↔  texel (x, y) = (i mod W, i div W)
 *
 * Why one channel (R32F) and not four values per RGBA32F texel:
 * - a flat index maps to exactly one texel, so every kernel — broadcasting, gather, the
 *   row-sparse line draws that write single rows into an embedding table, 2-D layouts for
 *   tensors bigger than MAX_TEXTURE_SIZE — is plain index arithmetic, readable by a
 *   student, with no "which of the 4 components" bookkeeping;
 * - a row-sparse update can write exactly the elements of one row: with 4 elements per
 *   texel a row boundary could fall inside a texel, and writing that texel would also
 *   overwrite a neighbouring row we must not touch.
 * The one kernel where texel fetches dominate, matmul, packs its operands into RGBA32F
 * internally (see matmul.ts), and gets the 4-wide fetches where they pay.
 *
 * Widths are powers of two, so (x, y) comes from a mask and a shift: integer division is
 * slow on a software rasterizer (llvmpipe, SwiftShader), which has no SIMD divide.
 * Tensors up to `maxWidth()` elements take one row (width rounded up to a power of two,
 * which also lets the texture pool reuse textures across nearby sizes); larger ones take
 * rows of exactly `maxWidth()` texels, the largest power of two ≤ MAX_TEXTURE_SIZE.
 *
 * int32 tensors (ids) are stored as R32F too: every integer below 2^24 is exact in float32,
 * and integer textures do not work on this machine's headless-gl (an R32I texture read back
 * as 0 in a vertex shader). Their host copy is kept as well (see textures.ts).
 */
import type { DType } from '../../core/dtype.js';

export type TexFormat = 'R32F' | 'R16F' | 'RGBA32F';

let deviceMax = 16384;
let maxWidthLimit = 16384;
let maxWidthOverride: number | null = null;

/** The largest texture width the backend uses (a power of two). */
export function maxWidth(): number {
  return maxWidthOverride ?? maxWidthLimit;
}

/** The tallest texture the device allows (MAX_TEXTURE_SIZE). */
export function maxHeight(): number {
  return deviceMax;
}

/** Called once per context with MAX_TEXTURE_SIZE. */
export function setDeviceMaxTextureSize(max: number): void {
  deviceMax = max;
  maxWidthLimit = floorPow2(max);
}

/**
 * Tests lower the width so the 2-D layout (tensors spanning many texture rows) is exercised
 * with small tensors; `null` restores the device limit. Affects textures allocated later.
 */
export function setMaxTextureWidth(width: number | null): void {
  if (width !== null && (!Number.isInteger(width) || width < 4 || floorPow2(width) !== width)) {
    throw new Error(`webgl setMaxTextureWidth: ${width} must be a power of two ≥ 4`);
  }
  maxWidthOverride = width === null ? null : Math.min(width, maxWidthLimit);
}

export function floorPow2(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(n, 1)));
}

export function ceilPow2(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(n, 1)));
}

/** Texture width and height holding `size` elements, one per texel. */
export function texShape(size: number): { width: number; height: number } {
  const max = maxWidth();
  if (size <= max) return { width: ceilPow2(size), height: 1 };
  const height = Math.ceil(size / max);
  if (height > deviceMax) {
    throw new Error(`webgl: a tensor of ${size} elements does not fit in one ${max}×${deviceMax} texture (MAX_TEXTURE_SIZE ${deviceMax})`);
  }
  return { width: max, height };
}

export function formatOf(dtype: DType): TexFormat {
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 'R32F';
    case 'float16':
      return 'R16F';
    case 'float64':
      throw new Error("webgl: float64 is not supported on the WebGL backend (GPUs have no float64 textures); use float32, or the 'cpu' backend for float64 references");
  }
}

export function bytesPerTexel(format: TexFormat): number {
  return format === 'R32F' ? 4 : format === 'R16F' ? 2 : 16;
}

/**
 * GLSL shared by every kernel: precision, the output's flat index, and reading element i of
 * a texture laid out as above. `uOutShift`/`uOutSize` are set by the draw helper.
 */
export const GLSL_HEADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
`;

/**
 * Writing a value into a float16 (R16F) texture: rounded here to the nearest half, ties to
 * even — exactly what the CPU backend's encoder does — so the GPU's own float→half
 * conversion only ever sees exact halves (llvmpipe's truncates subnormals).
 * `uOutHalf` is set by the draw helper from the target's format.
 */
export const GLSL_STORE = `
uniform bool uOutHalf;
float roundHalf(float x) {
  float a = abs(x);
  uint sign = floatBitsToUint(x) & 0x80000000u;
  if ((floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u) return x;   // NaN
  if (a >= 65520.0) return uintBitsToFloat(sign | 0x7f800000u);     // rounds past the largest half: ±inf
  float q;                                          // spacing of halves around a
  if (a < 6.103515625e-5) q = 5.9604644775390625e-8; // subnormal halves: multiples of 2^-24
  else q = uintBitsToFloat(((floatBitsToUint(a) >> 23) - 10u) << 23);
  float r = roundEven(a / q) * q;                   // exact: q is a power of two
  return uintBitsToFloat(floatBitsToUint(r) | sign);
}
float store(float x) {
  return uOutHalf ? roundHalf(x) : x;
}
`;

/** The output side: which element this fragment computes, and how its value is stored. */
export const GLSL_OUT = `
uniform int uOutShift;   // log2 of the output texture's width
uniform int uOutSize;    // number of elements in the output
${GLSL_STORE}// The output element this fragment computes.
int outIndex() {
  ivec2 c = ivec2(gl_FragCoord.xy);
  return (c.y << uOutShift) + c.x;
}
`;

/**
 * The input side: element i of any tensor texture, and integer division.
 *
 * CPUs have no SIMD integer divide, so a software rasterizer runs a / b on ints one lane
 * at a time — it halved the speed of a gather here. idiv divides in float and corrects the
 * quotient with exact integer arithmetic: exact for all 0 ≤ a < 2^31, b > 0.
 */
export const GLSL_FETCH = `
int idiv(int a, int b) {
  int q = int(float(a) / float(b));
  q += int(floor(float(a - q * b) / float(b)));   // for a ≥ 2^24, where float(a) rounds
  int r = a - q * b;
  return r < 0 ? q - 1 : (r >= b ? q + 1 : q);
}
int imod(int a, int b) {
  return a - idiv(a, b) * b;
}
// log2 of a texture's width (exact: widths are powers of two).
int widthShift(sampler2D t) {
  return int(log2(float(textureSize(t, 0).x)) + 0.5);
}
// Element i of a one-element-per-texel texture whose width is 2^shift.
float fetchAt(sampler2D t, int shift, int i) {
  return texelFetch(t, ivec2(i & ((1 << shift) - 1), i >> shift), 0).r;
}
float fetch(sampler2D t, int i) {
  return fetchAt(t, widthShift(t), i);
}
`;

export const GLSL_ADDRESSING = GLSL_OUT + GLSL_FETCH;
