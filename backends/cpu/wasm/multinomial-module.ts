/**
 * Emits the WebAssembly SIMD kernels of the fused log-softmax + multinomial log-likelihood
 * (the Mult-VAE / DAE loss over every item, see ../multinomial.ts):
 *
 *   rowMaxSumExp(z, N, stats, r0, r1)
 *     for rows r in [r0, r1) of z [·, N]: stats[r] = (m, s) as two f64, m = max_i z[r, i],
 *     s = Σ_i exp(z[r, i] − m)
 *   softmaxScaled(z, params, N, g, r0, r1)
 *     g[r, i] = scale_r · exp(z[r, i] − m_r − ls_r), (m_r, ls_r, scale_r) three f32 at params + 12r
 *
 * Pointers are byte offsets into linear memory (the arena). Rows are independent, so threads
 * share them by range. exp is the SIMD polynomial of simd-math.ts; the sum of exps is
 * accumulated in f32x4 lanes for 64 vectors at a time and then added into an f64, so a
 * 20,000-item row sums as accurately as the float64 JS loop (to float32 rounding of the terms).
 */
import { Code, emitModule, I32, Locals, type FunctionDef } from './emitter.js';
import { emitExp, expScratch } from './simd-math.js';

/** vectors summed in float32 lanes before the partial sum is added to the f64 total */
const BLOCK_VECS = 64;

/** Emits `for (r = r0; r < r1; r++) body()`. */
function forRows(code: Code, r: number, r0: number, r1: number, body: () => void): void {
  code.get(r0).set(r);
  code.block().loop();
  code.get(r).get(r1).geS().brIf(1);
  body();
  code.inc(r, 1).br(0);
  code.end().end();
}

/** Emits `while (j + 4 <= N) { vector(); p += 16; j += 4 } while (j < N) { scalar(); p += 4; j++ }` from j = 0. */
function overColumns(code: Code, j: number, N: number, pointers: number[], vector: () => void, scalar: () => void): void {
  code.i32(0).set(j);
  code.block().loop();
  code.get(j).i32(4).add().get(N).gtS().brIf(1);
  vector();
  for (const p of pointers) code.inc(p, 16);
  code.inc(j, 4).br(0);
  code.end().end();
  code.block().loop();
  code.get(j).get(N).geS().brIf(1);
  scalar();
  for (const p of pointers) code.inc(p, 4);
  code.inc(j, 1).br(0);
  code.end().end();
}

function rowMaxSumExp(): FunctionDef {
  const [z, N, stats, r0, r1] = [0, 1, 2, 3, 4];
  const L = new Locals(5);
  const r = L.i32(), j = L.i32(), p = L.i32(), row = L.i32(), count = L.i32();
  const vm = L.v128(), vx = L.v128(), vacc = L.v128(), m = L.f32(), total = L.f64();
  const ex = expScratch(L);
  const code = new Code();
  /** total += the four lanes of vacc */
  const fold = () => {
    code.get(total).get(vacc).f32x4ExtractLane(0).get(vacc).f32x4ExtractLane(1).f32Add()
      .get(vacc).f32x4ExtractLane(2).get(vacc).f32x4ExtractLane(3).f32Add().f32Add()
      .f64PromoteF32().f64Add().set(total);
  };
  forRows(code, r, r0, r1, () => {
    code.get(z).get(r).get(N).mul().i32(4).mul().add().set(row);
    // the row's max (NaN-propagating)
    code.get(row).set(p);
    code.f32x4Const(-Infinity).set(vm);
    code.f32Const(-Infinity).set(m);
    overColumns(code, j, N, [p],
      () => code.get(vm).get(p).v128Load().f32x4Max().set(vm),
      () => code.get(m).get(p).f32Load().f32Max().set(m));
    for (let lane = 0; lane < 4; lane++) code.get(m).get(vm).f32x4ExtractLane(lane).f32Max().set(m);
    code.get(m).f32x4Splat().set(vm);
    // Σ exp(z − m)
    code.get(row).set(p);
    code.v128Zero().set(vacc);
    code.f64Zero().set(total);
    code.i32(0).set(count);
    overColumns(code, j, N, [p], () => {
      code.get(p).v128Load().get(vm).f32x4Sub().set(vx);
      emitExp(code, vx, vx, ex);
      code.get(vacc).get(vx).f32x4Add().set(vacc);
      code.inc(count, 1);
      code.get(count).i32(BLOCK_VECS).eq().if();
      fold();
      code.v128Zero().set(vacc);
      code.i32(0).set(count);
      code.end();
    }, () => {
      code.get(p).f32Load().f32x4Splat().get(vm).f32x4Sub().set(vx);
      emitExp(code, vx, vx, ex);
      code.get(total).get(vx).f32x4ExtractLane(0).f64PromoteF32().f64Add().set(total);
    });
    fold();
    code.get(stats).get(r).i32(16).mul().add().get(m).f64PromoteF32().f64Store(0);
    code.get(stats).get(r).i32(16).mul().add().get(total).f64Store(8);
  });
  return { name: 'rowMaxSumExp', params: new Array(5).fill(I32), locals: L.types, body: code };
}

