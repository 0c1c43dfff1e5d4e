/**
 * Emits the WebAssembly SIMD matrix-product kernel, organised like GotoBLAS / BLIS:
 *
 *   gemm(a, sa, sk, b, sbk, sbn, c, ldc, M, N, K, bias, flags, pack, lo, hi)
 *     C[M,N] (+)= A[M,K] · B[K,N], then + bias[N] and relu when the flags say so,
 *     for columns [lo, hi) of C — or rows [lo, hi) with SPLIT_ROWS — so threads can share it.
 *
 * Every operand is addressed through byte strides into linear memory: A(i, k) lives at
 * a + i·sa + k·sk, B(k, j) at b + k·sbk + j·sbn, C(i, j) at c + i·ldc + 4j. A transposed
 * operand is the same memory with the strides swapped, so nothing is ever transposed.
 *
 * The loops, outermost first (the names are BLIS's):
 *
 *   jc: column blocks of NC columns        B's block is packed once per (jc, pc) and reused
 *   pc: depth blocks of KC                 for every row of A
 *   ic: row blocks of MC rows              MC rows × KC of A stay in L2 while ...
 *   jr: NR-column panels of packed B       ... one KC × NR panel of B (8 KB) sits in L1 and
 *   ir: MR-row tiles                       every MR-row tile of A streams past it
 *
 * The micro-kernel (`tile`) keeps an MR × NR tile of C in MR·NR/4 f32x4 registers for the
 * whole depth block: per k it loads NR/4 vectors of packed B (contiguous) and MR scalars of
 * A (each splatted to 4 lanes), and does MR·NR/4 multiply-adds — each load is reused MR or
 * NR/4 times, and C is read and written once per KC-deep block, not once per k. x64 has 16
 * vector registers: MR·NR/4 accumulators + NR/4 B vectors + 1 splat must fit (4 × 8 does,
 * with room; see DEFAULT_TILE for what was measured).
 *
 * Packing: B's block is copied into NR-wide panels, k-major, zero-padded to a whole panel,
 * so the micro-kernel's loads are contiguous whatever B's layout (row-major, or transposed —
 * the dense layer's dx = dz·Wᵀ) and it always computes a full NR-wide tile; for a product
 * with a few rows of A and a narrow row-major B the panels are read in place instead. A is
 * read in place through its strides (MR row streams; for a transposed A one stream of
 * MR-float runs).
 * Edge tiles narrower than NR are computed into a scratch tile and copied out; tiles with
 * fewer than MR rows use a shorter micro-kernel. Nothing reads or writes outside the
 * operands, the bias and the `pack` scratch block.
 *
 * The dense layer's epilogue (+ bias, relu) is applied to the registers of the last depth
 * block, before C is stored: no extra pass over the output.
 *
 * With `fma`, the multiply-add is relaxed SIMD's f32x4.relaxed_madd (one fused instruction
 * on x64 with FMA3); Node 20 accepts it only with --experimental-wasm-relaxed-simd.
 */
import { Code, emitModule, I32, Locals, type FunctionDef } from './emitter.js';

export interface GemmTile {
  /** MR: rows per register tile */
  rows: number;
  /** NR / 4: f32x4 vectors (4 columns each) per register tile */
  vecs: number;
}

/** MR = 4, NR = 8: see the README's matmul section for the shapes that were measured. */
export const DEFAULT_TILE: GemmTile = { rows: 4, vecs: 2 };

export interface GemmBlocking {
  /** depth block: KC × NR floats of B per panel (KC·NR·4 bytes stay in L1) */
  kc: number;
  /** column block: KC × NC floats of packed B (in L2) */
  nc: number;
  /** row block: MC × KC floats of A (in L2 beside the packed B) */
  mc: number;
}

export const DEFAULT_BLOCKING: GemmBlocking = { kc: 256, nc: 512, mc: 96 };

/** B is read in place, unpacked, when it is row-major, at most DIRECT_MAX_N columns wide and A has at most DIRECT_MAX_M rows */
export const DIRECT_MAX_N = 256;
export const DIRECT_MAX_M = 7;

/** `flags` bits of gemm */
export const GEMM_ACCUMULATE = 1; // C += A·B (else C = A·B)
export const GEMM_BIAS = 2; // + bias[j] after the last depth block
export const GEMM_RELU = 4; // then max(0, ·)
export const GEMM_SPLIT_ROWS = 8; // [lo, hi) are rows of C, not columns
/** tile flags (internal): load C into the accumulators instead of zeroing them */
const TILE_LOAD = 1;

