/**
 * Row kernels for embedding tables: gather, segment sums, scatter-add, and MF's fused
 * gather-dot and its backward.
 *
 * A segment sum out[seg[i]] += values[i] would need float atomics on a GPU (WGSL has none
 * for f32). Instead the host — which has the segment ids anyway (they come from
 * `uniqueSorted` in the op layer) — sorts the positions by segment with a counting sort,
 * O(n + segments), and uploads the order and each segment's start. Then one invocation per
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

/** A buffer holding `ids` (the caller releases it; ordering makes that safe right after use). */
export function uploadInts(gpu: Gpu, ids: Int32Array): GpuBuffer {
  const buf = gpu.alloc(Math.max(4, ids.byteLength));
  gpu.upload(buf, ids);
  return buf;
}

const ROW_FIELDS = [['n', 'u32'], ['width', 'u32']] as const;

/** out[i, :] = table[ids[i], :]. int32 and float32 rows are copied bit for bit. */
export function gatherRows(gpu: Gpu, table: GTensor, ids: GTensor, width: number): GpuBuffer {
  const n = ids.size * width;
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
    gpu.dispatch(k, [table.buf, ids.buf, out], { n, width }, grid(Math.ceil(n / WG)));
  }
  return finishOutput(gpu, out, n, table.dtype);
}

const SEGMENT_FIELDS = [['n', 'u32'], ['width', 'u32']] as const;

/** out[s, :] = Σ_{i: seg[i] = s} values[i, :], for s < numSegments. */
export function segmentSumRows(gpu: Gpu, values: GTensor, seg: Int32Array, numSegments: number, width: number): GpuBuffer {
  const n = numSegments * width;
  const out = outputBuffer(gpu, n, values.dtype);
  if (n > 0) {
    const { offsets, order } = groupBySegment(seg, numSegments);
    const offBuf = uploadInts(gpu, offsets);
    const orderBuf = uploadInts(gpu, order);
    const od = computeDType(values.dtype);
    const k = gpu.kernel(`segmentSum:${values.dtype}`, () => ({
      fields: SEGMENT_FIELDS,
      code: `${input(0, 'v', values.dtype)}
${binding(1, 'offsets', 'int32')}
${binding(2, 'order', 'int32')}
${binding(3, 'out', od, true)}
${paramsDecl(SEGMENT_FIELDS, 4)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let s = i / params.width;
  let j = i - s * params.width;
  var acc = 0.0;
  for (var p = u32(offsets[s]); p < u32(offsets[s + 1u]); p++) { acc += ld_v(u32(order[p]) * params.width + j); }
  ${store('out', od, 'i', 'acc')}
}`,
    }));
    gpu.dispatch(k, [values.buf, offBuf, orderBuf, out], { n, width }, grid(Math.ceil(n / WG)));
    gpu.release(offBuf);
    gpu.release(orderBuf);
  }
  return finishOutput(gpu, out, n, values.dtype);
}

/** In place: target[rows[i], :] += values[i, :] (rows may repeat; each target row is one invocation's). */
export function scatterAddRows(gpu: Gpu, target: GTensor, rows: Int32Array, values: GTensor, width: number): void {
  if (rows.length === 0 || width === 0) return;
  const { unique, inverse } = uniqueSorted(rows);
  const { offsets, order } = groupBySegment(inverse, unique.length);
  const uBuf = uploadInts(gpu, unique);
  const offBuf = uploadInts(gpu, offsets);
  const orderBuf = uploadInts(gpu, order);
  const n = unique.length * width;
  const od = computeDType(target.dtype);
  const k = gpu.kernel(`scatterAdd:${target.dtype}:${values.dtype}`, () => ({
    fields: SEGMENT_FIELDS,
    code: `${binding(0, 't', od, true)}
${input(1, 'v', values.dtype)}
${binding(2, 'rows', 'int32')}
${binding(3, 'offsets', 'int32')}
${binding(4, 'order', 'int32')}
${paramsDecl(SEGMENT_FIELDS, 5)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let k = i / params.width;
  let j = i - k * params.width;
  let at = u32(rows[k]) * params.width + j;
  var acc = f32(t[at]);
  for (var p = u32(offsets[k]); p < u32(offsets[k + 1u]); p++) { acc += ld_v(u32(order[p]) * params.width + j); }
  ${store('t', od, 'at', 'acc')}
}`,
  }));
  gpu.dispatch(k, [target.buf, values.buf, uBuf, offBuf, orderBuf], { n, width }, grid(Math.ceil(n / WG)));
  for (const b of [uBuf, offBuf, orderBuf]) gpu.release(b);
}

