/**
 * Adam updates — accelerations (core/kernels.ts; the reference is models/optim/adam.ts
 * `adamMaths`), in place on the weight and its moments:
 *   g' = g + wd·w;  m = β1·m + (1−β1)·g';  v = β2·v + (1−β2)·g'²;
 *   w −= lr·(m / c1) / (√(v / c2) + ε),   c1 = 1 − β1^t, c2 = 1 − β2^t
 * with, for the lazy (row-sparse) update, each touched row's own step count t.
 *
 * Implementations, chosen by variants.ts:
 *   adamRange        the per-element JavaScript function (dense, and a float16 table's
 *                    compact copy of its touched rows)
 *   adamSparseRows   its row-range twin for float32 tables (runs in a worker too)
 *   emitAdamRows     the WebAssembly SIMD kernel on the arena: Adam's divide and square root
 *                    four lanes at a time in float32; a dense update runs it over every row
 * They agree to float32 rounding (the JavaScript ones compute in float64).
 */
import type { AdamOptions } from '../../core/kernels.js';
import type { FloatArray } from './elementwise.js';
import type { Arena } from './memory.js';
import { chooseVariant, runRows } from './variants.js';
import { weightOffset, type RowTarget } from './views.js';
import { emitModule, F32, I32, Locals, Code, type FunctionDef, type ValType } from './wasm/emitter.js';
import { forRange, overRow, touchAhead } from './wasm/loops.js';
import { ArenaArgs, ArenaKernel } from './wasm/modules.js';

/** c1 = 1 − β1^t and c2 = 1 − β2^t are Adam's bias corrections for step t. */
function adamRange(w: FloatArray, wo: number, g: FloatArray, go: number, m: FloatArray, v: FloatArray, so: number, len: number,
  c1: number, c2: number, o: AdamOptions): void {
  const { lr, beta1, beta2, eps, weightDecay } = o;
  for (let k = 0; k < len; k++) {
    const gi = g[go + k] + weightDecay * w[wo + k];
    const s = so + k;
    m[s] = beta1 * m[s] + (1 - beta1) * gi;
    v[s] = beta2 * v[s] + (1 - beta2) * gi * gi;
    w[wo + k] -= (lr * (m[s] / c1)) / (Math.sqrt(v[s] / c2) + eps);
  }
}

/** Lazy Adam through a compact float32 copy of a float16 table's touched rows. */
function adamCompactRows(w: FloatArray, t: RowTarget, g: FloatArray, m: FloatArray, v: FloatArray, rowSteps: Int32Array, o: AdamOptions): void {
  // the corrections depend only on a row's step count: compute each distinct count once
  const cache = new Map<number, [number, number]>();
  for (let i = 0; i < t.rows.length; i++) {
    const step = rowSteps[i];
    let c = cache.get(step);
    if (!c) {
      c = [1 - Math.pow(o.beta1, step), 1 - Math.pow(o.beta2, step)];
      cache.set(step, c);
    }
    adamRange(w, weightOffset(t, i), g, i * t.width, m, v, t.rows[i] * t.width, t.width, c[0], c[1], o);
  }
}

/**
 * Lazy Adam over rows [r0, r1) of the touched-row list, for a float32 table: the same
 * per-element arithmetic as `adamRange` (so results are bit-identical), with each row's
 * bias corrections from its own step count. Self-contained: the worker thread runs it too.
 */
export function adamSparseRows(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, rows: Int32Array, steps: Int32Array,
  width: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number, r0: number, r1: number): void {
  // new moments stay in locals, rounded as the state array stores them (float32 or not),
  // instead of being stored and read back: same numbers, less time in V8
  const fround = Math.fround;
  const f32 = m instanceof Float32Array && v instanceof Float32Array;
  let lastStep = -1, c1 = 1, c2 = 1;
  for (let r = r0; r < r1; r++) {
    if (steps[r] !== lastStep) {
      lastStep = steps[r];
      c1 = 1 - Math.pow(beta1, lastStep);
      c2 = 1 - Math.pow(beta2, lastStep);
    }
    const so = rows[r] * width;
    const go = r * width;
    for (let k = 0; k < width; k++) {
      const s = so + k;
      const ws = w[s];
      const gi = g[go + k] + weightDecay * ws;
      const mRaw = beta1 * m[s] + (1 - beta1) * gi;
      const vRaw = beta2 * v[s] + (1 - beta2) * gi * gi;
      const mk = f32 ? fround(mRaw) : mRaw;
      const vk = f32 ? fround(vRaw) : vRaw;
      m[s] = mk;
      v[s] = vk;
      w[s] = ws - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + eps);
    }
  }
}

