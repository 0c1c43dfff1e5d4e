/**
 * Reductions (sum, max, min) over any set of axes.
 *
 * The input is seen as [outputs, R]: output o starts at Σ (o's coordinates · kept strides)
 * and its R reduced elements are reached through the reduced axes' strides — or, when the
 * reduced axes are the trailing ones (a row sum, a full sum), simply at o·R + r.
 *
 * Short reductions (R ≤ 64), and every reduction on a software adapter (gpu.ts `barrierFree`),
 * take one invocation per output. Long ones on a GPU take a workgroup of 256 per output: each thread sums a strided share, then the workgroup halves its partial
 * results in shared memory (a tree, log2(256) = 8 barrier steps). Sums are float32, so they
 * differ from the CPU's float64 sums by float32 rounding. max/min propagate NaN.
 */
import type { ReduceOp } from '../../core/kernels.js';
import { sizeOf } from '../../core/shape.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, computeDType, FLOAT_BITS, grid, input, MAIN_1D, mainPerGroup, paramsDecl, store, WG } from './wgsl.js';
import { finishOutput, outputBuffer, type GTensor } from './tensor.js';

const THREADS = 256;
const SHORT = 64;

const FIELDS = [
  ['keptShape', 'dims'], ['keptStrides', 'dims'], ['redShape', 'dims'], ['redStrides', 'dims'],
  ['n', 'u32'], ['R', 'u32'], ['keptRank', 'u32'], ['redRank', 'u32'],
] as const;

const COMBINE: Record<ReduceOp, { init: string; combine: string }> = {
  sum: { init: '0.0', combine: 'a + b' },
  max: { init: '-f32_inf()', combine: 'select(max(a, b), f32_nan(), is_nan(a) || is_nan(b))' },
  min: { init: 'f32_inf()', combine: 'select(min(a, b), f32_nan(), is_nan(a) || is_nan(b))' },
};

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

/** WGSL: `base(o)` and `offset(r)` for the general layout, or o·R and r for the trailing one. */
function addressing(trailing: boolean): string {
  if (trailing) return `fn base(o: u32) -> u32 { return o * params.R; }
fn offset(r: u32) -> u32 { return r; }`;
  return `fn base(o: u32) -> u32 {
  var rest = o;
  var at = 0u;
  for (var d = i32(params.keptRank) - 1; d >= 0; d--) {
    let e = dim(params.keptShape, u32(d));
    at += (rest % e) * dim(params.keptStrides, u32(d));
    rest = rest / e;
  }
  return at;
}
fn offset(r: u32) -> u32 {
  var rest = r;
  var at = 0u;
  for (var d = i32(params.redRank) - 1; d >= 0; d--) {
    let e = dim(params.redShape, u32(d));
    at += (rest % e) * dim(params.redStrides, u32(d));
    rest = rest / e;
  }
  return at;
}`;
}

export function reduce(gpu: Gpu, op: ReduceOp, x: GTensor, axes: readonly number[]): GpuBuffer {
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const n = sizeOf(kept.map((d) => x.shape[d]));
  const R = sizeOf(axes.map((d) => x.shape[d]));
  const out = outputBuffer(gpu, n, x.dtype);
  if (n === 0) return finishOutput(gpu, out, n, x.dtype);
  const od = computeDType(x.dtype);
  const strides = stridesOf(x.shape);
  const trailing = axes.every((a, i) => a === x.shape.length - axes.length + i);
  const short = R <= SHORT || gpu.barrierFree;
  const { init, combine } = COMBINE[op];
  const k = gpu.kernel(`reduce:${op}:${x.dtype}:${trailing ? 'tail' : 'strided'}:${short ? 'thread' : 'group'}`, () => ({
    fields: FIELDS,
    code: `${input(0, 'x', x.dtype)}
${binding(1, 'out', od, true)}
${paramsDecl(FIELDS, 2)}
${FLOAT_BITS}
${addressing(trailing)}
fn combine(a: f32, b: f32) -> f32 { return ${combine}; }
${short ? `${MAIN_1D}
  if (i >= params.n) { return; }
  let b0 = base(i);
${op === 'sum' ? `  // one invocation adds all R values: two levels (blocks of 256) keep float32's error small
  var acc = 0.0;
  var block = 0.0;
  for (var r = 0u; r < params.R; r++) {
    block += ld_x(b0 + offset(r));
    if ((r & 255u) == 255u) { acc += block; block = 0.0; }
  }
  acc += block;` : `  var acc = ${init};
  for (var r = 0u; r < params.R; r++) { acc = combine(acc, ld_x(b0 + offset(r))); }`}
  ${store('out', od, 'i', 'acc')}
}` : `var<workgroup> part: array<f32, ${THREADS}>;
${mainPerGroup(THREADS)}
  if (item >= params.n) { return; }
  let b0 = base(item);
  var acc = ${init};
  for (var r = lid; r < params.R; r += ${THREADS}u) { acc = combine(acc, ld_x(b0 + offset(r))); }
  part[lid] = acc;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { part[lid] = combine(part[lid], part[lid + half]); }
    workgroupBarrier();
  }
  if (lid == 0u) { ${store('out', od, 'item', 'part[0]')} }
}`}`,
  }));
  const params = {
    n, R, keptRank: Math.max(1, kept.length), redRank: Math.max(1, axes.length),
    keptShape: kept.length ? kept.map((d) => x.shape[d]) : [1], keptStrides: kept.length ? kept.map((d) => strides[d]) : [0],
    redShape: axes.length ? axes.map((d) => x.shape[d]) : [1], redStrides: axes.length ? axes.map((d) => strides[d]) : [0],
  };
  gpu.dispatch(k, [x.buf, out], params, grid(short ? Math.ceil(n / WG) : n));
  return finishOutput(gpu, out, n, x.dtype);
}
