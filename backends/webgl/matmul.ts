/**
 * Dense matmul: C[M,N] = op(A)[M,K] · op(B)[K,N], op = optional transpose.
 *
 * The naive shader — one fragment per output, a loop over K fetching one float of A and one
 * of B per multiply-add — is bound by texture fetches (about 0.5 GFLOP/s on llvmpipe).
 * Here every fetch brings 4 values and every fragment computes a 2×2 block of C:
 *
 *   1. pack: op(A) → Ap, a RGBA32F texture whose texel (r, k4) holds A[r, 4k4 … 4k4+3];
 *      op(B)ᵀ → Bp the same way (texel (c, k4) holds B[4k4 … 4k4+3, c]). Rows are zero-
 *      padded to even counts and K to a multiple of 4, so the kernel needs no edge tests.
 *   2. multiply: the fragment for block (i, j) (rows 2i, 2i+1, columns 2j, 2j+1) loops over
 *      k4, fetching 2 texels of Ap and 2 of Bp — 16 multiply-adds per 4 fetches instead of
 *      1 per 2 — and writes the 4 sums as one RGBA texel of Cp.
 *   3. unpack: Cp → C in the usual one-element-per-texel layout (and the output dtype).
 *
 * The packing passes are O(MK + KN) and the unpack O(MN), small next to the O(MNK) product.
 * Transposes cost nothing extra: packing reads op(A) through strides.
 *
 * Layout: a packed matrix is one matrix row per texture row, and Cp is a 2-D grid of blocks
 * (block (i, j) at texel (j, i)), so the fragments the rasterizer shades together — a few
 * neighbouring pixels — share rows of Ap and Bp in cache; this alone doubled the speed on
 * llvmpipe compared with flat layouts. Operands too big for that wrap: `rpt` matrix rows
 * per texture row, blocks in row-major order. When K/4 exceeds the texture width, K is
 * split into chunks and each chunk's product is added onto the previous partial sums.
 */
