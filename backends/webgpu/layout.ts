/**
 * transpose, slice and concat are one kernel: a strided copy. It walks an iteration shape;
 * for each coordinate it reads the source at srcBase + Σ c·srcStrides and writes the
 * destination at dstBase + Σ c·dstStrides.
 *   transpose: iterate the output shape, source strides permuted;
 *   slice:     iterate the slice, source base at `begin`;
 *   concat:    one copy per input, destination base at its offset along the axis.
 * float32 and int32 elements are copied bit for bit (ids stay exact); float16 goes through
 * float32 and is packed again, since two invocations must not write one 32-bit word.
 */
import type { DType } from '../../core/dtype.js';
import { sizeOf } from '../../core/shape.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, bufferBytes, computeDType, grid, input, MAIN_1D, paramsDecl, stridedOffsets, WG } from './wgsl.js';
import { finishOutput, type GTensor } from './tensor.js';

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

const FIELDS = [['shape', 'dims'], ['srcStrides', 'dims'], ['dstStrides', 'dims'], ['n', 'u32'], ['srcBase', 'u32'], ['dstBase', 'u32']] as const;

interface CopyPlan {
  shape: readonly number[];
  srcStrides: readonly number[];
  dstStrides: readonly number[];
  srcBase: number;
  dstBase: number;
}

/** One strided copy from `src` (dtype `srcDtype`) into `dst` (written in computeDType(srcDtype)). */
function stridedCopy(gpu: Gpu, src: GpuBuffer, srcDtype: DType, dst: GpuBuffer, plan: CopyPlan): void {
  const n = sizeOf(plan.shape);
  if (n === 0) return;
  const od = computeDType(srcDtype);
  const raw = srcDtype !== 'float16'; // same storage type on both sides: copy the bits
  // rank 0 (a scalar) is a rank-1 copy of one element
  const shape = plan.shape.length ? plan.shape : [1];
  const k = gpu.kernel(`copy:${srcDtype}:${shape.length}`, () => ({
    fields: FIELDS,
    code: `${raw ? binding(0, 'src', srcDtype) : input(0, 'src', srcDtype)}
${binding(1, 'dst', od, true)}
${paramsDecl(FIELDS, 2)}
${MAIN_1D}
  if (i >= params.n) { return; }
${stridedOffsets('i', 'shape', shape.length, [['s', 'srcStrides', 'params.srcBase'], ['o', 'dstStrides', 'params.dstBase']])}
  dst[o] = ${raw ? 'src[s]' : 'ld_src(s)'};
}`,
  }));
  gpu.dispatch(k, [src, dst], {
    n, shape,
    srcStrides: plan.srcStrides.length ? plan.srcStrides : [1],
    dstStrides: plan.dstStrides.length ? plan.dstStrides : [1],
    srcBase: plan.srcBase, dstBase: plan.dstBase,
  }, grid(Math.ceil(n / WG)));
}

export function transpose(gpu: Gpu, x: GTensor, perm: readonly number[]): GpuBuffer {
  const outShape = perm.map((p) => x.shape[p]);
  const inStrides = stridesOf(x.shape);
  const out = gpu.alloc(bufferBytes(x.size, computeDType(x.dtype)));
  stridedCopy(gpu, x.buf, x.dtype, out, {
    shape: outShape, srcStrides: perm.map((p) => inStrides[p]), dstStrides: stridesOf(outShape), srcBase: 0, dstBase: 0,
  });
  return finishOutput(gpu, out, x.size, x.dtype);
}

export function slice(gpu: Gpu, x: GTensor, begin: readonly number[], size: readonly number[]): GpuBuffer {
  const inStrides = stridesOf(x.shape);
  const n = sizeOf(size);
  const out = gpu.alloc(bufferBytes(n, computeDType(x.dtype)));
  stridedCopy(gpu, x.buf, x.dtype, out, {
    shape: size, srcStrides: inStrides, dstStrides: stridesOf(size),
    srcBase: begin.reduce((s, b, d) => s + b * inStrides[d], 0), dstBase: 0,
  });
  return finishOutput(gpu, out, n, x.dtype);
}

export function concat(gpu: Gpu, xs: readonly GTensor[], axis: number): GpuBuffer {
  const outShape = xs[0].shape.slice();
  outShape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const outStrides = stridesOf(outShape);
  const total = sizeOf(outShape);
  const dtype = xs[0].dtype;
  const out = gpu.alloc(bufferBytes(total, computeDType(dtype)));
  let offset = 0;
  for (const x of xs) {
    stridedCopy(gpu, x.buf, dtype, out, {
      shape: x.shape, srcStrides: stridesOf(x.shape), dstStrides: outStrides, srcBase: 0, dstBase: offset * outStrides[axis],
    });
    offset += x.shape[axis];
  }
  return finishOutput(gpu, out, total, dtype);
}
