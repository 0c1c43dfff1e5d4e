/**
 * float32 matrix products on the WebAssembly SIMD kernel (gemm-module.ts).
 *
 * JavaScript has no SIMD, but WebAssembly does (128-bit f32x4), in Node and in every current
 * browser. The operands are copied into the module's linear memory with TypedArray.set (a
 * memcpy: ~1 ms for 25,000×64 floats, against tens of ms saved), the kernel runs, and the
 * result is copied out. Sums are accumulated in float32, so results differ from the float64
 * JS path at the 1e-6 relative level; float64 tensors never come here.
 *
 * Support is detected once with WebAssembly.validate. `wasmMatmul` returns false (the caller
 * then uses the JS kernel) when SIMD is missing, the module is still compiling (a browser's
 * main thread only compiles small modules synchronously), the product is small, or the
 * kernel is switched off: SPARSEGRAD_WASM=0 in the environment, or setWasmMatmul(false).
 */
import { gemmModule } from './gemm-module.js';

const PAGE_BYTES = 65536;
/** 2 GiB: far above any operand here; growing memory beyond it fails and we use JS */
const MAX_PAGES = 32768;
/** Below this many multiply-adds, the copies and the call cost about what SIMD saves. */
const MIN_WORK = 1 << 12;
/**
 * Rows of B per call when K is large: 128 KiB of B, so the block being multiplied stays in
 * the L2 cache while every tile of C streams over it (C accumulates across calls).
 */
const BLOCK_B_BYTES = 1 << 17;
/** each buffer is followed by this much slack: partial-vector loads read up to 12 bytes past */
const SLACK = 16;

interface Kernel {
  memory: WebAssembly.Memory;
  gemm: (a: number, b: number, c: number, i0: number, i1: number, N: number, K: number, sa: number, sk: number, accumulate: number) => void;
  biasActivation: (c: number, M: number, N: number, bias: number, relu: number) => void;
  reluGrad: (y: number, dy: number, M: number, N: number, sums: number, wantSums: number) => void;
}

let kernel: Kernel | null | undefined;
let bytes: Uint8Array<ArrayBuffer> | null = null;
let enabled = !(typeof process !== 'undefined' && process.env?.SPARSEGRAD_WASM === '0');

/** Turns the WebAssembly kernel on or off (tests use it to exercise the JS fallback). */
export function setWasmMatmul(on: boolean): void {
  enabled = on;
}

/** The module's bytes, or null where WebAssembly SIMD is not supported. */
export function gemmBytes(): Uint8Array<ArrayBuffer> | null {
  if (bytes === null && typeof WebAssembly === 'object') {
    const b = gemmModule({ shared: false, maxPages: MAX_PAGES });
    if (WebAssembly.validate(b)) bytes = b;
  }
  return bytes;
}

function instantiate(module: WebAssembly.Module): Kernel {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const { gemm, biasActivation, reluGrad } = instance.exports as unknown as Kernel;
  return { memory, gemm, biasActivation, reluGrad };
}

function getKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  kernel = null;
  const b = gemmBytes();
  if (!b) return kernel;
  try {
    kernel = instantiate(new WebAssembly.Module(b));
  } catch {
    // a browser main thread refuses to compile big modules synchronously: compile in the
    // background and use the JS kernel until it is ready
    WebAssembly.compile(b).then((m) => { kernel = instantiate(m); }, () => {});
  }
  return kernel;
}

/** Whether float32 products currently run on WebAssembly SIMD. */
export function wasmMatmulActive(): boolean {
  return enabled && getKernel() !== null;
}

const align16 = (n: number) => (n + 15) & ~15;

/** The memory as floats, grown to at least `size` bytes. */
function floats(k: Kernel, size: number): Float32Array {
  const have = k.memory.buffer.byteLength;
  if (size > have) k.memory.grow(Math.ceil((size - have) / PAGE_BYTES));
  return new Float32Array(k.memory.buffer);
}

