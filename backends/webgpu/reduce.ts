/**
 * Reductions (sum, max, min) over any set of axes.
 *
 * The input is seen as [outputs, R]: output o starts at Σ (o's coordinates · kept strides)
 * and its R reduced elements are reached through the reduced axes' strides — or, when the
 * reduced axes are the trailing ones (a row sum, a full sum), simply at o·R + r.
 *
 * Short reductions (R ≤ 64), and every reduction on a software adapter (gpu.ts `barrierFree`),
 * take one invocation per output (a long one, such as a full sum, in parts of 2,048 that a
 * second pass adds). Long ones on a GPU take a workgroup of 256 per output: each thread sums a strided share, then the workgroup halves its partial
 * results in shared memory (a tree, log2(256) = 8 barrier steps). Sums are float32, so they
 * differ from the CPU's float64 sums by float32 rounding. max/min propagate NaN.
 */
import type { ReduceOp } from '../../core/kernels.js';
import { sizeOf } from '../../core/shape.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, computeDType, FLOAT_BITS, grid, input, MAIN_1D, mainPerGroup, paramsDecl, store, stridedOffsets, WG } from './wgsl.js';
import { finishOutput, outputBuffer, type GTensor } from './tensor.js';

const THREADS = 256;
const SHORT = 64;

const FIELDS = [
  ['keptShape', 'dims'], ['keptStrides', 'dims'], ['redShape', 'dims'], ['redStrides', 'dims'],
  ['n', 'u32'], ['R', 'u32'], ['parts', 'u32'], ['chunk', 'u32'],
] as const;

/** Barrier-free reductions longer than this are split into parts summed by a second pass. */
const CHUNK = 2048;

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

/** WGSL: `base(o)` and `offset(r)` for the general layout (unrolled for the ranks), or o·R and r for the trailing one. */
function addressing(trailing: boolean, keptRank: number, redRank: number): string {
  if (trailing) return `fn base(o: u32) -> u32 { return o * params.R; }
fn offset(r: u32) -> u32 { return r; }`;
  return `fn base(o: u32) -> u32 {
${stridedOffsets('o', 'keptShape', keptRank, [['at', 'keptStrides', '0u']])}
  return at;
}
fn offset(r: u32) -> u32 {
${stridedOffsets('r', 'redShape', redRank, [['at', 'redStrides', '0u']])}
  return at;
}`;
}

export function reduce(gpu: Gpu, op: ReduceOp, x: GTensor, axes: readonly number[]): GpuBuffer {
  const kept = x.shape.map((_, d) => d).filter((d) => !axes.includes(d));
  const n = sizeOf(kept.map((d) => x.shape[d]));
  const R = sizeOf(axes.map((d) => x.shape[d]));
  if (n === 0) return finishOutput(gpu, outputBuffer(gpu, n, x.dtype), n, x.dtype);
  const short = R <= SHORT || gpu.barrierFree;
  // one invocation per output would leave a long reduction to a single invocation (a full
  // sum): split it into parts, one invocation each, and reduce the parts in a second pass
  const parts = short && R > 2 * CHUNK && n < 1024 && x.dtype !== 'int32' ? Math.ceil(R / CHUNK) : 1;
  const partial = parts > 1 ? gpu.alloc(4 * n * parts) : null;
  const out = partial ?? outputBuffer(gpu, n, x.dtype);
  const od = partial ? 'float32' : computeDType(x.dtype);
  const strides = stridesOf(x.shape);
  const trailing = axes.every((a, i) => a === x.shape.length - axes.length + i);
  const { init, combine } = COMBINE[op];
  const keptRank = Math.max(1, kept.length);
  const redRank = Math.max(1, axes.length);
  const layoutKey = trailing ? 'tail' : `strided${keptRank}.${redRank}`;
  const k = gpu.kernel(`reduce:${op}:${x.dtype}:${od}:${layoutKey}:${short ? 'thread' : 'group'}`, () => ({
    fields: FIELDS,
    code: `${input(0, 'x', x.dtype)}
${binding(1, 'out', od, true)}
${paramsDecl(FIELDS, 2)}
${FLOAT_BITS}
${addressing(trailing, keptRank, redRank)}
fn combine(a: f32, b: f32) -> f32 { return ${combine}; }
${short ? `${MAIN_1D}
  // invocation i: part c of output o, the reduced elements [c·chunk, (c + 1)·chunk)
  if (i >= params.n * params.parts) { return; }
  let o = i / params.parts;
  let b0 = base(o);
  let r0 = (i - o * params.parts) * params.chunk;
  let r1 = min(params.R, r0 + params.chunk);
${op === 'sum' ? `  // two levels (blocks of 256) keep float32's error small over a long loop
  var acc = 0.0;
  var block = 0.0;
  for (var r = r0; r < r1; r++) {
    block += ld_x(b0 + offset(r));
    if ((r & 255u) == 255u) { acc += block; block = 0.0; }
  }
  acc += block;` : `  var acc = ${init};
  for (var r = r0; r < r1; r++) { acc = combine(acc, ld_x(b0 + offset(r))); }`}
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
    n, R, parts, chunk: parts > 1 ? CHUNK : Math.max(R, 1),
    keptShape: kept.length ? kept.map((d) => x.shape[d]) : [1], keptStrides: kept.length ? kept.map((d) => strides[d]) : [0],
    redShape: axes.length ? axes.map((d) => x.shape[d]) : [1], redStrides: axes.length ? axes.map((d) => strides[d]) : [0],
  };
  gpu.dispatch(k, [x.buf, out], params, grid(short ? Math.ceil((n * parts) / WG) : n));
  if (partial) {
    const result = reduce(gpu, op, { buf: partial, shape: [n, parts], dtype: 'float32', size: n * parts }, [1]);
    gpu.release(partial);
    return x.dtype === 'float16' ? finishOutput(gpu, result, n, 'float16') : result;
  }
  return finishOutput(gpu, out, n, x.dtype);
}
