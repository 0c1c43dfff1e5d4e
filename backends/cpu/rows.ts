/**
 * Row kernels for embedding tables: gather and segment sum (primitives; segmentSumInto into a
 * live tensor is also the scatter-add acceleration). O(rows touched · D). The fused MF pair
 * is gather-dot.ts and segment-sum-scaled.ts.
 *
 * The gather has a WebAssembly twin for tables in the arena (4-byte values, float32 or int32,
 * copied bit for bit), rows read ahead so several cache misses are in flight (wasm/loops.ts);
 * the segment sum one for float32 values and outputs in the arena (f32x4 adds: the same
 * float32 sums as the loop's, bit for bit). Both chosen by variants.ts; neither is split
 * between threads (a gradient's few hundred KB are summed faster than a hand-off).
 */
import type { DType, TypedArray } from '../../core/dtype.js';
import type { Arena } from './memory.js';
import { chooseVariant } from './variants.js';
import { Code, emitModule, I32, Locals, type FunctionDef } from './wasm/emitter.js';
import { forRange, overRow, touchAhead } from './wasm/loops.js';
import { ArenaArgs, ArenaKernel } from './wasm/modules.js';

/** out[i] = table[ids[i]] for rows of `width` values. */
export function gatherRowsInto(table: TypedArray, ids: Int32Array | Float32Array, width: number, out: TypedArray): void {
  const n = ids.length;
  if (width === 1) {
    for (let i = 0; i < n; i++) out[i] = table[ids[i]];
    return;
  }
  if (width >= 64) {
    for (let i = 0; i < n; i++) {
      const src = ids[i] * width;
      out.set(table.subarray(src, src + width), i * width);
    }
    return;
  }
  // short rows: a plain loop beats creating a subarray view per row
  for (let i = 0, o = 0; i < n; i++) {
    const src = ids[i] * width;
    for (let j = 0; j < width; j++) out[o++] = table[src + j];
  }
}

/** out[seg[i]] += values[i], rows of `width`; out must start zeroed. */
export function segmentSumInto(values: ArrayLike<number>, seg: Int32Array, width: number, out: Float32Array | Float64Array): void {
  const n = seg.length;
  for (let i = 0; i < n; i++) {
    const dst = seg[i] * width;
    const src = i * width;
    for (let j = 0; j < width; j++) out[dst + j] += values[src + j];
  }
}

/** segmentSum(values, seg, width, out, i0, i1): out[seg[i]] += values[i] for i in [i0, i1), over byte pointers into the arena. */
function emitSegmentSum(): FunctionDef {
  const [values, seg, width, out, i0, i1] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const i = L.i32(), k = L.i32(), src = L.i32(), dst = L.i32(), rowBytes = L.i32();
  const code = new Code();
  code.get(width).i32(4).mul().set(rowBytes);
  forRange(code, i, i0, i1, () => {
    code.get(values).get(i).get(rowBytes).mul().add().set(src);
    code.get(out).get(seg).get(i).i32(4).mul().add().i32Load().get(rowBytes).mul().add().set(dst);
    overRow(code, k, width, [src, dst],
      () => code.get(dst).get(dst).v128Load().get(src).v128Load().f32x4Add().v128Store(),
      () => code.get(dst).get(dst).f32Load().get(src).f32Load().f32Add().f32Store());
  });
  return { name: 'segmentSum', params: new Array(6).fill(I32), locals: L.types, body: code };
}

/** gatherRows(table, ids, width, out, i0, i1): out[i] = table[ids[i]] over byte pointers into the arena. */
function emitGatherRows(): FunctionDef {
  const [table, ids, width, out, i0, i1] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const i = L.i32(), k = L.i32(), src = L.i32(), dst = L.i32(), rowBytes = L.i32();
  const code = new Code();
  code.get(width).i32(4).mul().set(rowBytes);
  forRange(code, i, i0, i1, () => {
    touchAhead(code, i, i1, ids, rowBytes, [table]);
    code.get(table).get(ids).get(i).i32(4).mul().add().i32Load().get(rowBytes).mul().add().set(src);
    code.get(out).get(i).get(rowBytes).mul().add().set(dst);
    overRow(code, k, width, [src, dst],
      () => code.get(dst).get(src).v128Load().v128Store(),
      () => code.get(dst).get(src).f32Load().f32Store());
  });
  return { name: 'gatherRows', params: new Array(6).fill(I32), locals: L.types, body: code };
}

/** the WebAssembly kernel (exported for the tests, which check it runs) */
export const wasm = new ArenaKernel<'gatherRows' | 'segmentSum'>('rows', (memory) => emitModule([emitGatherRows(), emitSegmentSum()], memory));

/** out[seg[i]] += values[i] over rows of `width` (out live or zeroed; segments may repeat). */
export function segmentSum(arena: Arena, values: ArrayLike<number>, seg: Int32Array, width: number, out: Float32Array | Float64Array): void {
  const v = chooseVariant(arena, wasm, { inPlace: [values as Float32Array, out] }, 0);
  if (!v.wasm || seg.length === 0) return segmentSumInto(values, seg, width, out);
  const args = new ArenaArgs(arena);
  try {
    v.wasm.run('segmentSum', [arena.offset(values as Float32Array), args.input(seg), width, arena.offset(out)], seg.length, false);
  } finally {
    args.release();
  }
}

/**
 * table[ids[i]] for rows of `width` values, into a new array: an arena table is gathered by
 * the SIMD kernel, into an arena array whatever its size; anything else by the loop above.
 */
export function gatherRows(arena: Arena, table: TypedArray, dtype: DType, ids: Int32Array, width: number): TypedArray {
  const size = ids.length * width;
  const wordTable = table instanceof Float32Array || table instanceof Int32Array;
  // every element is written: no need to clear a recycled block first
  const out = (wordTable && arena.offset(table) >= 0 ? arena.allocInArena(dtype, size, false) : null) ?? arena.alloc(dtype, size, false);
  const v = chooseVariant(arena, wasm, { inPlace: [table, out], words: true }, size);
  if (!v.wasm) {
    gatherRowsInto(table, ids, width, out);
    return out;
  }
  const args = new ArenaArgs(arena);
  try {
    v.wasm.run('gatherRows', [arena.offset(table), args.input(ids), width, arena.offset(out)], ids.length, v.threads);
  } finally {
    args.release();
  }
  return out;
}