/**
 * out[M,N] = op(a) · op(b) as in matmulInto (a is [M,K] or, transposed, [K,M]; b is [K,N] or
 * [N,K]). Returns false without touching `out` when the JS kernel should do it instead.
 */
export function wasmMatmul(a: Float32Array, b: Float32Array, M: number, K: number, N: number,
  transposeA: boolean, transposeB: boolean, out: Float32Array): boolean {
  return wasmDense(a, b, M, K, N, transposeA, transposeB, null, false, out);
}

/**
 * A dense layer's forward: out = act(op(a) · op(b) + bias), bias [N] (or none), act = relu
 * or identity. The bias and relu are applied in linear memory before the result is copied
 * out, so they cost no extra pass in JavaScript.
 */
export function wasmDense(a: Float32Array, b: Float32Array, M: number, K: number, N: number,
  transposeA: boolean, transposeB: boolean, bias: Float32Array | null, relu: boolean, out: Float32Array): boolean {
  if (!enabled || M * N * K < MIN_WORK || K === 0) return false;
  const k = getKernel();
  if (!k) return false;
  const offA = 0;
  const offB = align16(offA + 4 * M * K + SLACK);
  const offC = align16(offB + 4 * K * N + SLACK);
  const offBias = align16(offC + 4 * M * N + SLACK);
  let mem: Float32Array;
  try {
    mem = floats(k, offBias + 4 * N + SLACK);
  } catch {
    return false; // could not grow the memory
  }
  mem.set(a, offA / 4);
  if (!transposeB) mem.set(b, offB / 4);
  else {
    // the kernel wants rows of B; b is small here (a weight matrix), so transpose it in place
    const base = offB / 4;
    for (let n = 0; n < N; n++) for (let kk = 0; kk < K; kk++) mem[base + kk * N + n] = b[n * K + kk];
  }
  // A(i, k) at byte a + i·sa + k·sk: rows of A as stored, or its columns when transposed
  const sa = transposeA ? 4 : 4 * K;
  const sk = transposeA ? 4 * M : 4;
  const blockK = Math.max(1, Math.floor(BLOCK_B_BYTES / (4 * N)));
  for (let k0 = 0; k0 < K; k0 += blockK) {
    k.gemm(offA + k0 * sk, offB + 4 * k0 * N, offC, 0, M, N, Math.min(blockK, K - k0), sa, sk, k0 > 0 ? 1 : 0);
  }
  if (bias || relu) {
    if (bias) mem.set(bias, offBias / 4); else mem.fill(0, offBias / 4, offBias / 4 + N);
    k.biasActivation(offC, M, N, offBias, relu ? 1 : 0);
  }
  out.set(mem.subarray(offC / 4, offC / 4 + M * N));
  return true;
}

/**
 * The backward of relu over rows of N values: dz = y > 0 ? dy : 0, and the column sums of dz
 * (float32) into `sums` when given. Returns false when the JS loop should do it.
 */
export function wasmReluGrad(y: Float32Array, dy: Float32Array, N: number, dz: Float32Array, sums: Float32Array | null): boolean {
  const n = dy.length;
  if (!enabled || n < MIN_WORK || N === 0) return false;
  const k = getKernel();
  if (!k) return false;
  const offY = 0;
  const offDy = align16(4 * n + SLACK);
  const offSums = align16(offDy + 4 * n + SLACK);
  let mem: Float32Array;
  try {
    mem = floats(k, offSums + 4 * N + SLACK);
  } catch {
    return false;
  }
  mem.set(y, offY / 4);
  mem.set(dy, offDy / 4);
  if (sums) mem.fill(0, offSums / 4, offSums / 4 + N);
  k.reluGrad(offY, offDy, n / N, N, offSums, sums ? 1 : 0);
  dz.set(mem.subarray(offDy / 4, offDy / 4 + n));
  if (sums) sums.set(mem.subarray(offSums / 4, offSums / 4 + N));
  return true;
}
