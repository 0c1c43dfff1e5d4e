/**
 * The WebAssembly SIMD twin of elementwise.ts's fast paths, for float32 arrays in the arena:
 * four lanes per instruction where V8's JavaScript loop does one bounds-checked element at
 * a time (a 25,000-element multiply: 3.6 µs against 31 µs). Every step of a training loop
 * runs several of these on [batch, dim] tensors — the product of two gathered embeddings,
 * its backward, a column gradient spread back over its row.
 *
 * One form covers every broadcast the fast paths know. The output is viewed as `rows` rows
 * of `inner` values, and each operand is read, for row o, either as a run of `inner` values
 * starting at o · stride (a vector operand) or as one value at o · stride repeated along the
 * row (a splatted operand):
 *
 *   same shape            1 row of n;         a, b vectors
 *   a scalar on one side  1 row of n;         that side splatted, stride 0
 *   a column [R, 1]       R rows of C;        the column splatted, stride 1
 *   a row [C] (a bias)    R rows of C;        the row a vector, stride 0
 *   column/row ∘ scalar   R rows of C;        both broadcast (a sum's backward: dy [B,1] → [B,D])
 *
 * Only add, sub, mul, div (and the unary neg, abs, sqrt, square, relu) run here: those are
 * exactly rounded in float32, so the results are bit-identical to the JavaScript loops (which
 * compute in float64 and round once: for these operations that is the same number). Anything
 * else — other ops, other dtypes, operands outside the arena, small outputs that are plain
 * arrays anyway — returns false and the JavaScript loop runs.
 */
import type { BinaryOp, FusedUnaryOp, UnaryOp } from '../../core/kernels.js';
import type { Arena } from './memory.js';
import { broadcastKind, type BroadcastKind, type NumArray } from './elementwise.js';
import { chooseVariant } from './variants.js';
import { Code, emitModule, I32, Locals, type FunctionDef } from './wasm/emitter.js';
import { forRange, overRow } from './wasm/loops.js';
import { ArenaArgs, ArenaKernel } from './wasm/modules.js';

const SIMD_BINARY = ['add', 'sub', 'mul', 'div'] as const;
type SimdBinary = (typeof SIMD_BINARY)[number];
const SIMD_UNARY = ['neg', 'abs', 'sqrt', 'square', 'relu'] as const;
type SimdUnary = (typeof SIMD_UNARY)[number];

/** how each operand is read: v = a run of values (vector), s = one value per row (splat) */
type Form = 'vv' | 'vs' | 'sv' | 'ss';
const FORMS: readonly Form[] = ['vv', 'vs', 'sv', 'ss'];
type Export = `${SimdBinary}_${Form}` | SimdUnary;

function vectorOp(code: Code, op: SimdBinary): void {
  if (op === 'add') code.f32x4Add(); else if (op === 'sub') code.f32x4Sub(); else if (op === 'mul') code.f32x4Mul(); else code.f32x4Div();
}
function scalarOp(code: Code, op: SimdBinary): void {
  if (op === 'add') code.f32Add(); else if (op === 'sub') code.f32Sub(); else if (op === 'mul') code.f32Mul(); else code.f32Div();
}

/**
 * `${op}_${form}(a, aStride, b, bStride, out, inner, o0, o1)`: for rows o in [o0, o1),
 * out[o·inner + j] = A(o, j) op B(o, j); strides and pointers in bytes.
 */
function emitBinary(op: SimdBinary, form: Form): FunctionDef {
  const [a, aStride, b, bStride, out, inner, o0, o1] = [0, 1, 2, 3, 4, 5, 6, 7];
  const L = new Locals(8);
  const o = L.i32(), k = L.i32(), pa = L.i32(), pb = L.i32(), po = L.i32();
  const va = L.v128(), vb = L.v128(), sa = L.f32(), sb = L.f32();
  const aVec = form[0] === 'v', bVec = form[1] === 'v';
  const code = new Code();
  forRange(code, o, o0, o1, () => {
    code.get(a).get(o).get(aStride).mul().add().set(pa);
    code.get(b).get(o).get(bStride).mul().add().set(pb);
    code.get(out).get(o).get(inner).mul().i32(4).mul().add().set(po);
    if (!aVec) code.get(pa).f32Load().tee(sa).f32x4Splat().set(va);
    if (!bVec) code.get(pb).f32Load().tee(sb).f32x4Splat().set(vb);
    const pointers = [po, ...(aVec ? [pa] : []), ...(bVec ? [pb] : [])];
    overRow(code, k, inner, pointers, () => {
      code.get(po);
      if (aVec) code.get(pa).v128Load(); else code.get(va);
      if (bVec) code.get(pb).v128Load(); else code.get(vb);
      vectorOp(code, op);
      code.v128Store();
    }, () => {
      code.get(po);
      if (aVec) code.get(pa).f32Load(); else code.get(sa);
      if (bVec) code.get(pb).f32Load(); else code.get(sb);
      scalarOp(code, op);
      code.f32Store();
    });
  });
  return { name: `${op}_${form}`, params: new Array(8).fill(I32), locals: L.types, body: code };
}

