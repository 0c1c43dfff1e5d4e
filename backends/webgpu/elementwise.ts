/**
 * Elementwise kernels: one invocation per output element.
 *
 * Binary ops broadcast NumPy-style. Each operand is indexed the cheapest way its shape
 * allows: the output's own index, its single element, a repeated row (a bias: i mod size),
 * one value per leading index (a column: i div inner), or — otherwise — strides: the output
 * index's coordinates times the operand's strides (0 along an axis it has as 1), unrolled
 * for the rank (wgsl.ts `stridedOffsets`).
 *
 * Special values follow the CPU backend exactly where WGSL leaves them open: log/sqrt of a
 * negative number is NaN, pow of a negative base with an integer exponent is real, tanh and
 * softplus do not overflow, maximum/minimum propagate NaN. log, log1p and pow use math.ts's
 * accurate logarithm. Results below float32's smallest normal may be flushed to zero (GPUs do).
 */
import type { BinaryOp, FusedUnaryOp, UnaryOp } from '../../core/kernels.js';
import type { DType } from '../../core/dtype.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, computeDType, FLOAT_BITS, grid, input, MAIN_1D, paramsDecl, store, stridedOffsets, WG } from './wgsl.js';
import { sizeOf } from '../../core/shape.js';
import { ACCURATE_MATH } from './math.js';
import { finishOutput, outputBuffer, type GTensor } from './tensor.js';
import { reduce } from './reduce.js';

/** WGSL helpers the unary and binary expressions use. */
const MATH = `${ACCURATE_MATH}
fn log_(v: f32) -> f32 { return ln_(v); }
fn sqrt_(v: f32) -> f32 { return select(sqrt(v), f32_nan(), v < 0.0); }
fn tanh_(v: f32) -> f32 {
  // tanh = e / (e + 2) with e = expm1(2|v|): accurate near 0 (SwiftShader's builtin is
  // not: tanh(1e-30) = 0), and ±1 beyond |v| = 9 where e would overflow
  if (abs(v) > 9.0) { return sign(v); }
  let e = expm1_(2.0 * abs(v));
  return sign(v) * (e / (e + 2.0));
}
fn softplus_(v: f32) -> f32 {
  if (v > 0.0) { return v + log1p_(exp(-v)); }
  return log1p_(exp(v));
}
fn sign_(v: f32) -> f32 { return select(select(0.0, -1.0, v < 0.0), 1.0, v > 0.0); }
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  if (b == 0.5) { return sqrt_(a); }
  if (is_nan(a) || is_nan(b)) { return f32_nan(); }
  if (a == 0.0) { return select(0.0, f32_inf(), b < 0.0); }
  let r = exp(b * ln_(abs(a)));
  if (a > 0.0) { return r; }
  if (b != floor(b)) { return f32_nan(); }
  return select(r, -r, (b * 0.5) != floor(b * 0.5));
}
fn max_(a: f32, b: f32) -> f32 { return select(b, a, a >= b || is_nan(a)); }
fn min_(a: f32, b: f32) -> f32 { return select(b, a, a <= b || is_nan(a)); }`;

const UNARY: Record<UnaryOp | FusedUnaryOp, string> = {
  neg: '-v',
  exp: 'exp(v)',
  log: 'log_(v)',
  log1p: 'log1p_(v)',
  sqrt: 'sqrt_(v)',
  abs: 'abs(v)',
  sign: 'sign_(v)',
  square: 'v * v',
  reciprocal: '1.0 / v',
  relu: 'select(0.0, v, v > 0.0)',
  step: 'select(0.0, 1.0, v > 0.0)',
  sigmoid: '1.0 / (1.0 + exp(-v))',
  tanh: 'tanh_(v)',
  softplus: 'softplus_(v)',
  isfinite: 'select(0.0, 1.0, is_finite(v))',
};

/** Ops whose CPU result for NaN is 0 (comparisons); every other op passes NaN through (GPU builtins need not). */
const NAN_IS_ZERO = new Set<UnaryOp | FusedUnaryOp>(['relu', 'step', 'sign', 'isfinite']);

const BINARY: Record<BinaryOp, string> = {
  add: 'a + b',
  sub: 'a - b',
  mul: 'a * b',
  div: 'a / b',
  pow: 'pow_(a, b)',
  maximum: 'max_(a, b)',
  minimum: 'min_(a, b)',
  equal: 'select(0.0, 1.0, a == b)',
  greater: 'select(0.0, 1.0, a > b)',
  less: 'select(0.0, 1.0, a < b)',
};

const N_FIELD = [['n', 'u32']] as const;

