/**
 * Emits the WebAssembly SIMD row kernels of embedding models — the hot path of matrix
 * factorization — working in place on the CPU backend's shared arena (memory.ts):
 *
 *   gatherRows(table, ids, width, out, i0, i1)
 *     out[i] = table[ids[i]] (rows of 4-byte values)           for i in [i0, i1)
 *   gatherDot(a, b, aIds, bIds, width, out, i0, i1)
 *     out[i] = a[aIds[i]] · b[bIds[i]]                        for i in [i0, i1)
 *   segmentSumScaled(scale, table, rowIds, seg, n, width, out, s0, s1)
 *     out[seg[i]] += scale[i] · table[rowIds[i]]              for i < n with seg[i] in [s0, s1)
 *   adamRows(w, g, m, v, rows, corr, width, beta1, beta2, eps, weightDecay, r0, r1)
 *     lazy Adam on rows[r] of w, m, v with gradient row r of g, for r in [r0, r1);
 *     corr[2r] = lr / (1 − β1^t), corr[2r+1] = 1 / (1 − β2^t) for that row's step t
 *   spmm(indptr, indices, values, b, N, out, i0, i1)
 *     out[i] += Σ_p values[p] · b[indices[p]] over row i's entries of a CSR matrix (i in [i0, i1))
 *
 * Pointers are byte offsets into the arena; `width` counts floats. The [i0, i1) / [s0, s1) /
 * [r0, r1) ranges let two threads split the work (threads.ts): each output row is written by
 * exactly one of them.
 *
 * Why SIMD helps here even though the rows are scattered: a row of 25 floats is 6 f32x4
 * vectors and a scalar, so the arithmetic — Adam's divide and square root above all — runs
 * 4 lanes at a time and in float32, where the JavaScript kernels do every element alone in
 * float64. Results agree with the JavaScript kernels to float32 rounding.
 */
import { Code, emitModule, F32, I32, Locals, type FunctionDef, type ValType } from './emitter.js';

/**
 * Emits `for (k = 0; k + 4 <= width; k += 4) vector(); for (; k < width; k++) scalar();`
 * with the given byte pointers advanced by 16 (vector) or 4 (scalar) bytes per step.
 */
function overRow(code: Code, k: number, width: number, pointers: number[], vector: () => void, scalar: () => void): void {
  code.i32(0).set(k);
  code.block().loop();
  code.get(k).i32(4).add().get(width).gtS().brIf(1);
  vector();
  for (const p of pointers) code.inc(p, 16);
  code.inc(k, 4).br(0);
  code.end().end();
  code.block().loop();
  code.get(k).get(width).geS().brIf(1);
  scalar();
  for (const p of pointers) code.inc(p, 4);
  code.inc(k, 1).br(0);
  code.end().end();
}

/** How many rows ahead the kernels touch the row they will need (see the header). */
const AHEAD = 8;

/**
 * Emits `if (i + AHEAD < end) load(base + ids[i + AHEAD] · rowBytes)` for each base, the load's
 * value dropped: it only starts the cache miss of a row this loop will reach soon.
 */
function touchAhead(code: Code, i: number, end: number, ids: number, rowBytes: number, bases: number[]): void {
  code.get(i).i32(AHEAD).add().get(end).ltS().if();
  for (const base of bases) {
    code.get(base).get(ids).get(i).i32(4).mul().add().i32Load(4 * AHEAD).get(rowBytes).mul().add().f32Load().drop();
  }
  code.end();
}

/** Emits `for (i = from; i < to; i++) body()`. */
function forRange(code: Code, i: number, from: number, to: number, body: () => void): void {
  code.get(from).set(i);
  code.block().loop();
  code.get(i).get(to).geS().brIf(1);
  body();
  code.inc(i, 1).br(0);
  code.end().end();
}

