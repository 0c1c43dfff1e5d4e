/**
 * How the CPU kernels see a tensor: a DataId here is `{values}`, a typed array in the
 * dtype's storage type — float16 as raw half bits (Uint16Array), decoded to float32 for
 * arithmetic and encoded back after it. In-place updates get a float view and a `commit`
 * that writes it back (a no-op unless the storage is float16).
 */
import type { DataId, TensorInfo } from '../../core/kernels.js';
import type { TypedArray } from '../../core/dtype.js';
import { decodeHalfArray, encodeHalfArray, floatToHalf, halfTable } from '../../core/float16.js';
import { sizeOf } from '../../core/shape.js';
import type { FloatArray, NumArray } from './elementwise.js';

export interface CpuData {
  values: TypedArray;
}

export function data(id: DataId): CpuData {
  return id as CpuData;
}

/** The numeric values of x (float16 decoded to float32). */
export function num(x: TensorInfo): NumArray {
  const v = data(x.dataId).values;
  return x.dtype === 'float16' ? decodeHalfArray(v as Uint16Array) : (v as NumArray);
}

/** The values as floats (int32 converted). */
export function float(x: TensorInfo): FloatArray {
  const v = num(x);
  return v instanceof Int32Array ? Float32Array.from(v) : v;
}

/** The commit of storage that is its own float view (a shared function, not a closure per call). */
const nothingToCommit = (): void => {};

/** For in-place updates: the float view of a tensor, and how to write it back. */
export function mutable(x: TensorInfo): { arr: FloatArray; commit: () => void } {
  const d = data(x.dataId);
  if (x.dtype === 'float16') {
    const arr = decodeHalfArray(d.values as Uint16Array);
    return { arr, commit: () => encodeHalfArray(arr, d.values as Uint16Array) };
  }
  if (x.dtype === 'int32') throw new Error('cpu: in-place updates need float tensors');
  return { arr: d.values as FloatArray, commit: nothingToCommit };
}

/**
 * Where row i of a row-sparse update lives: in the state at rows[i]·width, in the weights at
 * wRow(i)·width — rows[i] for a float32 table, i for a compact copy of the touched rows.
 */
export interface RowTarget {
  rows: Int32Array;
  width: number;
  compactWeights: boolean;
}

export const weightOffset = (t: RowTarget, i: number): number => (t.compactWeights ? i : t.rows[i]) * t.width;

/**
 * The weights of a row-sparse update. A float16 table is decoded only in its touched rows
 * (a compact float32 copy, written back after the update): O(rows·width), never O(table).
 */
export function mutableRows(w: TensorInfo, rows: Int32Array): { arr: FloatArray; target: RowTarget; commit: () => void } {
  const width = sizeOf(w.shape.slice(1));
  if (w.dtype !== 'float16') {
    const { arr, commit } = mutable(w);
    return { arr, target: { rows, width, compactWeights: false }, commit };
  }
  const bits = data(w.dataId).values as Uint16Array;
  const table = halfTable();
  const arr = new Float32Array(rows.length * width);
  for (let i = 0, o = 0; i < rows.length; i++) {
    const src = rows[i] * width;
    for (let j = 0; j < width; j++) arr[o++] = table[bits[src + j]];
  }
  const commit = () => {
    for (let i = 0, o = 0; i < rows.length; i++) {
      const dst = rows[i] * width;
      for (let j = 0; j < width; j++) bits[dst + j] = floatToHalf(arr[o++]);
    }
  };
  return { arr, target: { rows, width, compactWeights: true }, commit };
}