/** A primitive unary op or a fused one (relu, sigmoid, tanh, …: one pass instead of their composition). */
export function unary(gpu: Gpu, op: UnaryOp | FusedUnaryOp, x: GTensor, outDtype: DType): GpuBuffer {
  const n = x.size;
  const out = outputBuffer(gpu, n, outDtype);
  if (n > 0) {
    const od = computeDType(outDtype);
    const k = gpu.kernel(`unary:${op}:${x.dtype}:${od}`, () => ({
      fields: N_FIELD,
      code: `${input(0, 'x', x.dtype)}
${binding(1, 'out', od, true)}
${paramsDecl(N_FIELD, 2)}
${MATH}
${MAIN_1D}
  if (i >= params.n) { return; }
  let v = ld_x(i);
  ${store('out', od, 'i', NAN_IS_ZERO.has(op) ? UNARY[op] : `select(${UNARY[op]}, v, is_nan(v))`)}
}`,
    }));
    gpu.dispatch(k, [x.buf, out], { n }, grid(Math.ceil(n / WG)));
  }
  return finishOutput(gpu, out, n, outDtype);
}

/** Strides of `shape` broadcast to `outShape` (0 along broadcast axes), aligned to the right. */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const R = outShape.length;
  const out = new Array<number>(R).fill(0);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const od = R - shape.length + d;
    out[od] = shape[d] === 1 && outShape[od] !== 1 ? 0 : stride;
    stride *= shape[d];
  }
  return out;
}

const BINARY_FIELDS = [['shape', 'dims'], ['aStrides', 'dims'], ['bStrides', 'dims'], ['n', 'u32'], ['aArg', 'u32'], ['bArg', 'u32']] as const;

/**
 * How an operand of a broadcasting op is indexed from the output index i, cheapest first:
 * its own index, its single element, a repeated row (i mod size), a value per leading
 * index (i div inner), or strides through every axis.
 */
type Operand = { mode: 'full' | 'scalar' } | { mode: 'suffix' | 'prefix'; arg: number } | { mode: 'strided' };

function operandOf(shape: readonly number[], outShape: readonly number[]): Operand {
  const n = sizeOf(outShape);
  const size = sizeOf(shape);
  if (size === n) return { mode: 'full' };
  if (size === 1) return { mode: 'scalar' };
  const R = outShape.length;
  const padded = [...new Array<number>(R - shape.length).fill(1), ...shape];
  // suffix: leading axes 1 (broadcast), the rest equal
  let k = 0;
  while (k < R && padded[k] === 1) k++;
  if (padded.slice(k).every((e, j) => e === outShape[k + j])) return { mode: 'suffix', arg: size };
  // prefix: equal, then trailing axes 1
  let t = R;
  while (t > 0 && padded[t - 1] === 1) t--;
  if (padded.slice(0, t).every((e, j) => e === outShape[j])) return { mode: 'prefix', arg: n / size };
  return { mode: 'strided' };
}

function operandIndex(o: Operand, name: 'a' | 'b'): string {
  switch (o.mode) {
    case 'full': return 'i';
    case 'scalar': return '0u';
    case 'suffix': return `i % params.${name}Arg`;
    case 'prefix': return `i / params.${name}Arg`;
    case 'strided': return `i${name}`;
  }
}

export function binary(gpu: Gpu, op: BinaryOp, a: GTensor, b: GTensor, outShape: readonly number[], outDtype: DType): GpuBuffer {
  const n = sizeOf(outShape);
  const out = outputBuffer(gpu, n, outDtype);
  if (n > 0) {
    const od = computeDType(outDtype);
    const oa = operandOf(a.shape, outShape);
    const ob = operandOf(b.shape, outShape);
    const strided = [oa, ob].some((o) => o.mode === 'strided');
    const rank = outShape.length;
    const targets = [...(oa.mode === 'strided' ? [['ia', 'aStrides', '0u'] as const] : []), ...(ob.mode === 'strided' ? [['ib', 'bStrides', '0u'] as const] : [])];
    const k = gpu.kernel(`binary:${op}:${oa.mode}:${ob.mode}:${strided ? rank : ''}:${a.dtype}:${b.dtype}:${od}`, () => ({
      fields: BINARY_FIELDS,
      code: `${input(0, 'x', a.dtype)}
${input(1, 'y', b.dtype)}
${binding(2, 'out', od, true)}
${paramsDecl(BINARY_FIELDS, 3)}
${MATH}
${MAIN_1D}
  if (i >= params.n) { return; }
${strided ? stridedOffsets('i', 'shape', rank, targets) : ''}
  let a = ld_x(${operandIndex(oa, 'a')});
  let b = ld_y(${operandIndex(ob, 'b')});
  ${store('out', od, 'i', BINARY[op])}
}`,
    }));
    const arg = (o: Operand) => ('arg' in o ? o.arg : 0);
    gpu.dispatch(k, [a.buf, b.buf, out], {
      n, aArg: arg(oa), bArg: arg(ob), shape: strided ? outShape : [],
      aStrides: strided ? broadcastStrides(a.shape, outShape) : [], bStrides: strided ? broadcastStrides(b.shape, outShape) : [],
    }, grid(Math.ceil(n / WG)));
  }
  return finishOutput(gpu, out, n, outDtype);
}

