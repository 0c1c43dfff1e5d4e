/**
 * Elementwise kernels: unary (primitive and fused), binary with NumPy broadcasting, where, cast.
 *
 * One fragment computes one output element i. Each input is read at an index computed
 * from i by the cheapest rule that fits its shape (a compile-time "mode"):
 *   same    — the input has the output's shape: index i
 *   scalar  — one element: index 0
 *   suffix  — the input's shape is the output's trailing dims (a bias row): i mod n
 *   general — anything else: split i into per-axis coordinates of the output shape and
 *             dot them with the input's strides, 0 along broadcast axes
 * so the common cases do no integer division at all.
 */
import type { BinaryOp, FusedUnaryOp, UnaryOp } from '../../core/kernels.js';
import type { DType } from '../../core/dtype.js';
import { sizeOf, stridesOf } from '../../core/shape.js';
import { GLSL_ADDRESSING } from './layout.js';
import type { Binding, Gpu, GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';

/**
 * Math the GLSL library lacks or gets wrong at the edges. NaN/inf tests look at the bits,
 * since compilers may fold isnan() away. log1p/expm1 use short series near 0 rather than
 * the classic rounding tricks (Kahan's expm1), because shader compilers simplify
 * log(exp(x)) to x and undo them (Mesa's NIR does).
 */
export const GLSL_MATH = `
const float INF = uintBitsToFloat(0x7f800000u);
const float NAN = uintBitsToFloat(0x7fc00000u);
bool isNaN(float x) { return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u; }
bool isFinite(float x) { return (floatBitsToUint(x) & 0x7f800000u) != 0x7f800000u; }
// log1p(x) = 2·atanh(x / (2 + x)): a short odd series for small |x|, where log(1 + x) would
// lose the digits of x to rounding
float log1p_(float x) {
  if (abs(x) >= 0.5) return log(1.0 + x);
  float s = x / (2.0 + x);
  float s2 = s * s;
  return 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0 + s2 * (1.0 / 11.0 + s2 * (1.0 / 13.0 + s2 / 15.0)))))));
}
// GLSL's log is only accurate to an absolute 2^-21 on [0.5, 2] (so are llvmpipe's): near 1,
// where log x is tiny, go through the series instead (x − 1 is exact there)
float log_(float x) {
  return (x > 0.5 && x < 1.5) ? log1p_(x - 1.0) : log(x);
}
// expm1(x) = e^x − 1: Taylor series for small |x|, where exp(x) − 1 cancels
float expm1_(float x) {
  if (abs(x) >= 0.5) return exp(x) - 1.0;
  return x * (1.0 + x / 2.0 * (1.0 + x / 3.0 * (1.0 + x / 4.0 * (1.0 + x / 5.0 * (1.0 + x / 6.0 * (1.0 + x / 7.0 * (1.0 + x / 8.0 * (1.0 + x / 9.0))))))));
}
float pow_(float a, float b) {
  if (b == 0.0) return 1.0;
  if (b == 1.0) return a;
  if (b == 2.0) return a * a;
  if (isNaN(a) || isNaN(b)) return NAN;
  if (a == 0.0) return b > 0.0 ? 0.0 : INF;
  float r = exp2(b * log2(abs(a)));
  if (a < 0.0) {
    if (fract(b) != 0.0) return NAN;           // negative base, fractional power
    if (mod(b, 2.0) == 1.0) r = -r;           // odd integer power keeps the sign
  }
  return r;
}
`;

const UNARY: Record<UnaryOp | FusedUnaryOp, string> = {
  neg: '-x',
  exp: 'exp(x)',
  log: 'log_(x)',
  log1p: 'log1p_(x)',
  sqrt: 'sqrt(x)',
  abs: 'abs(x)',
  sign: 'x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0)',
  square: 'x * x',
  reciprocal: '1.0 / x',
  relu: 'x > 0.0 ? x : 0.0',
  step: 'x > 0.0 ? 1.0 : 0.0',
  sigmoid: '1.0 / (1.0 + exp(-x))',
  // tanh = −expm1(−2|x|) / (expm1(−2|x|) + 2), signed: no overflow, full precision near 0
  tanh: '(x < 0.0 ? 1.0 : -1.0) * expm1_(-2.0 * abs(x)) / (expm1_(-2.0 * abs(x)) + 2.0)',
  softplus: 'x > 0.0 ? x + log1p_(exp(-x)) : log1p_(exp(x))',
  isfinite: 'isFinite(x) ? 1.0 : 0.0',
};

const BINARY: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'pow_(a, b)',
  // NaN-propagating, like the CPU backend
  maximum: '(a >= b || isNaN(a)) ? a : b',
  minimum: '(a <= b || isNaN(a)) ? a : b',
  equal: 'a == b ? 1.0 : 0.0',
  greater: 'a > b ? 1.0 : 0.0',
  less: 'a < b ? 1.0 : 0.0',
};

type Mode = 'same' | 'scalar' | 'suffix' | 'general';

interface Operand {
  /** GLSL variable the expression uses (x, a, b, c) */
  name: string;
  input: GpuTensor;
}