/**
 * adamRows(w, g, m, v, rows, corr, width, beta1, beta2, eps, weightDecay, r0, r1): lazy Adam
 * on rows[r] of w, m, v with gradient row r of g, for r in [r0, r1); corr[2r] = lr / c1 and
 * corr[2r+1] = 1 / c2 for that row's step.
 */
function emitAdamRows(): FunctionDef {
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

/** the WebAssembly kernel (exported for the tests, which check it runs) */
export const wasm = new ArenaKernel<'adamRows'>('adamRows', (memory) => emitModule([emitAdamRows()], memory));

let corrTable = { beta1: NaN, beta2: NaN, values: new Float64Array(0) };

/**
 * [1 / (1 − β1^t), 1 / (1 − β2^t)] for t = 0 … max(steps), kept between calls: every row
 * has its own step count, and two Math.pow per row cost more than the update itself.
 */
function corrections(beta1: number, beta2: number, steps: Int32Array): Float64Array {
  let maxStep = 0;
  for (let r = 0; r < steps.length; r++) if (steps[r] > maxStep) maxStep = steps[r];
  const c = corrTable;
  if (c.beta1 !== beta1 || c.beta2 !== beta2 || c.values.length < 2 * (maxStep + 1)) {
    const size = Math.max(2 * (maxStep + 1), c.values.length * 2, 64);
    const values = new Float64Array(size);
    for (let t = 1; t < size / 2; t++) {
      values[2 * t] = 1 / (1 - Math.pow(beta1, t));
      values[2 * t + 1] = 1 / (1 - Math.pow(beta2, t));
    }
    corrTable = { beta1, beta2, values };
  }
  return corrTable.values;
}

/** Adam on the given rows (float32 arrays, w, m, v in the arena) on the WebAssembly kernel. */
function adamRowsWasm(arena: Arena, run: NonNullable<ReturnType<typeof chooseVariant<'adamRows'>>['wasm']>, threads: boolean,
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, rows: Int32Array, steps: Int32Array, width: number, o: AdamOptions): void {
  // per-row bias corrections (WebAssembly has no pow), from a table by step count
  const table = corrections(o.beta1, o.beta2, steps);
  const corr = new Float32Array(2 * rows.length);
  const lr = o.lr; // a local: read from the options object inside the loop it cost 10× the loop
  for (let r = 0; r < rows.length; r++) {
    const t = 2 * steps[r];
    corr[2 * r] = lr * table[t];
    corr[2 * r + 1] = table[t + 1];
  }
  const args = new ArenaArgs(arena);
  try {
    const pass = [arena.offset(w), args.input(g), arena.offset(m), arena.offset(v), args.input(rows), args.input(corr), width, o.beta1, o.beta2, o.eps, o.weightDecay];
    run.run('adamRows', pass, rows.length, threads);
  } finally {
    args.release();
  }
}

/** Dense Adam at step `step` on a weight of rows of `width` values. */
export function adamDense(arena: Arena, w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, width: number, step: number, o: AdamOptions): void {
  const rows = width > 0 ? w.length / width : 0;
  const variant = chooseVariant(arena, wasm, { inPlace: [w, m, v], copied: [g] }, w.length);
  if (variant.wasm && rows > 0) {
    const all = Int32Array.from({ length: rows }, (_, r) => r);
    const steps = new Int32Array(rows).fill(step);
    return adamRowsWasm(arena, variant.wasm, variant.threads, w as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, all, steps, width, o);
  }
  adamRange(w, 0, g, 0, m, v, 0, w.length, 1 - Math.pow(o.beta1, step), 1 - Math.pow(o.beta2, step), o);
}

/** Lazy Adam on the touched rows of `t` (each with its step count in rowSteps). */
export function adamSparse(arena: Arena, w: FloatArray, t: RowTarget, g: FloatArray, m: FloatArray, v: FloatArray, rowSteps: Int32Array, o: AdamOptions): void {
  if (t.compactWeights) return adamCompactRows(w, t, g, m, v, rowSteps, o);
  const { rows, width } = t;
  const variant = chooseVariant(arena, wasm, { inPlace: [w, m, v], copied: [g] }, rows.length * width);
  if (variant.wasm) return adamRowsWasm(arena, variant.wasm, variant.threads, w as Float32Array, g as Float32Array, m as Float32Array, v as Float32Array, rows, rowSteps, width, o);
  const args = [w, g, m, v, rows, rowSteps, width, o.lr, o.beta1, o.beta2, o.eps, o.weightDecay];
  runRows(adamSparseRows, args, rows.length, variant.threads, { mustBeShared: [0, 2, 3] });
}
