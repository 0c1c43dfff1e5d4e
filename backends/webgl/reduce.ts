/**
 * Reductions (sum, max, min) over any axes.
 *
 * The input is viewed as [outer, red, inner] with the reduced axes in the middle (when
 * they are not contiguous, a transpose moves them last first). A fragment reduces a chunk
 * of at most CHUNK values along `red`; while more than one chunk remains, the partial
 * results form a new [outer, ⌈red/CHUNK⌉, inner] texture and another pass runs. So a sum
 * of a million values is three short passes of many parallel fragments rather than one
 * fragment looping a million times — and the sums are added as a tree, which keeps
 * float32 rounding error small.
 */
import type { ReduceOp } from '../../core/kernels.js';
import type { DType } from '../../core/dtype.js';
import { sizeOf } from '../../core/shape.js';
import { GLSL_ADDRESSING } from './layout.js';
import { GLSL_MATH } from './elementwise.js';
import { transpose } from './movement.js';
import type { Binding, Gpu, GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';

const CHUNK = 128;

/**
 * Applied to each input value in the first pass only: 'expShift' computes exp(x − s[row])
 * with s a per-row texture (the softmax denominator; inner must be 1).
 */
export type PreMap = 'none' | 'expShift';

const COMBINE: Record<ReduceOp, string> = {
  sum: 'acc += v;',
  max: 'if (v > acc || isNaN(v)) acc = v;',
  min: 'if (v < acc || isNaN(v)) acc = v;',
};

/** One pass: [outer, red, inner] → [outer, ⌈red/CHUNK⌉, inner]. */
function reducePass(gpu: Gpu, op: ReduceOp, x: Tex, outer: number, red: number, inner: number,
  outDtype: DType, preMap: PreMap, shift: Tex | null): { tex: Tex; red: number } {
  const parts = Math.ceil(red / CHUNK);
  const size = outer * parts * inner;
  const program = gpu.program(`reduce:${op}:${preMap}:${outDtype === 'int32'}`, `reduce:${op}`, () => ({
    fs: `${GLSL_ADDRESSING}${GLSL_MATH}
uniform sampler2D X;
${preMap === 'expShift' ? 'uniform sampler2D S;' : ''}
uniform int uRed;
uniform int uInner;
uniform int uParts;
out vec4 outColor;
float value(int shift, int idx, float rowShift) {
  float x = fetchAt(X, shift, idx);
  return ${preMap === 'expShift' ? 'exp(x - rowShift)' : 'x'};
}
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }
  int t = idiv(i, uInner);
  int j = i - t * uInner;      // position along inner
  int o = idiv(t, uParts);     // position along outer
  int part = t - o * uParts;   // which chunk of the reduced axis
  int r0 = part * ${CHUNK};
  int n = min(${CHUNK}, uRed - r0);
  int shift = widthShift(X);
  int idx = (o * uRed + r0) * uInner + j;
  float rowShift = ${preMap === 'expShift' ? 'fetch(S, o)' : '0.0'};
  float acc = value(shift, idx, rowShift);
  for (int k = 1; k < n; k++) {
    idx += uInner;
    float v = value(shift, idx, rowShift);
    ${COMBINE[op]}
  }
  outColor = vec4(store(${outDtype === 'int32' ? 'trunc(acc)' : 'acc'}));
}`,
  }));
  const out = gpu.output(size, outDtype);
  const bindings: Record<string, Binding> = { X: x, uRed: red, uInner: inner, uParts: parts };
  if (shift) bindings.S = shift;
  gpu.draw(program, out, bindings, { size });
  return { tex: out, red: parts };
}

/**
 * Reduces the middle axis of x viewed as [outer, red, inner], in as many passes as needed.
 * Intermediate results are float32 (float16 inputs keep full precision until the end).
 */
export function reduceBlock(gpu: Gpu, op: ReduceOp, x: Tex, outer: number, red: number, inner: number,
  outDtype: DType, preMap: PreMap = 'none', shift: Tex | null = null): Tex {
  if (red === 0) {
    const out = gpu.output(outer * inner, outDtype);
    gpu.fill(out, op === 'sum' ? 0 : op === 'max' ? -Infinity : Infinity);
    return out;
  }
  let cur = x;
  let curRed = red;
  let first = true;
  for (;;) {
    const last = curRed <= CHUNK;
    const next = reducePass(gpu, op, cur, outer, curRed, inner, last ? outDtype : (outDtype === 'int32' ? 'int32' : 'float32'),
      first ? preMap : 'none', first ? shift : null);
    if (!first) gpu.release(cur);
    // after exp-shifting, the remaining passes only add
    if (first && preMap === 'expShift') op = 'sum';
    first = false;
    cur = next.tex;
    curRed = next.red;
    if (last) return cur;
  }
}

/** Reduces over sorted unique `axes`; output shape = x's shape without them. */
export function reduce(gpu: Gpu, op: ReduceOp, x: GpuTensor, axes: readonly number[]): Tex {
  const rank = x.shape.length;
  let input = x;
  let ax = axes;
  const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
  let temp: Tex | null = null;
  if (!contiguous) {
    const kept = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...kept, ...axes];
    temp = transpose(gpu, x, perm);
    input = { tex: temp, shape: perm.map((p) => x.shape[p]), dtype: x.dtype, size: x.size };
    ax = axes.map((_, i) => kept.length + i);
  }
  const first = ax.length ? ax[0] : rank;
  const last = ax.length ? ax[ax.length - 1] : rank - 1;
  const outer = sizeOf(input.shape.slice(0, first));
  const red = ax.length ? sizeOf(input.shape.slice(first, last + 1)) : 1;
  const inner = sizeOf(input.shape.slice(last + 1));
  const out = reduceBlock(gpu, op, input.tex, outer, red, inner, x.dtype);
  if (temp) gpu.release(temp);
  return out;
}
