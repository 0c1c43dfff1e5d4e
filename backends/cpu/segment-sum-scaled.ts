/**
 * segmentSumScaledRows — an acceleration (core/kernels.ts; reference composition in
 * ops/fused.ts): the backward of gatherDot for one table, fused with the segment sum that
 * makes it row-sparse:
 *   out[seg[i]] += scale[i] · table[rowIds[i]]          (out [numSegments, width], zeroed)
 * no [batch, width] gathered copy is ever made.
 *
 * Two threads take disjoint segment ranges, so no output row is written by both; the split
 * falls where half the entries are on each side (popular items bunch up at low ids), and is
 * only looked for when the work will be split. Implementations, chosen by variants.ts:
 *   segmentSumScaledSegments   the JavaScript twin (float64 sums; runs in a worker too)
 *   emitSegmentSumScaled       the WebAssembly SIMD kernel on the arena (float32)
 */
import type { Arena } from './memory.js';
import { chooseVariant, runRows } from './variants.js';
import { Code, emitModule, I32, Locals, type FunctionDef } from './wasm/emitter.js';
import { forRange, overRow, touchAhead } from './wasm/loops.js';
import { ArenaArgs, ArenaKernel } from './wasm/modules.js';

/**
 * out[seg[i]] += scale[i] · table[rowIds[i]] for the entries whose segment is in [s0, s1);
 * out must start zeroed. Two threads take disjoint segment ranges, so no output row is
 * written by both. Self-contained (runs in the worker too).
 */
export function segmentSumScaledSegments(scale: ArrayLike<number>, table: ArrayLike<number>, rowIds: ArrayLike<number>, seg: Int32Array,
  width: number, out: Float32Array | Float64Array, s0: number, s1: number): void {
  for (let i = 0; i < seg.length; i++) {
    const g = seg[i];
    if (g < s0 || g >= s1) continue;
    const s = scale[i];
    const src = rowIds[i] * width;
    const dst = g * width;
    for (let j = 0; j < width; j++) out[dst + j] += s * table[src + j];
  }
}

/** segmentSumScaled(scale, table, rowIds, seg, n, width, out, s0, s1): the same, over byte pointers into the arena. */
function emitSegmentSumScaled(): FunctionDef {
  const [scale, table, rowIds, seg, n, width, out, s0, s1] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const L = new Locals(9);
  const i = L.i32(), k = L.i32(), g = L.i32(), src = L.i32(), dst = L.i32(), rowBytes = L.i32(), zero = L.i32();
  const sv = L.v128(), sf = L.f32();
  const code = new Code();
  code.get(width).i32(4).mul().set(rowBytes);
  code.i32(0).set(zero);
  forRange(code, i, zero, n, () => {
    touchAhead(code, i, n, rowIds, rowBytes, [table]);
    code.get(seg).get(i).i32(4).mul().add().i32Load().set(g);
    // only this thread's segments: s0 <= g < s1
    code.get(g).get(s0).ltS().get(g).get(s1).geS().or().eqz().if();
    code.get(scale).get(i).i32(4).mul().add().f32Load().tee(sf).f32x4Splat().set(sv);
    code.get(table).get(rowIds).get(i).i32(4).mul().add().i32Load().get(rowBytes).mul().add().set(src);
    code.get(out).get(g).get(rowBytes).mul().add().set(dst);
    overRow(code, k, width, [src, dst],
      () => code.get(dst).get(dst).v128Load().get(sv).get(src).v128Load().f32x4Mul().f32x4Add().v128Store(),
      () => code.get(dst).get(dst).f32Load().get(sf).get(src).f32Load().f32Mul().f32Add().f32Store());
    code.end();
  });
  return { name: 'segmentSumScaled', params: new Array(9).fill(I32), locals: L.types, body: code };
}

/** the WebAssembly kernel (exported for the tests, which check it runs) */
export const wasm = new ArenaKernel<'segmentSumScaled'>('segmentSumScaled', (memory) => emitModule([emitSegmentSumScaled()], memory));

/** The segment s at which about half of `segmentIds` are below s. */
function balancedSplit(segmentIds: Int32Array, numSegments: number): number {
  const counts = new Int32Array(numSegments);
  for (let i = 0; i < segmentIds.length; i++) counts[segmentIds[i]]++;
  let below = 0;
  for (let s = 0; s < numSegments; s++) {
    if (below * 2 >= segmentIds.length) return s;
    below += counts[s];
  }
  return numSegments;
}

/** out[seg[i]] += scale[i] · table[rowIds[i]] over rows of `width`; out [numSegments, width] starts zeroed. */
export function segmentSumScaled(arena: Arena, scale: Float32Array | Float64Array, table: Float32Array | Float64Array, rowIds: Int32Array,
  seg: Int32Array, width: number, out: Float32Array | Float64Array, numSegments: number): void {
  const n = seg.length;
  const v = chooseVariant(arena, wasm, { inPlace: [table, out], copied: [scale] }, n * width);
  const split = v.threads ? balancedSplit(seg, numSegments) : undefined;
  if (!v.wasm) return runRows(segmentSumScaledSegments, [scale, table, rowIds, seg, width, out], numSegments, v.threads, { mustBeShared: [1], split });
  const args = new ArenaArgs(arena);
  try {
    const pass = [args.input(scale as Float32Array), arena.offset(table), args.input(rowIds), args.input(seg), n, width, arena.offset(out)];
    v.wasm.run('segmentSumScaled', pass, numSegments, v.threads, split);
  } finally {
    args.release();
  }
}
