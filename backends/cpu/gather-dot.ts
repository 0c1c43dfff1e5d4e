/**
 * gatherDot — an acceleration (core/kernels.ts; reference composition in ops/fused.ts):
 *   out[i] = a[aIds[i]] · b[bIds[i]]
 * a batch of embedding dot products read in place, the forward of matrix factorization.
 *
 * Two implementations with the same arithmetic, chosen by variants.ts:
 *   gatherDotRows   the JavaScript twin (float64 sums; any float arrays; runs in a worker too)
 *   emitGatherDot   the WebAssembly SIMD kernel on the arena (float32 sums): a row of 25
 *                   floats is 6 f32x4 multiply-adds and a scalar; rows read ahead (wasm/loops.ts)
 */
import type { Arena } from './memory.js';
import { chooseVariant, runRows } from './variants.js';
import { Code, emitModule, I32, Locals, type FunctionDef } from './wasm/emitter.js';
import { forRange, overRow, touchAhead } from './wasm/loops.js';
import { ArenaArgs, ArenaKernel } from './wasm/modules.js';

/** out[i] = a[aIds[i]] · b[bIds[i]] over rows of `width`, for i in [i0, i1). Self-contained (runs in the worker too). */
export function gatherDotRows(a: ArrayLike<number>, b: ArrayLike<number>, aIds: ArrayLike<number>, bIds: ArrayLike<number>, width: number,
  out: Float32Array | Float64Array, i0: number, i1: number): void {
  for (let i = i0; i < i1; i++) {
    const ao = aIds[i] * width;
    const bo = bIds[i] * width;
    let s = 0;
    for (let j = 0; j < width; j++) s += a[ao + j] * b[bo + j];
    out[i] = s;
  }
}

/** gatherDot(a, b, aIds, bIds, width, out, i0, i1): the same, over byte pointers into the arena. */
function emitGatherDot(): FunctionDef {
  const [a, b, aIds, bIds, width, out, i0, i1] = [0, 1, 2, 3, 4, 5, 6, 7];
  const L = new Locals(8);
  const i = L.i32(), k = L.i32(), pa = L.i32(), pb = L.i32(), rowBytes = L.i32();
  const acc = L.v128(), s = L.f32();
  const code = new Code();
  code.get(width).i32(4).mul().set(rowBytes);
  forRange(code, i, i0, i1, () => {
    touchAhead(code, i, i1, aIds, rowBytes, [a]);
    touchAhead(code, i, i1, bIds, rowBytes, [b]);
    code.get(a).get(aIds).get(i).i32(4).mul().add().i32Load().get(rowBytes).mul().add().set(pa);
    code.get(b).get(bIds).get(i).i32(4).mul().add().i32Load().get(rowBytes).mul().add().set(pb);
    code.v128Zero().set(acc);
    code.f32Zero().set(s);
    overRow(code, k, width, [pa, pb],
      () => code.get(acc).get(pa).v128Load().get(pb).v128Load().f32x4Mul().f32x4Add().set(acc),
      () => code.get(s).get(pa).f32Load().get(pb).f32Load().f32Mul().f32Add().set(s));
    // the four lanes' partial sums, then the scalar tail
    code.get(acc).f32x4ExtractLane(0).get(acc).f32x4ExtractLane(1).f32Add()
      .get(acc).f32x4ExtractLane(2).f32Add().get(acc).f32x4ExtractLane(3).f32Add()
      .get(s).f32Add().set(s);
    code.get(out).get(i).i32(4).mul().add().get(s).f32Store();
  });
  return { name: 'gatherDot', params: new Array(8).fill(I32), locals: L.types, body: code };
}

/** the WebAssembly kernel (exported for the tests, which check it runs) */
export const wasm = new ArenaKernel<'gatherDot'>('gatherDot', (memory) => emitModule([emitGatherDot()], memory));

/** out[i] = a[aIds[i]] · b[bIds[i]] for rows of `width`. */
export function gatherDot(arena: Arena, a: Float32Array | Float64Array, b: Float32Array | Float64Array, aIds: Int32Array, bIds: Int32Array,
  width: number, out: Float32Array | Float64Array): void {
  const n = aIds.length;
  const v = chooseVariant(arena, wasm, { inPlace: [a, b, out] }, n * width);
  if (!v.wasm) return runRows(gatherDotRows, [a, b, aIds, bIds, width, out], n, v.threads, { mustBeShared: [0, 1] });
  const args = new ArenaArgs(arena);
  try {
    v.wasm.run('gatherDot', [arena.offset(a), arena.offset(b), args.input(aIds), args.input(bIds), width, arena.offset(out)], n, v.threads);
  } finally {
    args.release();
  }
}
