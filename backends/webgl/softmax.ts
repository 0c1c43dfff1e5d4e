/**
 * The softmax family over the last axis, in three kinds of pass:
 *   1. m[r] = max_c x[r, c]                     (a max reduction)
 *   2. s[r] = Σ_c exp(x[r, c] − m[r])           (a sum reduction with an exp-shift pre-map)
 *   3. elementwise: softmax = exp(x − m)/s, logSoftmax = x − (m + log s);
 *      or per row: logSumExp = m + log s
 * Subtracting the row max keeps exp from overflowing. Each pass is a reduction, so a row
 * of 20,000 items (Mult-VAE's softmax over the catalog) is summed as a tree, not by one
 * fragment per output looping over the whole row.
 */
import type { DType } from '../../core/dtype.js';
import { GLSL_ADDRESSING } from './layout.js';
import { GLSL_MATH } from './elementwise.js';
import { reduceBlock } from './reduce.js';
import type { Gpu, GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';

type Kind = 'softmax' | 'logSoftmax' | 'logSumExp';

const FINAL: Record<Kind, string> = {
  softmax: 'exp(fetch(X, i) - m) / s',
  logSoftmax: 'fetch(X, i) - (m + log_(s))',
  logSumExp: 'm == -INF ? -INF : m + log_(s)',
};

function rowStats(gpu: Gpu, x: GpuTensor, rows: number, cols: number): { m: Tex; s: Tex } {
  const m = reduceBlock(gpu, 'max', x.tex, rows, cols, 1, 'float32');
  const s = reduceBlock(gpu, 'sum', x.tex, rows, cols, 1, 'float32', 'expShift', m);
  return { m, s };
}

function softmaxKind(gpu: Gpu, kind: Kind, x: GpuTensor, outDtype: DType): Tex {
  const cols = x.shape[x.shape.length - 1];
  const rows = cols === 0 ? 0 : x.size / cols;
  const size = kind === 'logSumExp' ? x.size / Math.max(cols, 1) : x.size;
  if (rows === 0) {
    const out = gpu.output(size, outDtype);
    gpu.fill(out, 0);
    return out;
  }
  const { m, s } = rowStats(gpu, x, rows, cols);
  const perRow = kind === 'logSumExp';
  const program = gpu.program(`softmax:${kind}`, kind, () => ({
    fs: `${GLSL_ADDRESSING}${GLSL_MATH}
uniform sampler2D X;
uniform sampler2D M;
uniform sampler2D S;
uniform int uCols;
out vec4 outColor;
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }
  int r = ${perRow ? 'i' : 'idiv(i, uCols)'};
  float m = fetch(M, r);
  float s = fetch(S, r);
  outColor = vec4(store(${FINAL[kind]}));
}`,
  }));
  const out = gpu.output(size, outDtype);
  gpu.draw(program, out, { X: x.tex, M: m, S: s, uCols: cols }, { size });
  gpu.release(m);
  gpu.release(s);
  return out;
}

export const softmax = (gpu: Gpu, x: GpuTensor): Tex => softmaxKind(gpu, 'softmax', x, x.dtype);
export const logSoftmax = (gpu: Gpu, x: GpuTensor): Tex => softmaxKind(gpu, 'logSoftmax', x, x.dtype);
export const logSumExp = (gpu: Gpu, x: GpuTensor): Tex => softmaxKind(gpu, 'logSumExp', x, x.dtype);