/** Bytes of the `pack` scratch block gemm needs for one thread. */
export function gemmPackBytes(tile: GemmTile = DEFAULT_TILE, blocking: GemmBlocking = DEFAULT_BLOCKING): number {
  const NR = 4 * tile.vecs;
  const panelCols = Math.ceil(blocking.nc / NR) * NR;
  return 4 * (blocking.kc * panelCols + tile.rows * NR);
}

export interface GemmModuleOptions {
  shared: boolean;
  maxPages: number;
  tile?: GemmTile;
  blocking?: GemmBlocking;
  fma?: boolean;
}

/** Emits `for (i = start; i < limit; i += step) body()`; start, limit and step are locals or constants. */
function forUp(code: Code, i: number, start: number | { c: number }, limit: number, step: number | { c: number }, body: () => void): void {
  if (typeof start === 'number') code.get(start); else code.i32(start.c);
  code.set(i);
  code.block().loop();
  code.get(i).get(limit).geS().brIf(1);
  body();
  if (typeof step === 'number') code.inc(i, { local: step }); else code.inc(i, step.c);
  code.br(0);
  code.end().end();
}

/** Pushes min(x, y) of two i32 locals. */
function min(code: Code, x: number, y: number): void {
  code.get(x).get(y).get(x).get(y).leS().select();
}

/**
 * tile(pa, sa, sk, pb, ldp, pc, ldc, kc, flags, pbias) for R rows: C(R × NR at pc, row stride
 * ldc) (+)= Σ_k A(r, k) · Bpanel(k, 0:NR), A(r, k) at pa + r·sa + k·sk, the panel's row k at
 * pb + k·ldp (NR contiguous floats: a packed panel, or a row-major B read in place); then
 * + bias (NR floats at pbias) and relu when flags say so.
 */
function tileKernel(R: number, tile: GemmTile, fma: boolean): FunctionDef {
  const V = tile.vecs;
  const [pa, sa, sk, pb, ldp, pc, ldc, kc, flags, pbias] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const L = new Locals(10);
  const k = L.i32();
  const aRow = [-1], cRow = [-1];
  for (let r = 1; r < R; r++) { aRow.push(L.i32()); cRow.push(L.i32()); }
  const acc: number[][] = [];
  for (let r = 0; r < R; r++) acc.push(Array.from({ length: V }, () => L.v128()));
  const bv = Array.from({ length: V }, () => L.v128());
  const splat = L.v128();
  const code = new Code();
  for (let r = 1; r < R; r++) {
    code.get(sa).i32(r).mul().set(aRow[r]);
    code.get(ldc).i32(r).mul().set(cRow[r]);
  }
  const addrC = (r: number) => { code.get(pc); if (r > 0) code.get(cRow[r]).add(); };
  // accumulators: C's values (a later depth block) or zero
  code.get(flags).i32(TILE_LOAD).and().if();
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) { addrC(r); code.v128Load(16 * v).set(acc[r][v]); }
  code.else();
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) code.v128Zero().set(acc[r][v]);
  code.end();
  code.get(kc).set(k);
  code.block();
  code.get(k).eqz().brIf(0);
  code.loop();
  for (let v = 0; v < V; v++) code.get(pb).v128Load(16 * v).set(bv[v]);
  for (let r = 0; r < R; r++) {
    code.get(pa);
    if (r > 0) code.get(aRow[r]).add();
    code.load32Splat().set(splat);
    for (let v = 0; v < V; v++) {
      if (fma) code.get(splat).get(bv[v]).get(acc[r][v]).f32x4RelaxedMadd().set(acc[r][v]);
      else code.get(acc[r][v]).get(splat).get(bv[v]).f32x4Mul().f32x4Add().set(acc[r][v]);
    }
  }
  code.inc(pa, { local: sk }).inc(pb, { local: ldp }).inc(k, -1);
  code.get(k).brIf(0);
  code.end();
  code.end();
  // the dense layer's epilogue, in registers
  code.get(flags).i32(GEMM_BIAS).and().if();
  for (let v = 0; v < V; v++) {
    code.get(pbias).v128Load(16 * v).set(bv[v]);
    for (let r = 0; r < R; r++) code.get(acc[r][v]).get(bv[v]).f32x4Add().set(acc[r][v]);
  }
  code.end();
  code.get(flags).i32(GEMM_RELU).and().if();
  // pmax(0, x) = 0 < x ? x : 0, exactly JavaScript's x > 0 ? x : 0 (NaN → 0)
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) code.v128Zero().get(acc[r][v]).f32x4Pmax().set(acc[r][v]);
  code.end();
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) { addrC(r); code.get(acc[r][v]).v128Store(16 * v); }
  return { name: `tile${R}`, params: new Array(10).fill(I32), locals: L.types, body: code };
}

