/**
 * The fused mean squared error of the rating models (MF, DeepMF regression): one dispatch
 * forward and one backward, where the composition of ops/losses.ts `mseComposed` (sub,
 * square, sum, div and their gradients) takes eight.
 *
 *   loss = (1/n) Σ_i (p_i − y_i)²        ∂loss/∂p = (dy/n)·2(p − y)
 *
 * Forward: on a GPU one workgroup of 256: each thread sums the squares of a strided share,
 * then a tree in workgroup memory (8 barrier steps) adds the 256 partial sums and thread 0
 * writes the mean. On a software adapter (gpu.ts `barrierFree`) a single invocation loops
 * over all n — there a barrier is a context switch, and n is a batch (25,000 at ML-20M).
 * Either way sums go in blocks of 256, which keeps float32's error small over long loops.
 * n = 0 gives NaN, as the composition's 0/0 does.
 * Backward: one invocation per element; the upstream gradient dy is read on the GPU — nothing
 * is read back inside a step.
 *
 * Single-workgroup forward: right for batch-sized inputs (a few MB at most); a loss over
 * hundreds of millions of values would want a multi-workgroup reduction (reduce.ts).
 */
import type { Gpu, GpuBuffer } from './gpu.js';
import { FLOAT_BITS, grid, input, binding, MAIN_1D, mainPerGroup, paramsDecl, WG } from './wgsl.js';
import type { GTensor } from './tensor.js';

const THREADS = 256;
const FIELDS = [['n', 'u32']] as const;

/** mean((pred − labels)²) over all elements (the same count in both) → a 1-element float32 buffer. */
export function mse(gpu: Gpu, pred: GTensor, labels: GTensor): GpuBuffer {
  const n = pred.size;
  const loss = gpu.alloc(4);
  const perThread = gpu.barrierFree;
  // the squared differences of one thread's share [first, n) in steps of `stride`, in blocks of 256
  const share = (first: string, stride: string) => `  var acc = 0.0;
  var block = 0.0;
  var k = 0u;
  for (var i = ${first}; i < params.n; i += ${stride}) {
    let d = ld_p(i) - ld_y(i);
    block += d * d;
    k++;
    if ((k & 255u) == 0u) { acc += block; block = 0.0; }
  }
  acc += block;`;
  const mean = (sum: string) => `loss[0] = select(${sum} / f32(params.n), f32_nan(), params.n == 0u);`;
  const body = perThread ? `@compute @workgroup_size(1)
fn main() {
${share('0u', '1u')}
  ${mean('acc')}
}` : `var<workgroup> part: array<f32, ${THREADS}>;
${mainPerGroup(THREADS)}
${share('lid', `${THREADS}u`)}
  part[lid] = acc;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { part[lid] = part[lid] + part[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u) { ${mean('part[0]')} }
}`;
  const k = gpu.kernel(`mse:${pred.dtype}:${labels.dtype}:${perThread ? 'thread' : 'group'}`, () => ({
    fields: FIELDS,
    code: `${input(0, 'p', pred.dtype)}
${input(1, 'y', labels.dtype)}
${binding(2, 'loss', 'float32', true)}
${paramsDecl(FIELDS, 3)}
${FLOAT_BITS}
${body}`,
  }));
  gpu.dispatch(k, [pred.buf, labels.buf, loss], { n }, [1, 1]);
  return loss;
}

/** (dy/n)·2(pred − labels), dy a 1-element tensor on the GPU → n float32 values. */
export function mseGrad(gpu: Gpu, pred: GTensor, labels: GTensor, dy: GTensor): GpuBuffer {
  const n = pred.size;
  const g = gpu.alloc(Math.max(4, 4 * n));
  if (n === 0) return g;
  const k = gpu.kernel(`mseGrad:${pred.dtype}:${labels.dtype}:${dy.dtype}`, () => ({
    fields: FIELDS,
    code: `${input(0, 'p', pred.dtype)}
${input(1, 'y', labels.dtype)}
${input(2, 'dy', dy.dtype)}
${binding(3, 'g', 'float32', true)}
${paramsDecl(FIELDS, 4)}
${MAIN_1D}
  if (i >= params.n) { return; }
  // as the composition rounds it: (dy / n) · ((p − y) · 2)
  g[i] = (ld_dy(0u) / f32(params.n)) * ((ld_p(i) - ld_y(i)) * 2.0);
}`,
  }));
  gpu.dispatch(k, [pred.buf, labels.buf, dy.buf, g], { n }, grid(Math.ceil(n / WG)));
  return g;
}
