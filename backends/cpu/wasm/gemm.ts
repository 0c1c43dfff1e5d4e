/**
 * float32 matrix products on the WebAssembly SIMD kernel (gemm-module.ts), on every core.
 *
 * JavaScript has no SIMD, but WebAssembly does (128-bit f32x4), in Node and in every current
 * browser. The kernel runs on the CPU backend's arena (memory.ts) — the shared WebAssembly
 * memory big tensors already live in — so a product's operands are read where they are and
 * its result is written straight into the output tensor: no copies in or out. Only small
 * operands (under 64 KB, e.g. a layer's weight) and the padded bias are copied into arena
 * scratch. Big products are shared with the worker threads (threads.ts): the columns of C
 * (or its rows, when C is narrow) are cut into chunks that the threads take in turn, each
 * with its own packing buffer.
 *
 * Without an arena (no SharedArrayBuffer: a browser page that is not cross-origin isolated;
 * or SPARSEGRAD_ARENA=0) the module gets a private memory and operands are copied in and the
 * result out, on this thread only.
 *
 * Sums are accumulated in float32, so results differ from the float64 JS kernel at the 1e-6
 * relative level; float64 tensors never come here. Support is detected once with
 * WebAssembly.validate. Every entry point returns false (the caller then uses the JS kernel)
 * when SIMD is missing, the module is still compiling (a browser's main thread only compiles
 * small modules synchronously), the product is small, or the kernel is switched off:
 * SPARSEGRAD_WASM=0 in the environment, or setWasmMatmul(false).
 *
 * SPARSEGRAD_FMA=1 uses relaxed SIMD's fused multiply-add (f32x4.relaxed_madd) where the
 * runtime has it (Node 20: `node --experimental-wasm-relaxed-simd`). Off by default: it is an
 * experimental feature of this Node, and fused rounding makes results differ in the last bit
 * between machines with and without FMA.
 */
import { ARENA_MAX_PAGES, type Arena } from '../memory.js';
import { parallelWasm, registerWasm, threadCount, type WasmKernels } from '../threads.js';
import {
  DEFAULT_BLOCKING, DEFAULT_TILE, GEMM_BIAS, GEMM_RELU, GEMM_SPLIT_ROWS, gemmModule, gemmPackBytes,
} from './gemm-module.js';

const PAGE_BYTES = 65536;
/** 2 GiB for the private memory: far above any operand here; growing beyond it fails and we use JS */
const PRIVATE_MAX_PAGES = 32768;
/** Below this many multiply-adds, the call costs about what SIMD saves. */
const MIN_WORK = 1 << 12;
/** Below this many multiply-adds (~50 µs of work), waking a worker costs more than it saves. */
const THREAD_MIN_WORK = 1 << 20;
const NR = 4 * DEFAULT_TILE.vecs;
const MR = DEFAULT_TILE.rows;
const PACK_BYTES = gemmPackBytes(DEFAULT_TILE, DEFAULT_BLOCKING);

type GemmFn = (a: number, sa: number, sk: number, b: number, sbk: number, sbn: number, c: number, ldc: number,
  M: number, N: number, K: number, bias: number, flags: number, pack: number, lo: number, hi: number) => void;
type ReluGradFn = (y: number, dy: number, dz: number, M: number, N: number, sums: number, wantSums: number) => void;

interface Kernel {
  memory: WebAssembly.Memory;
  /** the arena the module runs on (operands used in place, threads can share it), or null: a private memory */
  arena: Arena | null;
  pool: WasmKernels;
  gemm: GemmFn;
  reluGrad: ReluGradFn;
  fma: boolean;
  /** one packing buffer per thread, kept between calls (the arena never shrinks anyway) */
  packBlock: { arr: Float32Array | null; threads: number };
}

/** the kernel of each backend's arena, and the one on a private memory (no arena) */
const kernels = new WeakMap<Arena, Kernel | null>();
let privateKernel: Kernel | null | undefined;
let forcePrivate = false;
let enabled = !(typeof process !== 'undefined' && process.env?.SPARSEGRAD_WASM === '0');
const wantFma = typeof process !== 'undefined' && process.env?.SPARSEGRAD_FMA === '1';

/** Turns the WebAssembly kernel on or off (tests use it to exercise the JS fallback). */
export function setWasmMatmul(on: boolean): void {
  enabled = on;
}

/** The module's bytes (private-memory variant), or null where WebAssembly SIMD is not supported. */
export function gemmBytes(): Uint8Array<ArrayBuffer> | null {
  if (typeof WebAssembly !== 'object') return null;
  const b = gemmModule({ shared: false, maxPages: PRIVATE_MAX_PAGES });
  return WebAssembly.validate(b) ? b : null;
}

/**
 * Whether the relaxed-SIMD (FMA) variant is asked for (SPARSEGRAD_FMA=1) and validates here
 * (Node 20 needs --experimental-wasm-relaxed-simd; the library never sets V8 flags itself).
 */