import type { DType } from '../../core/dtype.js';
import { GLSL_ADDRESSING, maxHeight, maxWidth } from './layout.js';
import type { Gpu, GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';

interface Packed {
  tex: Tex;
  /** rows per texture row */
  rpt: number;
}

/**
 * Packs rows [0, rows) of the matrix X[r, k] = src[r·sr + k·sk] (k in [0, K)), texels
 * [k4Off, k4Off + kc4) of each row, zero beyond `rows`/`K`, into RGBA32F.
 */
function pack(gpu: Gpu, src: GpuTensor, rows: number, paddedRows: number, K: number, sr: number, sk: number, k4Off: number, kc4: number): Packed {
  // one matrix row per texture row when they fit, else as many rows as fit per texture row
  const rpt = paddedRows <= maxHeight() ? 1 : Math.max(1, Math.floor(maxWidth() / kc4));
  const width = Math.min(paddedRows, rpt) * kc4;
  const height = Math.ceil(paddedRows / rpt);
  const program = gpu.program('matmul:pack', 'matmul', () => ({
    fs: `${GLSL_ADDRESSING}
uniform sampler2D X;
uniform int uRows;
uniform int uK;
uniform int uSr;
uniform int uSk;
uniform int uKC4;
uniform int uRpt;
uniform int uK4Off;
out vec4 outColor;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  int q = idiv(p.x, uKC4);
  int r = p.y * uRpt + q;
  int k = (p.x - q * uKC4 + uK4Off) * 4;
  vec4 v = vec4(0.0);
  if (r < uRows) {
    int shift = widthShift(X);
    int base = r * uSr + k * uSk;
    for (int e = 0; e < 4; e++) {
      if (k + e < uK) v[e] = fetchAt(X, shift, base + e * uSk);
    }
  }
  outColor = v;
}`,
  }));
  const tex = gpu.pool.acquire(width, height, 'RGBA32F');
  gpu.draw(program, tex, { X: src.tex, uRows: rows, uK: K, uSr: sr, uSk: sk, uKC4: kc4, uRpt: rpt, uK4Off: k4Off });
  return { tex, rpt };
}

export function matmul(gpu: Gpu, a: GpuTensor, b: GpuTensor, transposeA: boolean, transposeB: boolean, outDtype: DType): Tex {
  const M = transposeA ? a.shape[1] : a.shape[0];
  const K = transposeA ? a.shape[0] : a.shape[1];
  const N = transposeB ? b.shape[0] : b.shape[1];
  const out = gpu.output(M * N, outDtype);
  if (M * N === 0) return out;
  if (K === 0) {
    gpu.fill(out, 0);
    return out;
  }
  const M2 = Math.ceil(M / 2);
  const N2 = Math.ceil(N / 2);
  const K4 = Math.ceil(K / 4);
  const kc4 = Math.min(K4, maxWidth());
  const chunks = Math.ceil(K4 / kc4);
  // op(A)[r, k]: A is [M,K] (strides K, 1) or, transposed, [K,M] (strides 1, M)
  const [sra, ska] = transposeA ? [1, M] : [K, 1];
  // op(B)ᵀ[c, k] = op(B)[k, c]: B is [K,N] (strides 1, N) or, transposed, [N,K] (strides K, 1)
  const [srb, skb] = transposeB ? [K, 1] : [1, N];

  // the grid of 2×2 blocks: N2 wide when it fits, else wrapped at the texture width
  const blocks = M2 * N2;
  const width = Math.min(N2, maxWidth());
  const height = Math.ceil(blocks / width);
  if (height > maxHeight()) throw new Error(`webgl matmul: a ${M}×${N} result is too large for one texture`);
  let partial: Tex | null = null;
  for (let c = 0; c < chunks; c++) {
    const off = c * kc4;
    const len = Math.min(kc4, K4 - off);
    const ap = pack(gpu, a, M, 2 * M2, K, sra, ska, off, kc4);
    const bp = pack(gpu, b, N, 2 * N2, K, srb, skb, off, kc4);
    const hasPrev = partial !== null;
    const program = gpu.program(`matmul:2x2:${hasPrev}`, 'matmul', () => ({
      fs: `${GLSL_ADDRESSING}
uniform sampler2D A;
uniform sampler2D B;
${hasPrev ? 'uniform sampler2D P;' : ''}
uniform int uN2;
uniform int uBW;
uniform int uKC4;
uniform int uRptA;
uniform int uRptB;
uniform int uLen;
out vec4 outColor;
// texel of packed row r, k4 = 0
ivec2 rowStart(int r, int rpt) { int y = idiv(r, rpt); return ivec2((r - y * rpt) * uKC4, y); }
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  int t = p.y * uBW + p.x;     // which 2×2 block
  if (t >= uOutSize) { outColor = vec4(0.0); return; }
  int bi = idiv(t, uN2);
  int i = bi * 2;
  int j = (t - bi * uN2) * 2;
  ivec2 a0 = rowStart(i, uRptA), a1 = rowStart(i + 1, uRptA);
  ivec2 b0 = rowStart(j, uRptB), b1 = rowStart(j + 1, uRptB);
  vec4 acc = ${hasPrev ? 'texelFetch(P, ivec2(gl_FragCoord.xy), 0)' : 'vec4(0.0)'};
  for (int k = 0; k < uLen; k++) {
    ivec2 dk = ivec2(k, 0);
    vec4 x0 = texelFetch(A, a0 + dk, 0);
    vec4 x1 = texelFetch(A, a1 + dk, 0);
    vec4 y0 = texelFetch(B, b0 + dk, 0);
    vec4 y1 = texelFetch(B, b1 + dk, 0);
    acc += vec4(dot(x0, y0), dot(x0, y1), dot(x1, y0), dot(x1, y1));
  }
  outColor = acc;
}`,
    }));
    const cp = gpu.pool.acquire(width, height, 'RGBA32F');
    const bindings: Record<string, Tex | number> = { A: ap.tex, B: bp.tex, uN2: N2, uBW: width, uKC4: kc4, uRptA: ap.rpt, uRptB: bp.rpt, uLen: len };
    if (partial) bindings.P = partial;
    gpu.draw(program, cp, bindings, { size: blocks });
    gpu.release(ap.tex);
    gpu.release(bp.tex);
    if (partial) gpu.release(partial);
    partial = cp;
  }

  const unpack = gpu.program(`matmul:unpack:${outDtype === 'int32'}`, 'matmul', () => ({
    fs: `${GLSL_ADDRESSING}
uniform sampler2D C;
uniform int uN;
uniform int uN2;
uniform int uBW;
out vec4 outColor;
void main() {
  int idx = outIndex();
  if (idx >= uOutSize) { outColor = vec4(0.0); return; }
  int i = idiv(idx, uN);
  int j = idx - i * uN;
  int t = (i >> 1) * uN2 + (j >> 1);
  int y = idiv(t, uBW);
  vec4 block = texelFetch(C, ivec2(t - y * uBW, y), 0);
  outColor = vec4(store(block[(i & 1) * 2 + (j & 1)]));
}`,
  }));
  gpu.draw(unpack, out, { C: partial!, uN: N, uN2: N2, uBW: width }, { size: M * N });
  gpu.release(partial!);
  return out;
}