/**
 * packB(src, sbk, sbn, kc, nc, dst): B(k, j) for k < kc, j < nc (at src + k·sbk + j·sbn) into
 * NR-wide panels at dst: panel p holds columns pNR … pNR+NR−1, k-major, zeros past nc.
 */
function packB(tile: GemmTile): FunctionDef {
  const NR = 4 * tile.vecs;
  const [src, sbk, sbn, kc, nc, dst] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const jr = L.i32(), k = L.i32(), j = L.i32(), cols = L.i32(), ps = L.i32(), pd = L.i32(), nr = L.i32(), contiguous = L.i32();
  const code = new Code();
  code.i32(NR).set(nr);
  code.get(dst).set(pd);
  code.get(sbn).i32(4).eq().set(contiguous);
  forUp(code, jr, { c: 0 }, nc, { c: NR }, () => {
    code.get(nc).get(jr).sub().set(cols);
    min(code, cols, nr); code.set(cols);
    forUp(code, k, { c: 0 }, kc, { c: 1 }, () => {
      code.get(src).get(k).get(sbk).mul().add().get(jr).get(sbn).mul().add().set(ps);
      code.get(contiguous).get(cols).i32(NR).eq().and().if();
      // a whole row segment of a row-major B: vector copies
      for (let v = 0; v < tile.vecs; v++) code.get(pd).get(ps).v128Load(16 * v).v128Store(16 * v);
      code.else();
      forUp(code, j, { c: 0 }, nr, { c: 1 }, () => {
        // never read past the last column: the padding is zeros
        code.get(j).get(cols).ltS().if();
        code.get(pd).get(j).i32(4).mul().add().get(ps).get(j).get(sbn).mul().add().f32Load().f32Store();
        code.else();
        code.get(pd).get(j).i32(4).mul().add().f32Zero().f32Store();
        code.end();
      });
      code.end();
      code.inc(pd, 4 * NR);
    });
  });
  return { name: 'packB', params: new Array(6).fill(I32), locals: L.types, body: code };
}

/**
 * copyTile(from, fromStride, to, toStride, rows, cols): a rows × cols block of floats, for
 * the edge tiles that go through the scratch tile.
 */
function copyTile(): FunctionDef {
  const [from, fromStride, to, toStride, rows, cols] = [0, 1, 2, 3, 4, 5];
  const L = new Locals(6);
  const r = L.i32(), j = L.i32();
  const code = new Code();
  forUp(code, r, { c: 0 }, rows, { c: 1 }, () => {
    forUp(code, j, { c: 0 }, cols, { c: 1 }, () => {
      code.get(to).get(r).get(toStride).mul().add().get(j).i32(4).mul().add();
      code.get(from).get(r).get(fromStride).mul().add().get(j).i32(4).mul().add().f32Load();
      code.f32Store();
    });
  });
  return { name: 'copyTile', params: new Array(6).fill(I32), locals: L.types, body: code };
}