/** out[i] = Σ_d a[aIds[i], d] · b[bIds[i], d]: MF's scores without gathered copies. */
export function gatherDot(gpu: Gpu, a: GTensor, b: GTensor, aIds: GTensor, bIds: GTensor, width: number, outDtype: DType): GpuBuffer {
  const n = aIds.size;
  const out = outputBuffer(gpu, n, outDtype);
  if (n > 0) {
    const k = gpu.kernel(`gatherDot:${a.dtype}:${b.dtype}`, () => ({
      fields: ROW_FIELDS,
      code: `${input(0, 'a', a.dtype)}
${input(1, 'b', b.dtype)}
${binding(2, 'ia', 'int32')}
${binding(3, 'ib', 'int32')}
${binding(4, 'out', 'float32', true)}
${paramsDecl(ROW_FIELDS, 5)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let ao = u32(ia[i]) * params.width;
  let bo = u32(ib[i]) * params.width;
  var s = 0.0;
  for (var d = 0u; d < params.width; d++) { s += ld_a(ao + d) * ld_b(bo + d); }
  out[i] = s;
}`,
    }));
    gpu.dispatch(k, [a.buf, b.buf, aIds.buf, bIds.buf, out], { n, width }, grid(Math.ceil(n / WG)));
  }
  return finishOutput(gpu, out, n, outDtype);
}

/** out[s, :] = Σ_{i: seg[i] = s} scale[i] · table[rowIds[i], :]: gatherDot's backward, already row-sparse. */
export function segmentSumScaledRows(gpu: Gpu, scale: GTensor, table: GTensor, rowIds: GTensor, seg: Int32Array, numSegments: number,
  width: number): GpuBuffer {
  const n = numSegments * width;
  const out = outputBuffer(gpu, n, table.dtype);
  if (n > 0) {
    const { offsets, order } = groupBySegment(seg, numSegments);
    const offBuf = uploadInts(gpu, offsets);
    const orderBuf = uploadInts(gpu, order);
    const k = gpu.kernel(`segmentSumScaled:${scale.dtype}:${table.dtype}`, () => ({
      fields: SEGMENT_FIELDS,
      code: `${input(0, 'sc', scale.dtype)}
${input(1, 't', table.dtype)}
${binding(2, 'ids', 'int32')}
${binding(3, 'offsets', 'int32')}
${binding(4, 'order', 'int32')}
${binding(5, 'out', 'float32', true)}
${paramsDecl(SEGMENT_FIELDS, 6)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let s = i / params.width;
  let j = i - s * params.width;
  var acc = 0.0;
  for (var p = u32(offsets[s]); p < u32(offsets[s + 1u]); p++) {
    let e = u32(order[p]);
    acc += ld_sc(e) * ld_t(u32(ids[e]) * params.width + j);
  }
  out[i] = acc;
}`,
    }));
    gpu.dispatch(k, [scale.buf, table.buf, rowIds.buf, offBuf, orderBuf, out], { n, width }, grid(Math.ceil(n / WG)));
    gpu.release(offBuf);
    gpu.release(orderBuf);
  }
  return finishOutput(gpu, out, n, table.dtype);
}