function fmaAvailable(opts: { shared: boolean; maxPages: number }): boolean {
  return wantFma && WebAssembly.validate(gemmModule({ ...opts, fma: true }));
}

/** The kernel on the arena (shared, in place, threads) or, with null, on a private memory of its own. */
function createKernel(arena: Arena | null): Kernel | null {
  if (typeof WebAssembly !== 'object') return null;
  const arenaMem = arena?.memory ?? null;
  const memory = arenaMem ?? new WebAssembly.Memory({ initial: 1, maximum: PRIVATE_MAX_PAGES });
  const opts = { shared: arenaMem !== null, maxPages: arenaMem ? ARENA_MAX_PAGES : PRIVATE_MAX_PAGES };
  const fma = fmaAvailable(opts);
  const bytes = gemmModule({ ...opts, fma });
  if (!WebAssembly.validate(bytes)) return null;
  try {
    const module = new WebAssembly.Module(bytes);
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as { gemm: GemmFn; reluGrad: ReluGradFn };
    const pool = registerWasm(module, memory, { gemm: exports.gemm });
    return { memory, arena: arenaMem ? arena : null, pool, gemm: exports.gemm, reluGrad: exports.reluGrad, fma, packBlock: { arr: null, threads: 0 } };
  } catch {
    // a browser main thread refuses to compile big modules synchronously: the JS kernel runs
    return null;
  }
}

/** The kernel for a backend's arena (its memory, when it has one; else a private memory). */
function getKernel(arena: Arena): Kernel | null {
  if (forcePrivate || !arena.memory) {
    if (privateKernel === undefined) privateKernel = createKernel(null);
    return privateKernel;
  }
  let k = kernels.get(arena);
  if (k === undefined) kernels.set(arena, (k = createKernel(arena)));
  return k;
}

/**
 * Tests: run the kernel on a private memory ('private': operands copied in and out, one
 * thread — what runs without SharedArrayBuffer) or on each backend's arena again ('arena').
 */
export function resetGemmKernel(mode: 'arena' | 'private'): void {
  forcePrivate = mode === 'private';
  privateKernel = undefined;
}

/** Whether float32 products currently run on WebAssembly SIMD (on `arena`'s backend). */
export function wasmMatmulActive(arena: Arena): boolean {
  return enabled && getKernel(arena) !== null;
}

/** Whether the kernel uses relaxed-SIMD FMA (SPARSEGRAD_FMA=1 and the runtime supports it). */
export function wasmFmaActive(arena: Arena): boolean {
  return getKernel(arena)?.fma ?? false;
}

/**
 * Where a call's operands are. On the arena: arrays already there are used in place, others
 * are copied into scratch blocks released after the call. On a private memory: everything is
 * copied in after one bump-allocated layout.
 */
class Placement {
  private readonly scratch: Float32Array[] = [];
  private top = 0;
  private readonly layout: { arr: Float32Array | null; length: number; off: number }[] = [];

  constructor(private readonly k: Kernel) {}

  /** Byte address of `arr` (copied unless it is in the arena), or of `length` zeroed floats when arr is null. */
  place(arr: Float32Array | null, length = arr?.length ?? 0): number {
    const arena = this.k.arena;
    if (arena) {
      if (arr) {
        const at = arena.offset(arr);
        if (at >= 0) return at;
      }
      const copy = arena.allocInArena('float32', Math.max(length, 4)) as Float32Array | null;
      if (!copy) throw new RangeError('arena full');
      if (arr) copy.set(arr);
      this.scratch.push(copy);
      return arena.offset(copy);
    }
    const off = this.top;
    this.top = (off + 4 * length + 31) & ~15;
    this.layout.push({ arr, length, off });
    return off;
  }

  /** Private memory: grows it and copies the inputs in. Returns false when it cannot grow. */
  commit(): boolean {
    if (this.k.arena) return true;
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) {
      try {
        this.k.memory.grow(Math.ceil((this.top - have) / PAGE_BYTES));
      } catch {
        return false;
      }
    }
    const mem = new Float32Array(this.k.memory.buffer);
    for (const { arr, length, off } of this.layout) {
      if (arr) mem.set(arr, off / 4); else mem.fill(0, off / 4, off / 4 + length);
    }
    return true;
  }

  /** Copies `length` floats at byte address `at` into `out` unless they are `out` itself. */
  readBack(at: number, out: Float32Array): void {
    if (this.k.arena && this.k.arena.offset(out) === at) return;
    out.set(new Float32Array(this.k.memory.buffer, at, out.length));
  }

  release(): void {
    for (const s of this.scratch) this.k.arena!.release(s);
  }
}

/** The packing buffers (one per thread) at a byte address. */
function packAddress(k: Kernel, p: Placement, threads: number): number {
  if (!k.arena) return p.place(null, threads * PACK_BYTES / 4);
  if (k.packBlock.threads < threads || !k.packBlock.arr) {
    if (k.packBlock.arr) k.arena.release(k.packBlock.arr);
    const arr = k.arena.allocInArena('float32', threads * PACK_BYTES / 4) as Float32Array | null;
    if (!arr) throw new RangeError('arena full');
    k.packBlock = { arr, threads };
  }
  return k.arena.offset(k.packBlock.arr!);
}