export function where(gpu: Gpu, cond: GTensor, a: GTensor, b: GTensor, outDtype: DType): GpuBuffer {
  const n = cond.size;
  const out = outputBuffer(gpu, n, outDtype);
  if (n > 0) {
    const od = computeDType(outDtype);
    const k = gpu.kernel(`where:${cond.dtype}:${a.dtype}:${b.dtype}:${od}`, () => ({
      fields: N_FIELD,
      code: `${input(0, 'c', cond.dtype)}
${input(1, 'x', a.dtype)}
${input(2, 'y', b.dtype)}
${binding(3, 'out', od, true)}
${paramsDecl(N_FIELD, 4)}
${MAIN_1D}
  if (i >= params.n) { return; }
  ${store('out', od, 'i', 'select(ld_y(i), ld_x(i), ld_c(i) != 0.0)')}
}`,
    }));
    gpu.dispatch(k, [cond.buf, a.buf, b.buf, out], { n }, grid(Math.ceil(n / WG)));
  }
  return finishOutput(gpu, out, n, outDtype);
}

/**
 * x converted to `dtype`: float → int32 truncates toward zero (NaN → 0) like the CPU's
 * Math.trunc; anything → float16 rounds to nearest even.
 */
export function cast(gpu: Gpu, x: GTensor, dtype: DType): GpuBuffer {
  const n = x.size;
  const out = outputBuffer(gpu, n, dtype);
  if (n > 0) {
    const od = computeDType(dtype);
    const value = od === 'int32' ? 'select(trunc(v), 0.0, is_nan(v))' : 'v';
    const k = gpu.kernel(`cast:${x.dtype}:${od}`, () => ({
      fields: N_FIELD,
      code: `${input(0, 'x', x.dtype)}
${binding(1, 'out', od, true)}
${paramsDecl(N_FIELD, 2)}
${FLOAT_BITS}
${MAIN_1D}
  if (i >= params.n) { return; }
  let v = ld_x(i);
  ${store('out', od, 'i', value)}
}`,
    }));
    gpu.dispatch(k, [x.buf, out], { n }, grid(Math.ceil(n / WG)));
  }
  return finishOutput(gpu, out, n, dtype);
}

/**
 * The dense layer's backward from its output: dz = dy where y > 0 (relu) or dy ('linear'),
 * one invocation per element; with `biasGrad` the column sums of dz come from reduce.ts
 * (a workgroup per column when the batch is long). Two dispatches instead of step, mul, sum.
 */
export function denseGrad(gpu: Gpu, y: GTensor, dy: GTensor, relu: boolean, biasGrad: boolean): { dz: GpuBuffer; dBias: GpuBuffer | null } {
  const N = y.shape[y.shape.length - 1] ?? 1;
  const n = dy.size;
  const dz = outputBuffer(gpu, n, 'float32');
  if (n > 0) {
    const k = gpu.kernel(`reluGrad:${y.dtype}:${dy.dtype}:${relu}`, () => ({
      fields: N_FIELD,
      // 'linear' does not read y (and a binding the shader never uses is not in its layout)
      code: `${relu ? input(0, 'y', y.dtype) : ''}
${input(relu ? 1 : 0, 'dy', dy.dtype)}
${binding(relu ? 2 : 1, 'dz', 'float32', true)}
${paramsDecl(N_FIELD, relu ? 3 : 2)}
${MAIN_1D}
  if (i >= params.n) { return; }
  dz[i] = ${relu ? 'select(0.0, ld_dy(i), ld_y(i) > 0.0)' : 'ld_dy(i)'};
}`,
    }));
    gpu.dispatch(k, relu ? [y.buf, dy.buf, dz] : [dy.buf, dz], { n }, grid(Math.ceil(n / WG)));
  }
  const M = N === 0 ? 0 : n / N;
  const dBias = biasGrad ? reduce(gpu, 'sum', { buf: dz, shape: [M, N], dtype: 'float32', size: n }, [0]) : null;
  return { dz: finishOutput(gpu, dz, n, dy.dtype), dBias: dBias && dy.dtype === 'float16' ? finishOutput(gpu, dBias, N, 'float16') : dBias };
}
