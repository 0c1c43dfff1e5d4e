/**
 * Row kernels for embedding tables: gather, segment sums, scatter-add, and MF's fused
 * gather-dot and its backward.
 *
 * A segment sum out[seg[i]] += values[i] would need float atomics on a GPU (WGSL has none
 * for f32). Instead the host — which has the segment ids anyway (they come from
 * `uniqueSorted` in the op layer) — sorts the positions by segment with a counting sort,
 * O(n + segments), and uploads the order and each segment's start (one buffer). Then one invocation per
 * (segment, column) adds its segment's rows in their original order: no atomics, no two
 * invocations writing one value, and the same summation order as the CPU backend.
 */
import type { DType } from '../../core/dtype.js';
import { uniqueSorted } from '../../core/rowsparse.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, computeDType, grid, input, MAIN_1D, paramsDecl, store, WG } from './wgsl.js';
import { finishOutput, outputBuffer, type GTensor } from './tensor.js';

/** Positions 0..n-1 sorted by segment (stable), and where each segment starts: a counting sort. */
export function groupBySegment(seg: Int32Array, numSegments: number): { offsets: Int32Array; order: Int32Array } {
  const offsets = new Int32Array(numSegments + 1);
  for (let i = 0; i < seg.length; i++) offsets[seg[i] + 1]++;
  for (let s = 0; s < numSegments; s++) offsets[s + 1] += offsets[s];
  const next = offsets.slice(0, numSegments);
  const order = new Int32Array(seg.length);
  for (let i = 0; i < seg.length; i++) order[next[seg[i]]++] = i;
  return { offsets, order };
}

/**
 * One int32 upload for a segmented kernel: [offsets (S + 1) | order (n) | extra], where
 * `extra` (optional) is per-segment data such as the target row of each segment.
 */
export function segmentPlan(seg: Int32Array, numSegments: number, extra: Int32Array | null = null): { ints: Int32Array; orderAt: number; rowsAt: number } {
  const { offsets, order } = groupBySegment(seg, numSegments);
  const ints = new Int32Array(offsets.length + order.length + (extra?.length ?? 0));
  ints.set(offsets);
  ints.set(order, offsets.length);
  if (extra) ints.set(extra, offsets.length + order.length);
  return { ints, orderAt: offsets.length, rowsAt: offsets.length + order.length };
}

/** A buffer holding `ids` (the caller releases it; ordering makes that safe right after use). */
export function uploadInts(gpu: Gpu, ids: Int32Array): GpuBuffer {
  const buf = gpu.alloc(Math.max(4, ids.byteLength));
  gpu.upload(buf, ids);
  return buf;
}

const ROW_FIELDS = [['n', 'u32'], ['width', 'u32']] as const;

/** out[i, :] = table[ids[i], :] (ids uploaded). int32 and float32 rows are copied bit for bit. */
export function gatherRows(gpu: Gpu, table: GTensor, ids: Int32Array, width: number): GpuBuffer {
  const n = ids.length * width;
  const out = outputBuffer(gpu, n, table.dtype);
  if (n > 0) {
    const raw = table.dtype !== 'float16';
    const od = computeDType(table.dtype);
    const k = gpu.kernel(`gatherRows:${table.dtype}`, () => ({
      fields: ROW_FIELDS,
      code: `${raw ? binding(0, 't', table.dtype) : input(0, 't', table.dtype)}
${binding(1, 'ids', 'int32')}
${binding(2, 'out', od, true)}
${paramsDecl(ROW_FIELDS, 3)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let r = i / params.width;
  let src = u32(ids[r]) * params.width + (i - r * params.width);
  out[i] = ${raw ? 't[src]' : 'ld_t(src)'};
}`,
    }));
    const idBuf = uploadInts(gpu, ids);
    gpu.dispatch(k, [table.buf, idBuf, out], { n, width }, grid(Math.ceil(n / WG)));
    gpu.release(idBuf);
  }
  return finishOutput(gpu, out, n, table.dtype);
}

const SEGMENT_FIELDS = [['n', 'u32'], ['width', 'u32'], ['orderAt', 'u32']] as const;

/** out[s, :] = Σ_{i: seg[i] = s} values[i, :], for s < numSegments. */
export function segmentSumRows(gpu: Gpu, values: GTensor, seg: Int32Array, numSegments: number, width: number): GpuBuffer {
  const n = numSegments * width;
  const out = outputBuffer(gpu, n, values.dtype);
  if (n > 0) {
    const plan = segmentPlan(seg, numSegments);
    const od = computeDType(values.dtype);
    const k = gpu.kernel(`segmentSum:${values.dtype}`, () => ({
      fields: SEGMENT_FIELDS,
      code: `${input(0, 'v', values.dtype)}
${binding(1, 'plan', 'int32')}
${binding(2, 'out', od, true)}
${paramsDecl(SEGMENT_FIELDS, 3)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let s = i / params.width;
  let j = i - s * params.width;
  var acc = 0.0;
  for (var p = u32(plan[s]); p < u32(plan[s + 1u]); p++) { acc += ld_v(u32(plan[params.orderAt + p]) * params.width + j); }
  ${store('out', od, 'i', 'acc')}
}`,
    }));
    const planBuf = uploadInts(gpu, plan.ints);
    gpu.dispatch(k, [values.buf, planBuf, out], { n, width, orderAt: plan.orderAt }, grid(Math.ceil(n / WG)));
    gpu.release(planBuf);
  }
  return finishOutput(gpu, out, n, values.dtype);
}

