/**
 * Data movement: transpose, slice, concat. No arithmetic — each output element copies one
 * input element, found by index arithmetic in the fragment shader.
 *
 * Transpose and slice are the same kernel, a strided copy: output coordinates (c0, c1, …)
 * read input element  offset + Σ c_d · stride_d.  Transpose permutes the input strides,
 * slice starts at the offset of `begin`. Axes that are contiguous in both are merged first,
 * so e.g. slicing whole rows is a rank-1 copy with no per-axis division.
 */
import type { DType } from '../../core/dtype.js';
import { sizeOf, stridesOf } from '../../core/shape.js';
import { GLSL_ADDRESSING } from './layout.js';
import type { Gpu, GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';

/** Drops size-1 axes and merges axis pairs the copy walks contiguously. */
function simplify(shape: readonly number[], strides: readonly number[]): { shape: number[]; strides: number[] } {
  const s: number[] = [];
  const t: number[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const last = s.length - 1;
    if (last >= 0 && t[last] === strides[i] * d) {
      s[last] *= d;
      t[last] = strides[i];
    } else {
      s.push(d);
      t.push(strides[i]);
    }
  });
  if (s.length === 0) return { shape: [1], strides: [0] };
  return { shape: s, strides: t };
}

/** out[c] = x[offset + Σ c_d · strides[d]] over `outShape`. */
export function stridedCopy(gpu: Gpu, x: GpuTensor, outShape: readonly number[], strides: readonly number[], offset: number, dtype: DType = x.dtype): Tex {
  const size = sizeOf(outShape);
  const simple = simplify(outShape, strides);
  const rank = simple.shape.length;
  const program = gpu.program(`strided:${rank}:${dtype === 'int32'}`, 'stridedCopy', () => ({
    fs: `${GLSL_ADDRESSING}
uniform sampler2D X;
uniform int uShape[${rank}];
uniform int uStride[${rank}];
uniform int uOffset;
out vec4 outColor;
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }
  int src = uOffset;
  int rest = i;
  for (int d = ${rank - 1}; d >= 0; d--) {
    int q = idiv(rest, uShape[d]);
    src += (rest - q * uShape[d]) * uStride[d];
    rest = q;
  }
  outColor = vec4(store(fetch(X, src)));
}`,
  }));
  const out = gpu.output(size, dtype);
  gpu.draw(program, out, { X: x.tex, uShape: simple.shape, uStride: simple.strides, uOffset: offset }, { size });
  return out;
}

export function transpose(gpu: Gpu, x: GpuTensor, perm: readonly number[]): Tex {
  const inStrides = stridesOf(x.shape);
  return stridedCopy(gpu, x, perm.map((p) => x.shape[p]), perm.map((p) => inStrides[p]), 0);
}

export function slice(gpu: Gpu, x: GpuTensor, begin: readonly number[], size: readonly number[]): Tex {
  const inStrides = stridesOf(x.shape);
  const offset = begin.reduce((s, b, d) => s + b * inStrides[d], 0);
  return stridedCopy(gpu, x, size, inStrides, offset);
}

/** Inputs per concat draw (texture units are limited; more inputs are concatenated in rounds). */
const CONCAT_GROUP = 8;

/**
 * Concat along `axis`: the output is viewed as [outer, T] and input k fills columns
 * [off_k, off_k + n_k) of every row, where n_k is its size from `axis` on.
 */
export function concat(gpu: Gpu, xs: readonly GpuTensor[], axis: number): Tex {
  if (xs.length > CONCAT_GROUP) {
    const head = xs.slice(0, CONCAT_GROUP);
    const shape = head[0].shape.slice();
    shape[axis] = head.reduce((s, x) => s + x.shape[axis], 0);
    const first: GpuTensor = { tex: concat(gpu, head, axis), shape, dtype: xs[0].dtype, size: sizeOf(shape) };
    const out = concat(gpu, [first, ...xs.slice(CONCAT_GROUP)], axis);
    gpu.release(first.tex);
    return out;
  }
  const k = xs.length;
  const inner = xs.map((x) => sizeOf(x.shape.slice(axis)));
  const total = inner.reduce((s, n) => s + n, 0);
  const outer = sizeOf(xs[0].shape.slice(0, axis));
  const size = outer * total;
  const offsets: number[] = [];
  inner.reduce((s, n) => (offsets.push(s), s + n), 0);
  const program = gpu.program(`concat:${k}`, 'concat', () => {
    const samplers = xs.map((_, j) => `uniform sampler2D X${j};`).join('\n');
    let chain = '';
    for (let j = k - 1; j >= 0; j--) {
      const read = `fetch(X${j}, o * uN[${j}] + c - uOff[${j}])`;
      chain = j === k - 1 ? `v = ${read};` : `if (c < uOff[${j + 1}]) v = ${read}; else { ${chain} }`;
    }
    return {
      fs: `${GLSL_ADDRESSING}
${samplers}
uniform int uTotal;
uniform int uOff[${k}];
uniform int uN[${k}];
out vec4 outColor;
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }
  int o = idiv(i, uTotal);
  int c = i - o * uTotal;
  float v;
  ${chain}
  outColor = vec4(store(v));
}`,
    };
  });
  const bindings: Record<string, Tex | number | number[]> = { uTotal: total, uOff: offsets, uN: inner };
  xs.forEach((x, j) => { bindings[`X${j}`] = x.tex; });
  const out = gpu.output(size, xs[0].dtype);
  gpu.draw(program, out, bindings, { size });
  return out;
}
