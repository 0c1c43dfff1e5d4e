/**
 * The fused log-softmax + multinomial log-likelihood of the user-row models (Mult-VAE, DAE),
 * with the arithmetic of backends/cpu/multinomial.ts:
 *
 *   loss = (1/B) Σ_u (Σ_i x_ui · (m_u + ls_u) − Σ_i x_ui z_ui),  m_u = max_i z_ui,
 *   ls_u = log Σ_i exp(z_ui − m_u);   ∂loss/∂z_u = (dy/B)((Σ_i x_ui) exp(z_u − m_u − ls_u) − x_u)
 *
 * Forward, two dispatches: a workgroup per row finds m_u and ls_u (two tree reductions, as
 * softmax.ts; one invocation per row on a software adapter) and the row's term of the loss
 * from its CSR entries; one more workgroup sums
 * the B terms. Backward, two dispatches: every element's softmax part, then −(dy/B)·x at the
 * CSR entries (a row's column ids are unique, so no two invocations write one element).
 * The upstream gradient dy stays on the GPU: nothing is read back.
 */
import type { CSRInfo } from '../../core/kernels.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, grid, input, MAIN_1D, mainPerGroup, paramsDecl, WG } from './wgsl.js';
import { ACCURATE_MATH } from './math.js';
import type { CsrUploads } from './spmm.js';
import type { GTensor } from './tensor.js';

const THREADS = 256;
const FIELDS = [['B', 'u32'], ['N', 'u32']] as const;

/** Returns the loss (a 1-element buffer) and the row statistics [B, 2] = (m_u, ls_u). */
export function multinomialNLL(gpu: Gpu, uploads: CsrUploads, z: GTensor, x: CSRInfo): { loss: GpuBuffer; stats: GpuBuffer } {
  const [B, N] = x.shape;
  const stats = gpu.alloc(Math.max(4, 8 * B));
  const terms = gpu.alloc(Math.max(4, 4 * B));
  const loss = gpu.alloc(4);
  const up = uploads.get(x);
  // the row's max and Σ exp: a workgroup's tree reductions on a GPU, one invocation's loops on a software adapter
  const perThread = gpu.barrierFree;
  const rowStats = perThread ? `${MAIN_1D}
  if (i >= params.B) { return; }
  let item = i;
  let base = item * params.N;
  var m = -f32_inf();
  for (var c = 0u; c < params.N; c++) { m = max(m, ld_z(base + c)); }
  var s = 0.0;
  for (var c = 0u; c < params.N; c++) { s += exp(ld_z(base + c) - m); }
  let sum = s;
  {` : `var<workgroup> part: array<f32, ${THREADS}>;
${mainPerGroup(THREADS)}
  if (item >= params.B) { return; }
  let base = item * params.N;
  var mine = -f32_inf();
  for (var c = lid; c < params.N; c += ${THREADS}u) { mine = max(mine, ld_z(base + c)); }
  part[lid] = mine;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { part[lid] = max(part[lid], part[lid + half]); }
    workgroupBarrier();
  }
  let m = part[0];
  workgroupBarrier();
  var s = 0.0;
  for (var c = lid; c < params.N; c += ${THREADS}u) { s += exp(ld_z(base + c) - m); }
  part[lid] = s;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { part[lid] = part[lid] + part[lid + half]; }
    workgroupBarrier();
  }
  let sum = part[0];
  if (lid == 0u) {`;
  const rows = gpu.kernel(`multinomialRows:${z.dtype}:${perThread ? 'thread' : 'group'}`, () => ({
    fields: FIELDS,
    code: `${input(0, 'z', z.dtype)}
${binding(1, 'ptr', 'int32')}
${binding(2, 'idx', 'int32')}
${binding(3, 'val', 'float32')}
${binding(4, 'stats', 'float32', true)}
${binding(5, 'terms', 'float32', true)}
${paramsDecl(FIELDS, 6)}
${ACCURATE_MATH}
${rowStats}
    let ls = ln_(sum);
    stats[2u * item] = m;
    stats[2u * item + 1u] = ls;
    var xs = 0.0;
    var dot = 0.0;
    for (var p = u32(ptr[item]); p < u32(ptr[item + 1u]); p++) {
      xs += val[p];
      dot += val[p] * ld_z(base + u32(idx[p]));
    }
    terms[item] = xs * (m + ls) - dot;
  }
}`,
  }));
  gpu.dispatch(rows, [z.buf, up.indptr, up.indices, up.values, stats, terms], { B, N }, grid(perThread ? Math.ceil(B / WG) : B));
  const total = gpu.kernel('multinomialTotal', () => ({
    fields: FIELDS,
    code: `${binding(0, 'terms', 'float32')}
${binding(1, 'loss', 'float32', true)}
${paramsDecl(FIELDS, 2)}
var<workgroup> part: array<f32, ${THREADS}>;
${mainPerGroup(THREADS)}
  var s = 0.0;
  for (var r = lid; r < params.B; r += ${THREADS}u) { s += terms[r]; }
  part[lid] = s;
  workgroupBarrier();
  for (var half = ${THREADS / 2}u; half > 0u; half = half / 2u) {
    if (lid < half) { part[lid] = part[lid] + part[lid + half]; }
    workgroupBarrier();
  }
  if (lid == 0u && item == 0u) { loss[0] = part[0] / f32(params.B); }
}`,
  }));
  gpu.dispatch(total, [terms, loss], { B, N }, [1, 1]);
  gpu.release(terms);
  return { loss, stats };
}

