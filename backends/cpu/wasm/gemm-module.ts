/**
 * Emits the WebAssembly SIMD matrix-product kernel:
 *
 *   gemm(a, b, c, i0, i1, N, K, sa, sk, accumulate)
 *   for rows i in [i0, i1):  C[i, 0:N] (+)= Σ_k A(i, k) · B[k, 0:N]
 *
 * Pointers and strides are byte offsets into linear memory. B is [K, N] row-major and C is
 * [·, N]; A(i, k) lives at a + i·sa + k·sk, so A can be read as stored (sa = 4K, sk = 4) or
 * transposed (sa = 4, sk = 4M) without copying it — the 25,000-row operand of a dense layer's
 * weight gradient Xᵀ·dY is never transposed.
 *
 * Why this shape of kernel: one A value times a row segment of B is an outer-product update,
 * so a tile of C of R rows × 4V columns is kept in R·V f32x4 registers (accumulators) for the
 * whole k loop. Per k it loads V vectors of B and R scalars of A (each splatted to 4 lanes by
 * v128.load32_splat), then does R·V multiply-adds of 4 lanes each: the loads are reused
 * R or V times, and C is read and written once per tile instead of once per k. x86 has 16
 * vector registers, so R·V accumulators + V B vectors + 1 splat must stay ≤ 16 (4×2 does).
 *
 * Columns not filling a whole vector (N not a multiple of 4) still compute 4 lanes — the extra
 * lanes read past the row and are thrown away — and store only the valid lanes. The caller
 * keeps 16 bytes of slack after each buffer so those reads stay in bounds.
 */
import { Code, emitModule, F32, I32, Locals, type FunctionDef, type ValType } from './emitter.js';

export interface GemmShape {
  /** rows per register tile */
  rows: number;
  /** f32x4 vectors (4 columns each) per register tile */
  vecs: number;
}

export const DEFAULT_TILE: GemmShape = { rows: 4, vecs: 2 };


export function gemmModule(opts: { shared: boolean; maxPages: number; tile?: GemmShape }): Uint8Array<ArrayBuffer> {
  const tile = opts.tile ?? DEFAULT_TILE;
  // parameters
  const [a, b, c, i0, i1, N, K, sa, sk, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const L = new Locals(10);
  const i = L.i32(), j = L.i32(), k = L.i32();
  const rowA = L.i32(); // A(i, 0)
  const rowC = L.i32(); // C(i, 0)
  const tileC = L.i32(); // C(i, j)
  const pk = L.i32(); // A(i, k) in the k loop
  const pb = L.i32(); // B(k, j) in the k loop
  const ldb = L.i32(); // bytes per row of B and of C: 4N
  // byte offsets of rows r = 1 … R−1 of a tile, in A (r·sa) and in C (r·ldb)
  const aRow = [0], cRow = [0];
  for (let r = 1; r < tile.rows; r++) { aRow.push(L.i32()); cRow.push(L.i32()); }
  const acc: number[][] = [];
  for (let r = 0; r < tile.rows; r++) acc.push(Array.from({ length: tile.vecs }, () => L.v128()));
  const bv = Array.from({ length: tile.vecs }, () => L.v128());
  const splat = L.v128();

  const code = new Code();
  code.get(N).i32(4).mul().set(ldb);
  for (let r = 1; r < tile.rows; r++) {
    code.get(sa).i32(r).mul().set(aRow[r]);
    code.get(ldb).i32(r).mul().set(cRow[r]);
  }
  /** pushes the address of C(i + r, j) */
  const addrC = (r: number) => { code.get(tileC); if (r > 0) code.get(cRow[r]).add(); };

  /** One R × 4V tile of C at (i, j); `lanesLeft` = only the first N − j lanes are stored. */
  const emitTile = (R: number, V: number, lanesLeft: boolean) => {
    code.get(rowC).get(j).i32(4).mul().add().set(tileC);
    code.get(accumulate).if();
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) { addrC(r); code.v128Load(16 * v).set(acc[r][v]); }
    code.else();
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) code.v128Zero().set(acc[r][v]);
    code.end();
    code.get(rowA).set(pk);
    code.get(b).get(j).i32(4).mul().add().set(pb);
    code.get(K).set(k);
    code.loop();
    for (let v = 0; v < V; v++) code.get(pb).v128Load(16 * v).set(bv[v]);
    for (let r = 0; r < R; r++) {
      code.get(pk);
      if (r > 0) code.get(aRow[r]).add();
      code.load32Splat().set(splat);
      for (let v = 0; v < V; v++) code.get(acc[r][v]).get(splat).get(bv[v]).f32x4Mul().f32x4Add().set(acc[r][v]);
    }
    code.inc(pk, { local: sk }).inc(pb, { local: ldb }).inc(k, -1);
    code.get(k).brIf(0);
    code.end();
    if (!lanesLeft) {
      for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) { addrC(r); code.get(acc[r][v]).v128Store(16 * v); }
      return;
    }
    for (let r = 0; r < R; r++) {
      addrC(r); code.get(acc[r][0]).f32x4ExtractLane(0).f32Store(0);
      for (let lane = 1; lane < 3; lane++) {
        code.get(N).get(j).sub().i32(lane).gtS().if(); // lane < N − j
        addrC(r); code.get(acc[r][0]).f32x4ExtractLane(lane).f32Store(4 * lane);
        code.end();
      }
    }
  };

  /** while (j + 4V <= N) { tile; j += 4V } — a loop over full-width tiles of one row block */
  const emitColumnLoop = (R: number, V: number) => {
    code.block().loop();
    code.get(j).i32(4 * V).add().get(N).gtS().brIf(1);
    emitTile(R, V, false);
    code.inc(j, 4 * V).br(0);
    code.end().end();
  };

  /** while (i + R <= i1) { all columns of rows i … i+R−1; i += R } */
  const emitRowLoop = (R: number) => {
    code.block().loop();
    code.get(i).i32(R).add().get(i1).gtS().brIf(1);
    code.get(a).get(i).get(sa).mul().add().set(rowA);
    code.get(c).get(i).get(ldb).mul().add().set(rowC);
    code.i32(0).set(j);
    emitColumnLoop(R, tile.vecs);
    if (tile.vecs > 1) emitColumnLoop(R, 1);
    code.get(N).get(j).sub().i32(0).gtS().if(); // j < N: the last 1–3 columns
    emitTile(R, 1, true);
    code.end();
    code.inc(i, R).br(0);
    code.end().end();
  };

  code.get(i0).set(i);
  emitRowLoop(tile.rows);
  if (tile.rows > 2) emitRowLoop(2);
  if (tile.rows > 1) emitRowLoop(1);

  const params: ValType[] = new Array(10).fill(I32);
  const gemm: FunctionDef = { name: 'gemm', params, locals: L.types, body: code };
  return emitModule([gemm, biasActivation(), reluGrad()], opts);
}