function modeOf(shape: readonly number[], outShape: readonly number[]): Mode {
  const size = sizeOf(shape);
  const outSize = sizeOf(outShape);
  if (size === outSize) {
    // same element count and broadcast-compatible ⇒ identical up to leading 1s
    return 'same';
  }
  if (size === 1) return 'scalar';
  const trimmed = shape.slice(shape.findIndex((d) => d !== 1));
  const tail = outShape.slice(outShape.length - trimmed.length);
  if (trimmed.every((d, i) => d === tail[i])) return 'suffix';
  return 'general';
}

/** Strides of `shape` seen from `outShape` (right-aligned), 0 along broadcast axes. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  const off = outShape.length - shape.length;
  return outShape.map((_, d) => (d < off || shape[d - off] === 1 ? 0 : strides[d - off]));
}

/**
 * Runs `expr` (GLSL over the operands' names) for every element of an `outShape` output.
 * `outInt` truncates results stored into int32 tensors, like an Int32Array store.
 */
export function mapElements(gpu: Gpu, kernel: string, expr: string, operands: Operand[],
  outShape: readonly number[], outDtype: DType, uniforms: Record<string, Binding> = {}): Tex {
  const size = sizeOf(outShape);
  const modes = operands.map((o) => modeOf(o.input.shape, outShape));
  const general = modes.includes('general');
  const rank = general ? outShape.length : 0;
  const outInt = outDtype === 'int32';
  const floatUniforms = Object.keys(uniforms);
  const key = `ew:${kernel}:${expr}:${modes.join(',')}:${rank}:${outInt}:${floatUniforms.join(',')}`;
  const program = gpu.program(key, kernel, () => {
    const names = operands.map((o) => o.name.toUpperCase());
    const decl = names.map((n, k) => `uniform sampler2D ${n};\n${modes[k] === 'suffix' ? `uniform int u${n}n;\n` : ''}${modes[k] === 'general' ? `uniform int u${n}str[${rank}];\n` : ''}`).join('');
    const index = operands.map((o, k) => {
      const n = names[k];
      switch (modes[k]) {
        case 'same': return `  float ${o.name} = fetch(${n}, i);`;
        case 'scalar': return `  float ${o.name} = texelFetch(${n}, ivec2(0, 0), 0).r;`;
        case 'suffix': return `  float ${o.name} = fetch(${n}, imod(i, u${n}n));`;
        case 'general': return `  float ${o.name} = fetch(${n}, idx${n});`;
      }
    }).join('\n');
    const generalNames = names.filter((_, k) => modes[k] === 'general');
    const decompose = general ? `
  ${generalNames.map((n) => `int idx${n} = 0;`).join(' ')}
  int rest = i;
  for (int d = ${rank - 1}; d >= 0; d--) {
    int q = idiv(rest, uShape[d]);
    int c = rest - q * uShape[d];
    rest = q;
    ${generalNames.map((n) => `idx${n} += c * u${n}str[d];`).join(' ')}
  }` : '';
    return {
      fs: `${GLSL_ADDRESSING}${GLSL_MATH}
${general ? `uniform int uShape[${rank}];\n` : ''}${decl}${floatUniforms.map((u) => `uniform float ${u};\n`).join('')}
out vec4 outColor;
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }${decompose}
${index}
  float r = ${expr};
  outColor = vec4(store(${outInt ? 'trunc(r)' : 'r'}));
}`,
    };
  });
  const bindings: Record<string, Binding> = { ...uniforms };
  if (general) bindings.uShape = outShape;
  operands.forEach((o, k) => {
    const n = o.name.toUpperCase();
    bindings[n] = o.input.tex;
    if (modes[k] === 'suffix') bindings[`u${n}n`] = o.input.size;
    if (modes[k] === 'general') bindings[`u${n}str`] = broadcastStrides(o.input.shape, outShape);
  });
  const out = gpu.output(size, outDtype);
  gpu.draw(program, out, bindings, { size });
  return out;
}

export function unary(gpu: Gpu, op: UnaryOp | FusedUnaryOp, x: GpuTensor, outDtype: DType): Tex {
  const expr = UNARY[op];
  if (!expr) throw new Error(`webgl unary: unknown op '${op as string}'`);
  return mapElements(gpu, `unary:${op}`, expr, [{ name: 'x', input: x }], x.shape, outDtype);
}

export function binary(gpu: Gpu, op: BinaryOp, a: GpuTensor, b: GpuTensor, outShape: readonly number[], outDtype: DType): Tex {
  const expr = BINARY[op];
  if (!expr) throw new Error(`webgl binary: unknown op '${op as string}'`);
  return mapElements(gpu, `binary:${op}`, expr, [{ name: 'a', input: a }, { name: 'b', input: b }], outShape, outDtype);
}

export function where(gpu: Gpu, cond: GpuTensor, a: GpuTensor, b: GpuTensor, outDtype: DType): Tex {
  return mapElements(gpu, 'where', 'c != 0.0 ? a : b', [{ name: 'c', input: cond }, { name: 'a', input: a }, { name: 'b', input: b }], cond.shape, outDtype);
}

/** A copy in `dtype`: float → int32 truncates; float32 → float16 rounds on the texture write. */
export function cast(gpu: Gpu, x: GpuTensor, dtype: DType): Tex {
  return mapElements(gpu, 'cast', 'x', [{ name: 'x', input: x }], x.shape, dtype);
}