/** g = (dy/B)·((Σ_i x_ui)·exp(z_u − m_u − ls_u) − x_u), dy a 1-element tensor on the GPU. */
export function multinomialNLLGrad(gpu: Gpu, uploads: CsrUploads, z: GTensor, stats: GTensor, x: CSRInfo, dy: GTensor): GpuBuffer {
  const [B, N] = x.shape;
  const g = gpu.alloc(Math.max(4, 4 * B * N));
  if (B * N === 0) return g;
  const up = uploads.get(x);
  const fields = [['B', 'u32'], ['N', 'u32'], ['n', 'u32']] as const;
  const dense = gpu.kernel(`multinomialGrad:${z.dtype}:${dy.dtype}`, () => ({
    fields,
    code: `${input(0, 'z', z.dtype)}
${binding(1, 'stats', 'float32')}
${binding(2, 'rowSums', 'float32')}
${input(3, 'dy', dy.dtype)}
${binding(4, 'g', 'float32', true)}
${paramsDecl(fields, 5)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let u = i / params.N;
  let c = ld_dy(0u) / f32(params.B);
  g[i] = c * rowSums[u] * exp(ld_z(i) - stats[2u * u] - stats[2u * u + 1u]);
}`,
  }));
  // Σ_i x_ui per row, on the host where the CSR is (B floats to upload)
  const rowSums = new Float32Array(B);
  for (let r = 0; r < B; r++) {
    let s = 0;
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) s += x.values[p];
    rowSums[r] = s;
  }
  const sumBuf = gpu.alloc(Math.max(4, rowSums.byteLength));
  gpu.upload(sumBuf, rowSums);
  gpu.dispatch(dense, [z.buf, stats.buf, sumBuf, dy.buf, g], { B, N, n: B * N }, grid(Math.ceil((B * N) / WG)));
  gpu.release(sumBuf);
  const nnz = x.indices.length;
  if (nnz > 0) {
    const entries = gpu.kernel(`multinomialGradEntries:${dy.dtype}`, () => ({
      fields,
      code: `${binding(0, 'rowOf', 'int32')}
${binding(1, 'idx', 'int32')}
${binding(2, 'val', 'float32')}
${input(3, 'dy', dy.dtype)}
${binding(4, 'g', 'float32', true)}
${paramsDecl(fields, 5)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let at = u32(rowOf[i]) * params.N + u32(idx[i]);
  g[at] = g[at] - (ld_dy(0u) / f32(params.B)) * val[i];
}`,
    }));
    // the row of each stored entry (the CSR gives it only implicitly)
    const rowOf = new Int32Array(nnz);
    for (let r = 0; r < B; r++) rowOf.fill(r, x.indptr[r], x.indptr[r + 1]);
    const rowBuf = gpu.alloc(rowOf.byteLength);
    gpu.upload(rowBuf, rowOf);
    gpu.dispatch(entries, [rowBuf, up.indices, up.values, dy.buf, g], { B, N, n: nnz }, grid(Math.ceil(nnz / WG)));
    gpu.release(rowBuf);
  }
  return g;
}
