/**
 * Data types. `float32` is the working type; `float16` halves storage (CPU keeps the raw
 * IEEE binary16 bits in a Uint16Array); `int32` holds ids; `float64` exists on the CPU
 * backend only, so tests can check gradients and kernels against float64 references.
 */
import { encodeHalfArray } from './float16.js';

export type DType = 'float32' | 'float16' | 'int32' | 'float64';

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint16Array;

export const DTYPES: readonly DType[] = ['float32', 'float16', 'int32', 'float64'];

export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'float16': return 2;
    case 'float64': return 8;
    default: return 4;
  }
}

export function isFloat(dtype: DType): boolean {
  return dtype !== 'int32';
}

/** Allocates zeroed storage for `size` elements of `dtype`. */
export function allocArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case 'float32': return new Float32Array(size);
    case 'float64': return new Float64Array(size);
    case 'int32': return new Int32Array(size);
    case 'float16': return new Uint16Array(size);
  }
}

/** Storage of `dtype` holding `values` (numbers; float16 encoded to half bits). */
export function toStorage(values: ArrayLike<number>, dtype: DType): TypedArray {
  if (dtype === 'float16') return encodeHalfArray(values);
  const arr = allocArray(dtype, values.length);
  arr.set(values as ArrayLike<number>);
  return arr;
}

export function assertDType(dtype: unknown, where: string): DType {
  if (typeof dtype !== 'string' || !(DTYPES as readonly string[]).includes(dtype)) {
    throw new TypeError(`${where}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${DTYPES.join(', ')})`);
  }
  return dtype as DType;
}

/**
 * The dtype of an op's result when inputs of different float types meet:
 * the wider one wins (int32 < float16 < float32 < float64).
 */
export function upcast(a: DType, b: DType): DType {
  const rank: Record<DType, number> = { int32: 0, float16: 1, float32: 2, float64: 3 };
  return rank[a] >= rank[b] ? a : b;
}

/** The dtype an op computes in: float16 and int32 inputs are computed in float32. */
export function computeType(dtype: DType): 'float32' | 'float64' {
  return dtype === 'float64' ? 'float64' : 'float32';
}