/** `${op}(x, out, n, lo, hi)`: out[i] = f(x[i]) over one row of n values (lo, hi: rows, always 0, 1). */
function emitUnary(op: SimdUnary): FunctionDef {
  const [x, out, n, o0, o1] = [0, 1, 2, 3, 4];
  const L = new Locals(5);
  const o = L.i32(), k = L.i32(), px = L.i32(), po = L.i32(), s = L.f32();
  const code = new Code();
  forRange(code, o, o0, o1, () => {
    code.get(x).set(px);
    code.get(out).set(po);
    overRow(code, k, n, [px, po], () => {
      code.get(po);
      if (op === 'relu') code.f32x4Const(0).get(px).v128Load().f32x4Pmax(); // pmax(0, x) = x > 0 ? x : 0, NaN → 0
      else if (op === 'square') code.get(px).v128Load().get(px).v128Load().f32x4Mul();
      else {
        code.get(px).v128Load();
        if (op === 'neg') code.f32x4Neg(); else if (op === 'abs') code.f32x4Abs(); else code.f32x4Sqrt();
      }
      code.v128Store();
    }, () => {
      code.get(po).get(px).f32Load().set(s);
      if (op === 'relu') code.get(s).f32Zero().get(s).f32Zero().f32Gt().select();
      else if (op === 'square') code.get(s).get(s).f32Mul();
      else {
        code.get(s);
        if (op === 'neg') code.f32Neg(); else if (op === 'abs') code.f32Abs(); else code.f32Sqrt();
      }
      code.f32Store();
    });
  });
  return { name: op, params: new Array(5).fill(I32), locals: L.types, body: code };
}

/** the WebAssembly kernels (exported for the tests) */
export const wasm = new ArenaKernel<Export>('elementwise', (memory) => emitModule([
  ...SIMD_BINARY.flatMap((op) => FORMS.map((form) => emitBinary(op, form))),
  ...SIMD_UNARY.map(emitUnary),
], memory));

/** The row form of a broadcast, or null when it is not one of the cases in the header. */
interface RowForm { rows: number; inner: number; aVec: boolean; aStride: number; bVec: boolean; bStride: number }

/** How one operand of `len` values, broadcast as `how` (null: not broadcast), is read in rows of `inner`. */
function operandRead(len: number, how: BroadcastKind, inner: number): { vec: boolean; stride: number } {
  if (how === null) return len === 1 ? { vec: false, stride: 0 } : { vec: true, stride: inner };
  return how.kind === 'prefix' ? { vec: false, stride: 1 } : { vec: true, stride: 0 };
}

function rowForm(aShape: readonly number[], an: number, bShape: readonly number[], bn: number, outShape: readonly number[], n: number): RowForm | null {
  if (an === n && bn === n) return { rows: 1, inner: n, aVec: true, aStride: 0, bVec: true, bStride: 0 };
  if (an === n && bn === 1) return { rows: 1, inner: n, aVec: true, aStride: 0, bVec: false, bStride: 0 };
  if (an === 1 && bn === n) return { rows: 1, inner: n, aVec: false, aStride: 0, bVec: true, bStride: 0 };
  const aHow = an === n || an === 1 ? null : broadcastKind(aShape, outShape);
  const bHow = bn === n || bn === 1 ? null : broadcastKind(bShape, outShape);
  const broadcastSide = aHow ?? bHow;
  if (!broadcastSide || (aHow && bHow)) return null;
  // the row length: the column's inner extent, or the repeated row's size
  const inner = broadcastSide.kind === 'prefix' ? broadcastSide.inner : broadcastSide.size;
  const ra = operandRead(an, aHow, inner), rb = operandRead(bn, bHow, inner);
  return { rows: n / inner, inner, aVec: ra.vec, aStride: ra.stride, bVec: rb.vec, bStride: rb.stride };
}

/** out = a op b on SIMD; false (nothing written) when the JavaScript loop must run. */
export function binarySimd(arena: Arena, op: BinaryOp, av: NumArray, aShape: readonly number[], bv: NumArray, bShape: readonly number[],
  outShape: readonly number[], out: NumArray): boolean {
  if (!(SIMD_BINARY as readonly string[]).includes(op) || arena.offset(out) < 0) return false;
  const n = out.length;
  const form = rowForm(aShape, av.length, bShape, bv.length, outShape, n);
  if (!form || n === 0) return false;
  // the big operands in place; a small one (a scalar, a column, a bias row) copied in
  const inPlace: NumArray[] = [out], copied: NumArray[] = [];
  for (const x of [av, bv]) (arena.offset(x) < 0 && x.length < n ? copied : inPlace).push(x);
  const v = chooseVariant(arena, wasm, { inPlace, copied }, n);
  if (!v.wasm) return false;
  const args = new ArenaArgs(arena);
  try {
    const fn = `${op as SimdBinary}_${form.aVec ? 'v' : 's'}${form.bVec ? 'v' : 's'}` as Export;
    v.wasm.run(fn, [args.input(av as Float32Array), form.aStride * 4, args.input(bv as Float32Array), form.bStride * 4,
      arena.offset(out), form.inner], form.rows, false);
  } finally {
    args.release();
  }
  return true;
}

/** out = f(x) on SIMD; false when the JavaScript loop must run. */
export function unarySimd(arena: Arena, op: UnaryOp | FusedUnaryOp, x: NumArray, out: NumArray): boolean {
  if (!(SIMD_UNARY as readonly string[]).includes(op) || x.length === 0) return false;
  const v = chooseVariant(arena, wasm, { inPlace: [x, out] }, x.length);
  if (!v.wasm) return false;
  v.wasm.run(op as SimdUnary, [arena.offset(x), arena.offset(out), x.length], 1, false);
  return true;
}
