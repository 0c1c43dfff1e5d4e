/**
 * IEEE 754 binary16 ("half") conversion, exact in both directions.
 * Decode is a 65,536-entry table (256 KiB, built once); encode rounds to nearest, ties to
 * even, handles subnormals, overflow to ±inf and NaN, with a handful of integer ops.
 */

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

function decodeOne(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

let table: Float32Array | null = null;

/** The float32 value of every half bit pattern. */
export function halfTable(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = decodeOne(h);
  }
  return table;
}

/** Half bits → number. */
export function halfToFloat(h: number): number {
  return halfTable()[h & 0xffff];
}

/** number → half bits (via float32, then round to nearest even). */
export function floatToHalf(x: number): number {
  scratchF32[0] = x;
  const f = scratchU32[0];
  const sign = (f >>> 16) & 0x8000;
  const exp = (f >>> 23) & 0xff;
  let mant = f & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00; // too large: ±inf
  if (e <= 0) {
    // half subnormal (or zero): value = m · 2^-24
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const m = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    return sign | (rem > halfway || (rem === halfway && (m & 1) !== 0) ? m + 1 : m);
  }
  // normal: drop 13 mantissa bits with round-to-even; a carry may roll into the exponent
  const h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  return sign | (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0) ? h + 1 : h);
}

export function encodeHalfArray(src: ArrayLike<number>, out: Uint16Array<ArrayBufferLike> = new Uint16Array(src.length)): Uint16Array<ArrayBufferLike> {
  for (let i = 0; i < src.length; i++) out[i] = floatToHalf(src[i]);
  return out;
}

export function decodeHalfArray(src: Uint16Array<ArrayBufferLike>, out: Float32Array<ArrayBufferLike> = new Float32Array(src.length)): Float32Array<ArrayBufferLike> {
  const t = halfTable();
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
  return out;
}