function gemmDriver(tile: GemmTile, blocking: GemmBlocking, fn: { packB: number; copyTile: number; tiles: number[] }): FunctionDef {
  const MR = tile.rows, NR = 4 * tile.vecs;
  const { kc: KC, nc: NC, mc: MC } = blocking;
  const [a, sa, sk, b, sbk, sbn, c, ldc, M, N, K, bias, flags, pack, lo, hi] = Array.from({ length: 16 }, (_, i) => i);
  const L = new Locals(16);
  const jc = L.i32(), nc = L.i32(), pcb = L.i32(), kc = L.i32(), ic = L.i32(), mc = L.i32(), jr = L.i32(), ir = L.i32();
  const rows = L.i32(), cols = L.i32(), tf = L.i32(), pa = L.i32(), pcc = L.i32(), panel = L.i32(), pbias = L.i32();
  const scratch = L.i32(), t = L.i32(), lim = L.i32(), direct = L.i32(), ldp = L.i32(), full = L.i32();
  const code = new Code();
  // this call's share: columns (default) or rows [lo, hi)
  code.get(flags).i32(GEMM_SPLIT_ROWS).and().if();
  code.get(a).get(lo).get(sa).mul().add().set(a);
  code.get(c).get(lo).get(ldc).mul().add().set(c);
  code.get(hi).get(lo).sub().set(M);
  code.else();
  code.get(b).get(lo).get(sbn).mul().add().set(b);
  code.get(c).get(lo).i32(4).mul().add().set(c);
  code.get(bias).get(lo).i32(4).mul().add().set(bias);
  code.get(hi).get(lo).sub().set(N);
  code.end();
  code.get(pack).i32(4 * KC * Math.ceil(NC / NR) * NR).add().set(scratch);
  // with a few rows of A, a narrow row-major B is read in place (only a last, partial panel is
  // packed): packing costs a pass over K × N for only M·N·K work — for the single-row product
  // of DeepMF's last layer (1 × 25,000 × 64) 0.80 → 0.30 ms. With 64 rows packing already
  // paid for itself (measured equal or better packed), so it stays
  code.get(sbn).i32(4).eq().get(N).i32(DIRECT_MAX_N).leS().and().get(M).i32(DIRECT_MAX_M).leS().and().set(direct);

  const callTile = (target: () => void, ldcTarget: () => void) => {
    // rows == MR is the common case; shorter tiles only at the bottom edge
    const emitCall = (R: number) => {
      code.get(pa).get(sa).get(sk).get(panel).get(ldp);
      target();
      ldcTarget();
      code.get(kc).get(tf).get(pbias).call(fn.tiles[R - 1]);
    };
    code.get(rows).i32(MR).eq().if();
    emitCall(MR);
    code.else();
    for (let R = MR - 1; R >= 1; R--) {
      code.get(rows).i32(R).eq().if();
      emitCall(R);
      code.end();
    }
    code.end();
  };

  forUp(code, jc, { c: 0 }, N, { c: NC }, () => {
    code.get(N).get(jc).sub().set(nc);
    code.i32(NC).set(t);
    min(code, nc, t); code.set(nc);
    forUp(code, pcb, { c: 0 }, K, { c: KC }, () => {
      code.get(K).get(pcb).sub().set(kc);
      code.i32(KC).set(t);
      min(code, kc, t); code.set(kc);
      code.get(direct).if();
      // only the last panel, when it is partial: at pack
      code.get(nc).i32(NR - 1).and().set(cols);
      code.get(nc).get(cols).sub().set(full);
      code.get(cols).if();
      code.get(b).get(pcb).get(sbk).mul().add().get(jc).get(full).add().get(sbn).mul().add()
        .get(sbk).get(sbn).get(kc).get(cols).get(pack).call(fn.packB);
      code.end();
      code.else();
      code.get(b).get(pcb).get(sbk).mul().add().get(jc).get(sbn).mul().add()
        .get(sbk).get(sbn).get(kc).get(nc).get(pack).call(fn.packB);
      code.end();
      // load C unless this is the first depth block of a plain product; epilogue on the last
      code.get(pcb).i32(0).gtS().get(flags).i32(GEMM_ACCUMULATE).and().or().set(tf);
      code.get(pcb).get(kc).add().get(K).geS().if();
      code.get(tf).get(flags).i32(GEMM_BIAS | GEMM_RELU).and().or().set(tf);
      code.end();
      code.i32(0).set(ic);
      forUp(code, ic, { c: 0 }, M, { c: MC }, () => {
        code.get(M).get(ic).sub().set(mc);
        code.i32(MC).set(t);
        min(code, mc, t); code.set(mc);
        forUp(code, jr, { c: 0 }, nc, { c: NR }, () => {
          code.get(nc).get(jr).sub().set(cols);
          code.i32(NR).set(t);
          min(code, cols, t); code.set(cols);
          code.get(direct).if();
          code.get(cols).i32(NR).eq().if();
          code.get(b).get(pcb).get(sbk).mul().add().get(jc).get(jr).add().i32(4).mul().add().set(panel);
          code.get(sbk).set(ldp);
          code.else();
          code.get(pack).set(panel);
          code.i32(4 * NR).set(ldp);
          code.end();
          code.else();
          code.get(pack).get(jr).get(kc).mul().i32(4).mul().add().set(panel);
          code.i32(4 * NR).set(ldp);
          code.end();
          code.get(bias).get(jc).get(jr).add().i32(4).mul().add().set(pbias);
          code.get(ic).get(mc).add().set(lim);
          forUp(code, ir, ic, lim, { c: MR }, () => {
            code.get(lim).get(ir).sub().set(rows);
            code.i32(MR).set(t);
            min(code, rows, t); code.set(rows);
            code.get(a).get(ir).get(sa).mul().add().get(pcb).get(sk).mul().add().set(pa);
            code.get(c).get(ir).get(ldc).mul().add().get(jc).get(jr).add().i32(4).mul().add().set(pcc);
            code.get(cols).i32(NR).eq().if();
            callTile(() => code.get(pcc), () => code.get(ldc));
            code.else();
            // a tile past the last column: through the scratch tile, copying only valid columns
            code.get(tf).i32(TILE_LOAD).and().if();
            code.get(pcc).get(ldc).get(scratch).i32(4 * NR).get(rows).get(cols).call(fn.copyTile);
            code.end();
            callTile(() => code.get(scratch), () => code.i32(4 * NR));
            code.get(scratch).i32(4 * NR).get(pcc).get(ldc).get(rows).get(cols).call(fn.copyTile);
            code.end();
          });
        });
      });
    });
  });
  return { name: 'gemm', params: new Array(16).fill(I32), locals: L.types, body: code };
}

