/**
 * softmax, logSoftmax and logSumExp over the last axis, with the row's max subtracted so
 * exp never overflows. A row of up to 64 values (any row on a software adapter) takes one
 * invocation; a longer one (a Mult-VAE output row over every item) takes a workgroup of 256 that finds the max and
 * the sum of exponentials with two tree reductions in shared memory, then writes the row.
 */
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, grid, input, MAIN_1D, mainPerGroup, paramsDecl, WG } from './wgsl.js';
import { ACCURATE_MATH } from './math.js';
import { finishOutput, outputBuffer, type GTensor } from './tensor.js';

export type SoftmaxKind = 'softmax' | 'logSoftmax' | 'logSumExp';

const THREADS = 256;
const SHORT = 64;
const FIELDS = [['rows', 'u32'], ['cols', 'u32']] as const;

/** WGSL writing row results once `m` (max) and `s` (Σ exp(x − m)) are known; `c` loops the columns. */
function writeRow(kind: SoftmaxKind, row: string, first: string, step: string): string {
  if (kind === 'logSumExp') return '';
  const value = kind === 'softmax' ? 'exp(ld_x(at) - m) / s' : 'ld_x(at) - lse';
  return `  let lse = m + ln_(s);
  for (var c = ${first}; c < params.cols; c += ${step}) {
    let at = ${row} * params.cols + c;
    out[at] = ${value};
  }`;
}

export function softmaxFamily(gpu: Gpu, kind: SoftmaxKind, x: GTensor): GpuBuffer {
  const cols = x.shape[x.shape.length - 1] ?? 1;
  const rows = cols === 0 ? 0 : x.size / cols;
  const n = kind === 'logSumExp' ? rows : x.size;
  const out = outputBuffer(gpu, n, x.dtype);
  if (rows === 0 || cols === 0) return finishOutput(gpu, out, n, x.dtype);
  const short = cols <= SHORT || gpu.barrierFree;
  // logSumExp of a row that is all −inf is −inf (not NaN from −inf − −inf)
  const lse = 'select(m + ln_(s), -f32_inf(), m == -f32_inf())';
  const k = gpu.kernel(`${kind}:${x.dtype}:${short ? 'thread' : 'group'}`, () => ({
    fields: FIELDS,
    code: `${input(0, 'x', x.dtype)}
${binding(1, 'out', 'float32', true)}
${paramsDecl(FIELDS, 2)}
${ACCURATE_MATH}
${short ? `${MAIN_1D}
  if (i >= params.rows) { return; }
  let row = i;
  var m = -f32_inf();
  for (var c = 0u; c < params.cols; c++) { m = max(m, ld_x(row * params.cols + c)); }
  var s = 0.0;
  for (var c = 0u; c < params.cols; c++) { s += exp(ld_x(row * params.cols + c) - m); }
${kind === 'logSumExp' ? `  out[row] = ${lse};` : writeRow(kind, 'row', '0u', '1u')}
}` : `var<workgroup> part: array<f32, ${THREADS}>;
${mainPerGroup(THREADS)}
  if (item >= params.rows) { return; }
  let row = item;
  var mine = -f32_inf();
  for (var c = lid; c < params.cols; c += ${THREADS}u) { mine = max(mine, ld_x(row * params.cols + c)); }
  part[lid] = mine;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { part[lid] = max(part[lid], part[lid + half]); }
    workgroupBarrier();
  }
  let m = part[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var c = lid; c < params.cols; c += ${THREADS}u) { sum += exp(ld_x(row * params.cols + c) - m); }
  part[lid] = sum;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { part[lid] = part[lid] + part[lid + half]; }
    workgroupBarrier();
  }
  let s = part[0];
${kind === 'logSumExp' ? `  if (lid == 0u) { out[row] = ${lse}; }` : writeRow(kind, 'row', 'lid', `${THREADS}u`)}
}`}`,
  }));
  gpu.dispatch(k, [x.buf, out], { rows, cols }, grid(short ? Math.ceil(rows / WG) : rows));
  return finishOutput(gpu, out, n, x.dtype);
}