/**
 * out[M,N] = op(a) · op(b) as in matmulInto (a is [M,K] or, transposed, [K,M]; b is [K,N] or
 * [N,K]). Returns false without touching `out` when the JS kernel should do it instead.
 */
export function wasmMatmul(arena: Arena, a: Float32Array, b: Float32Array, M: number, K: number, N: number,
  transposeA: boolean, transposeB: boolean, out: Float32Array): boolean {
  return wasmDense(arena, a, b, M, K, N, transposeA, transposeB, null, false, out);
}

/**
 * A dense layer's forward: out = act(op(a) · op(b) + bias), bias [N] (or none), act = relu
 * or identity, the bias and relu applied in registers before the result is stored.
 */
export function wasmDense(arena: Arena, a: Float32Array, b: Float32Array, M: number, K: number, N: number,
  transposeA: boolean, transposeB: boolean, bias: Float32Array | null, relu: boolean, out: Float32Array): boolean {
  if (!enabled || M * N * K < MIN_WORK || K === 0) return false;
  const k = getKernel(arena);
  if (!k) return false;
  const p = new Placement(k);
  try {
    // A(i, k) at a + i·sa + k·sk and B(k, j) at b + k·sbk + j·sbn: transposes are just strides
    let pa = p.place(a), sa = transposeA ? 4 : 4 * K, sk = transposeA ? 4 * M : 4;
    let pb = p.place(b), sbk = transposeB ? 4 : 4 * N, sbn = transposeB ? 4 * K : 4;
    let m = M, n = N, ldc = 4 * N;
    let pbias = 0;
    if (N === 1 && M >= MR) {
      // a single column: compute Cᵀ = op(B)ᵀ·op(A)ᵀ, one row of M — the same memory as C,
      // without padding every tile of the column to NR lanes
      [pa, sa, sk, pb, sbk, sbn] = [pb, 0, sbk, pa, sk, sa];
      m = 1; n = M; ldc = 4 * M;
      if (bias) pbias = p.place(new Float32Array(Math.ceil(M / NR) * NR + NR).fill(bias[0]));
    } else if (bias) {
      const padded = new Float32Array(Math.ceil(N / NR) * NR + NR);
      padded.set(bias);
      pbias = p.place(padded);
    }
    const pc = p.place(out);
    const work = M * N * K;
    const threads = work >= THREAD_MIN_WORK && k.arena ? threadCount() : 1;
    const pack = packAddress(k, p, threads);
    if (!p.commit()) return false;
    const flags = (bias ? GEMM_BIAS : 0) | (relu ? GEMM_RELU : 0);
    // share the columns of C when there are enough of them, else its rows
    const byRows = n < 64 * threads;
    const total = byRows ? m : n;
    const unit = byRows ? MR : NR;
    const grain = Math.max(unit, Math.ceil(total / (3 * threads) / unit) * unit);
    const args = [pa, sa, sk, pb, sbk, sbn, pc, ldc, m, n, K, pbias, flags | (byRows ? GEMM_SPLIT_ROWS : 0), pack];
    if (threads < 2 || !parallelWasm(k.pool, 'gemm', args, { total, grain }, { perThread: { arg: 13, stride: PACK_BYTES } })) {
      k.gemm(pa, sa, sk, pb, sbk, sbn, pc, ldc, m, n, K, pbias, flags, pack, 0, n);
    }
    p.readBack(pc, out);
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false; // the memory could not grow: the JS kernel runs
    throw e;
  } finally {
    p.release();
  }
}

/**
 * The backward of relu over rows of N values: dz = y > 0 ? dy : 0, and the column sums of dz
 * (float32) into `sums` when given. Returns false when the JS loop should do it.
 */
export function wasmReluGrad(arena: Arena, y: Float32Array, dy: Float32Array, N: number, dz: Float32Array, sums: Float32Array | null): boolean {
  const n = dy.length;
  if (!enabled || n < MIN_WORK || N === 0) return false;
  const k = getKernel(arena);
  if (!k) return false;
  const p = new Placement(k);
  try {
    const py = p.place(y), pdy = p.place(dy), pdz = p.place(dz);
    const ps = p.place(null, N + 4);
    if (!p.commit()) return false;
    if (k.arena) new Float32Array(k.memory.buffer, ps, N).fill(0);
    k.reluGrad(py, pdy, pdz, n / N, N, ps, sums ? 1 : 0);
    p.readBack(pdz, dz);
    if (sums) sums.set(new Float32Array(k.memory.buffer, ps, N));
    return true;
  } catch (e) {
    if (e instanceof RangeError) return false;
    throw e;
  } finally {
    p.release();
  }
}