/**
 * reluGrad(y, dy, dz, M, N, sums, wantSums): dz = y > 0 ? dy : 0 over [M, N] (dz may be dy),
 * and when `wantSums`, sums[j] += dz[i, j] for every row. Branch-free: a lane mask from
 * f32x4.gt ANDed with dy — in JavaScript `y > 0 ? dy : 0` is a branch that half the time goes
 * the unexpected way for relu outputs, which made the pass ~5× slower than a copy.
 */
function reluGrad(): FunctionDef {
  const [y, dy, dz, M, N, sums, wantSums] = [0, 1, 2, 3, 4, 5, 6];
  const L = new Locals(7);
  const i = L.i32(), j = L.i32(), ps = L.i32(), lim = L.i32();
  const g = L.v128(), s = L.f32();
  const code = new Code();
  forUp(code, i, { c: 0 }, M, { c: 1 }, () => {
    code.get(sums).set(ps);
    code.get(N).i32(3).sub().set(lim);
    code.i32(0).set(j);
    code.block().loop();
    code.get(j).get(lim).geS().brIf(1);
    code.get(dy).v128Load().get(y).v128Load().v128Zero().f32x4Gt().v128And().set(g);
    code.get(dz).get(g).v128Store();
    code.get(wantSums).if().get(ps).get(ps).v128Load().get(g).f32x4Add().v128Store().end();
    code.inc(y, 16).inc(dy, 16).inc(dz, 16).inc(ps, 16).inc(j, 4).br(0);
    code.end().end();
    code.block().loop();
    code.get(j).get(N).geS().brIf(1);
    code.get(dy).f32Load().f32Zero().get(y).f32Load().f32Zero().f32Gt().select().set(s);
    code.get(dz).get(s).f32Store();
    code.get(wantSums).if().get(ps).get(ps).f32Load().get(s).f32Add().f32Store().end();
    code.inc(y, 4).inc(dy, 4).inc(dz, 4).inc(ps, 4).inc(j, 1).br(0);
    code.end().end();
  });
  return { name: 'reluGrad', params: new Array(7).fill(I32), locals: L.types, body: code };
}

export function gemmModule(opts: GemmModuleOptions): Uint8Array<ArrayBuffer> {
  const tile = opts.tile ?? DEFAULT_TILE;
  const blocking = opts.blocking ?? DEFAULT_BLOCKING;
  const NR = 4 * tile.vecs;
  if (blocking.nc % NR !== 0 || blocking.mc % tile.rows !== 0) throw new Error(`gemm: blocking ${JSON.stringify(blocking)} must be whole tiles`);
  // function indices: gemm 0, packB 1, copyTile 2, reluGrad 3, tile1 … tileMR 4 …
  const tiles = Array.from({ length: tile.rows }, (_, r) => 4 + r);
  const fns = [
    gemmDriver(tile, blocking, { packB: 1, copyTile: 2, tiles }),
    packB(tile),
    copyTile(),
    reluGrad(),
    ...Array.from({ length: tile.rows }, (_, r) => tileKernel(r + 1, tile, !!opts.fma)),
  ];
  return emitModule(fns, opts);
}