/** In place: target[rows[i], :] += values[i, :] (rows may repeat; each target row is one invocation's). */
export function scatterAddRows(gpu: Gpu, target: GTensor, rows: Int32Array, values: GTensor, width: number): void {
  if (rows.length === 0 || width === 0) return;
  const { unique, inverse } = uniqueSorted(rows);
  const plan = segmentPlan(inverse, unique.length, unique);
  const n = unique.length * width;
  const od = computeDType(target.dtype);
  const fields = [['n', 'u32'], ['width', 'u32'], ['orderAt', 'u32'], ['rowsAt', 'u32']] as const;
  const k = gpu.kernel(`scatterAdd:${target.dtype}:${values.dtype}`, () => ({
    fields,
    code: `${binding(0, 't', od, true)}
${input(1, 'v', values.dtype)}
${binding(2, 'plan', 'int32')}
${paramsDecl(fields, 3)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let k = i / params.width;
  let j = i - k * params.width;
  let at = u32(plan[params.rowsAt + k]) * params.width + j;
  var acc = f32(t[at]);
  for (var p = u32(plan[k]); p < u32(plan[k + 1u]); p++) { acc += ld_v(u32(plan[params.orderAt + p]) * params.width + j); }
  ${store('t', od, 'at', 'acc')}
}`,
  }));
  const planBuf = uploadInts(gpu, plan.ints);
  gpu.dispatch(k, [target.buf, values.buf, planBuf], { n, width, orderAt: plan.orderAt, rowsAt: plan.rowsAt }, grid(Math.ceil(n / WG)));
  gpu.release(planBuf);
}

/** out[i] = Σ_d a[aIds[i], d] · b[bIds[i], d]: MF's scores without gathered copies (both id lists in one upload). */
export function gatherDot(gpu: Gpu, a: GTensor, b: GTensor, aIds: Int32Array, bIds: Int32Array, width: number, outDtype: DType): GpuBuffer {
  const n = aIds.length;
  const out = outputBuffer(gpu, n, outDtype);
  if (n > 0) {
    const k = gpu.kernel(`gatherDot:${a.dtype}:${b.dtype}`, () => ({
      fields: ROW_FIELDS,
      code: `${input(0, 'a', a.dtype)}
${input(1, 'b', b.dtype)}
${binding(2, 'ids', 'int32')}
${binding(3, 'out', 'float32', true)}
${paramsDecl(ROW_FIELDS, 4)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let ao = u32(ids[i]) * params.width;
  let bo = u32(ids[params.n + i]) * params.width;
  var s = 0.0;
  for (var d = 0u; d < params.width; d++) { s += ld_a(ao + d) * ld_b(bo + d); }
  out[i] = s;
}`,
    }));
    const both = new Int32Array(2 * n);
    both.set(aIds);
    both.set(bIds, n);
    const idBuf = uploadInts(gpu, both);
    gpu.dispatch(k, [a.buf, b.buf, idBuf, out], { n, width }, grid(Math.ceil(n / WG)));
    gpu.release(idBuf);
  }
  return finishOutput(gpu, out, n, outDtype);
}

/**
 * out[s, :] = Σ_{i: seg[i] = s} scale[i] · table[rowIds[i], :]: gatherDot's backward, already
 * row-sparse. One upload holds each segment's start, then the positions in segment order
 * with their table rows: [offsets (S + 1) | order (n) | rowIds in that order (n)].
 */
export function segmentSumScaledRows(gpu: Gpu, scale: GTensor, table: GTensor, rowIds: Int32Array, seg: Int32Array, numSegments: number,
  width: number): GpuBuffer {
  const n = numSegments * width;
  const out = outputBuffer(gpu, n, table.dtype);
  if (n > 0) {
    const { offsets, order } = groupBySegment(seg, numSegments);
    const packed = new Int32Array(offsets.length + 2 * order.length);
    packed.set(offsets);
    packed.set(order, offsets.length);
    const rowsAt = offsets.length + order.length;
    for (let p = 0; p < order.length; p++) packed[rowsAt + p] = rowIds[order[p]];
    const fields = [['n', 'u32'], ['width', 'u32'], ['orderAt', 'u32'], ['rowsAt', 'u32']] as const;
    const k = gpu.kernel(`segmentSumScaled:${scale.dtype}:${table.dtype}`, () => ({
      fields,
      code: `${input(0, 'sc', scale.dtype)}
${input(1, 't', table.dtype)}
${binding(2, 'plan', 'int32')}
${binding(3, 'out', 'float32', true)}
${paramsDecl(fields, 4)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let s = i / params.width;
  let j = i - s * params.width;
  var acc = 0.0;
  for (var p = u32(plan[s]); p < u32(plan[s + 1u]); p++) {
    acc += ld_sc(u32(plan[params.orderAt + p])) * ld_t(u32(plan[params.rowsAt + p]) * params.width + j);
  }
  out[i] = acc;
}`,
    }));
    const planBuf = uploadInts(gpu, packed);
    gpu.dispatch(k, [scale.buf, table.buf, planBuf, out], { n, width, orderAt: offsets.length, rowsAt }, grid(Math.ceil(n / WG)));
    gpu.release(planBuf);
  }
  return finishOutput(gpu, out, n, table.dtype);
}