/**
 * Emits `for (i < M) { for (j < N, 4 at a time) vector(); for (the last N mod 4) scalar() }`.
 * `vector` and `scalar` see the column pointers advanced by the loop (16 and 4 bytes a step).
 */
function rowsOfColumns(code: Code, L: Locals, M: number, N: number, pointers: number[],
  rowStart: () => void, vector: () => void, scalar: () => void): void {
  const i = L.i32(), j = L.i32();
  const whileFits = (x: number, step: number, limit: number) => code.block().loop().get(x).i32(step).add().get(limit).gtS().brIf(1);
  code.i32(0).set(i);
  whileFits(i, 1, M);
  code.i32(0).set(j);
  rowStart();
  whileFits(j, 4, N);
  vector();
  for (const p of pointers) code.inc(p, 16);
  code.inc(j, 4).br(0);
  code.end().end();
  whileFits(j, 1, N);
  scalar();
  for (const p of pointers) code.inc(p, 4);
  code.inc(j, 1).br(0);
  code.end().end();
  code.inc(i, 1).br(0);
  code.end().end();
}

/**
 * biasActivation(c, M, N, bias, relu): in place on C [M, N], C[i, j] += bias[j], then
 * relu (x > 0 ? x : 0) when `relu` is nonzero. The epilogue of a dense layer, run on C while
 * it is still in linear memory.
 */
function biasActivation(): FunctionDef {
  const [c, M, N, bias, relu] = [0, 1, 2, 3, 4];
  const L = new Locals(5);
  const p = L.i32(), pb = L.i32();
  const v = L.v128(), s = L.add(F32);
  const code = new Code();
  code.get(c).set(p);
  rowsOfColumns(code, L, M, N, [p, pb], () => code.get(bias).set(pb), () => {
    code.get(p).v128Load().get(pb).v128Load().f32x4Add().set(v);
    code.get(relu).if().v128Zero().get(v).f32x4Pmax().set(v).end();
    code.get(p).get(v).v128Store();
  }, () => {
    code.get(p).f32Load().get(pb).f32Load().f32Add().set(s);
    code.get(relu).if().get(s).f32Zero().get(s).f32Zero().f32Gt().select().set(s).end();
    code.get(p).get(s).f32Store();
  });
  return { name: 'biasActivation', params: new Array(5).fill(I32), locals: L.types, body: code };
}

/**
 * reluGrad(y, dy, M, N, sums, wantSums): in place on dy [M, N], dy = y > 0 ? dy : 0, and
 * when `wantSums`, sums[j] += that for every row. Branch-free: a lane mask from f32x4.gt
 * ANDed with dy — in JavaScript `y > 0 ? dy : 0` is a branch that half the time goes the
 * unexpected way for relu outputs, which made the pass ~5× slower than a copy.
 */
function reluGrad(): FunctionDef {
  const [y, dy, M, N, sums, wantSums] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const ps = L.i32();
  const g = L.v128(), s = L.add(F32);
  const code = new Code();
  rowsOfColumns(code, L, M, N, [y, dy, ps], () => code.get(sums).set(ps), () => {
    code.get(dy).v128Load().get(y).v128Load().v128Zero().f32x4Gt().v128And().set(g);
    code.get(dy).get(g).v128Store();
    code.get(wantSums).if().get(ps).get(ps).v128Load().get(g).f32x4Add().v128Store().end();
  }, () => {
    code.get(dy).f32Load().f32Zero().get(y).f32Load().f32Zero().f32Gt().select().set(s);
    code.get(dy).get(s).f32Store();
    code.get(wantSums).if().get(ps).get(ps).f32Load().get(s).f32Add().f32Store().end();
  });
  return { name: 'reluGrad', params: new Array(6).fill(I32), locals: L.types, body: code };
}