function gatherRows(): FunctionDef {
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

function gatherDot(): FunctionDef {
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

function segmentSumScaled(): FunctionDef {
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

function adamRows(): FunctionDef {
  const [w, g, m, v, rows, corr, width, beta1, beta2, eps, weightDecay, r0, r1] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const L = new Locals(13);
  const r = L.i32(), k = L.i32(), off = L.i32(), pw = L.i32(), pm = L.i32(), pv = L.i32(), pg = L.i32(), rowBytes = L.i32();
  // scalars, and the same splatted to 4 lanes
  const oneMinusB1 = L.f32(), oneMinusB2 = L.f32(), stepSize = L.f32(), invC2 = L.f32();
  const ws = L.f32(), gs = L.f32(), ms = L.f32(), vs = L.f32();
  const b1v = L.v128(), b2v = L.v128(), ob1v = L.v128(), ob2v = L.v128(), epsv = L.v128(), wdv = L.v128();
  const stepv = L.v128(), icv = L.v128(), wv = L.v128(), gv = L.v128(), mv = L.v128(), vv = L.v128();
  const code = new Code();
  code.get(width).i32(4).mul().set(rowBytes);
  code.f32Const(1).get(beta1).f32Sub().tee(oneMinusB1).f32x4Splat().set(ob1v);
  code.f32Const(1).get(beta2).f32Sub().tee(oneMinusB2).f32x4Splat().set(ob2v);
  code.get(beta1).f32x4Splat().set(b1v);
  code.get(beta2).f32x4Splat().set(b2v);
  code.get(eps).f32x4Splat().set(epsv);
  code.get(weightDecay).f32x4Splat().set(wdv);
  forRange(code, r, r0, r1, () => {
    touchAhead(code, r, r1, rows, rowBytes, [w, m, v]);
    code.get(rows).get(r).i32(4).mul().add().i32Load().get(rowBytes).mul().set(off);
    code.get(w).get(off).add().set(pw);
    code.get(m).get(off).add().set(pm);
    code.get(v).get(off).add().set(pv);
    code.get(g).get(r).get(rowBytes).mul().add().set(pg);
    code.get(corr).get(r).i32(8).mul().add().f32Load(0).tee(stepSize).f32x4Splat().set(stepv);
    code.get(corr).get(r).i32(8).mul().add().f32Load(4).tee(invC2).f32x4Splat().set(icv);
    overRow(code, k, width, [pw, pm, pv, pg], () => {
      code.get(pw).v128Load().set(wv);
      code.get(pg).v128Load().get(wdv).get(wv).f32x4Mul().f32x4Add().set(gv); // g + wd·w
      code.get(b1v).get(pm).v128Load().f32x4Mul().get(ob1v).get(gv).f32x4Mul().f32x4Add().set(mv);
      code.get(b2v).get(pv).v128Load().f32x4Mul().get(ob2v).get(gv).f32x4Mul().get(gv).f32x4Mul().f32x4Add().set(vv);
      code.get(pm).get(mv).v128Store();
      code.get(pv).get(vv).v128Store();
      // w − stepSize·m / (√(v / c2) + eps)
      code.get(pw).get(wv).get(stepv).get(mv).f32x4Mul()
        .get(vv).get(icv).f32x4Mul().f32x4Sqrt().get(epsv).f32x4Add().f32x4Div().f32x4Sub().v128Store();
    }, () => {
      code.get(pw).f32Load().set(ws);
      code.get(pg).f32Load().get(weightDecay).get(ws).f32Mul().f32Add().set(gs);
      code.get(beta1).get(pm).f32Load().f32Mul().get(oneMinusB1).get(gs).f32Mul().f32Add().set(ms);
      code.get(beta2).get(pv).f32Load().f32Mul().get(oneMinusB2).get(gs).f32Mul().get(gs).f32Mul().f32Add().set(vs);
      code.get(pm).get(ms).f32Store();
      code.get(pv).get(vs).f32Store();
      code.get(pw).get(ws).get(stepSize).get(ms).f32Mul()
        .get(vs).get(invC2).f32Mul().f32Sqrt().get(eps).f32Add().f32Div().f32Sub().f32Store();
    });
  });
  const params: ValType[] = [I32, I32, I32, I32, I32, I32, I32, F32, F32, F32, F32, I32, I32];
  return { name: 'adamRows', params, locals: L.types, body: code };
}

function spmm(): FunctionDef {
  const [indptr, indices, values, b, N, out, i0, i1] = [0, 1, 2, 3, 4, 5, 6, 7];
  const L = new Locals(8);
  const i = L.i32(), p = L.i32(), pEnd = L.i32(), k = L.i32(), src = L.i32(), dst = L.i32(), rowBytes = L.i32();
  const sv = L.v128(), sf = L.f32();
  const code = new Code();
  code.get(N).i32(4).mul().set(rowBytes);
  forRange(code, i, i0, i1, () => {
    code.get(indptr).get(i).i32(4).mul().add().i32Load(0).set(p);
    code.get(indptr).get(i).i32(4).mul().add().i32Load(4).set(pEnd);
    forRange(code, p, p, pEnd, () => {
      code.get(values).get(p).i32(4).mul().add().f32Load().tee(sf).f32x4Splat().set(sv);
      code.get(b).get(indices).get(p).i32(4).mul().add().i32Load().get(rowBytes).mul().add().set(src);
      code.get(out).get(i).get(rowBytes).mul().add().set(dst);
      overRow(code, k, N, [src, dst],
        () => code.get(dst).get(dst).v128Load().get(sv).get(src).v128Load().f32x4Mul().f32x4Add().v128Store(),
        () => code.get(dst).get(dst).f32Load().get(sf).get(src).f32Load().f32Mul().f32Add().f32Store());
    });
  });
  return { name: 'spmm', params: new Array(8).fill(I32), locals: L.types, body: code };
}

export function rowsModule(memory: { shared: boolean; maxPages: number }): Uint8Array<ArrayBuffer> {
  return emitModule([gatherRows(), gatherDot(), segmentSumScaled(), adamRows(), spmm()], memory);
}