function softmaxScaled(): FunctionDef {
  const [z, params, N, g, r0, r1] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const r = L.i32(), j = L.i32(), pz = L.i32(), pg = L.i32();
  const vm = L.v128(), vl = L.v128(), vs = L.v128(), vx = L.v128();
  const ex = expScratch(L);
  const code = new Code();
  forRows(code, r, r0, r1, () => {
    code.get(z).get(r).get(N).mul().i32(4).mul().add().set(pz);
    code.get(g).get(r).get(N).mul().i32(4).mul().add().set(pg);
    code.get(params).get(r).i32(12).mul().add().f32Load(0).f32x4Splat().set(vm);
    code.get(params).get(r).i32(12).mul().add().f32Load(4).f32x4Splat().set(vl);
    code.get(params).get(r).i32(12).mul().add().f32Load(8).f32x4Splat().set(vs);
    // (z − m) is exact for the row's own values; then − ls (small)
    overColumns(code, j, N, [pz, pg], () => {
      code.get(pz).v128Load().get(vm).f32x4Sub().get(vl).f32x4Sub().set(vx);
      emitExp(code, vx, vx, ex);
      code.get(pg).get(vx).get(vs).f32x4Mul().v128Store();
    }, () => {
      code.get(pz).f32Load().f32x4Splat().get(vm).f32x4Sub().get(vl).f32x4Sub().set(vx);
      emitExp(code, vx, vx, ex);
      code.get(pg).get(vx).get(vs).f32x4Mul().f32x4ExtractLane(0).f32Store();
    });
  });
  return { name: 'softmaxScaled', params: new Array(6).fill(I32), locals: L.types, body: code };
}

/** A test hook: out[i] = exp(x[i]) for i < n (n a multiple of 4), the exp every kernel here uses. */
function expVec(): FunctionDef {
  const [x, out, n] = [0, 1, 2];
  const L = new Locals(3);
  const i = L.i32(), v = L.v128();
  const ex = expScratch(L);
  const code = new Code();
  code.i32(0).set(i);
  code.block().loop();
  code.get(i).get(n).geS().brIf(1);
  code.get(x).v128Load().set(v);
  emitExp(code, v, v, ex);
  code.get(out).get(v).v128Store();
  code.inc(x, 16).inc(out, 16).inc(i, 4).br(0);
  code.end().end();
  return { name: 'expVec', params: [I32, I32, I32], locals: L.types, body: code };
}

export function multinomialModule(memory: { shared: boolean; maxPages: number }): Uint8Array<ArrayBuffer> {
  return emitModule([rowMaxSumExp(), softmaxScaled(), expVec()], memory);
}
