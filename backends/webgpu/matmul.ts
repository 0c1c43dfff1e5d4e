/**
 * Dense matrix product op(A)[M,K] · op(B)[K,N], in two variants that share one shape of
 * work: every invocation computes a 4×4 block of the output in registers (16 accumulators,
 * four rows of a vec4), so each value read is used four times.
 *
 * - `tiled` (GPUs): a workgroup of 16×16 invocations owns a 64×64 output tile. K is walked
 *   16 at a time: the workgroup copies a 64×16 slice of A and a 16×64 slice of B into
 *   workgroup (shared) memory — 4 elements per invocation, zero outside the matrices —
 *   waits at a barrier, and every invocation does 16 rank-1 updates of its block from the
 *   tiles. Each value loaded from global memory is used 64 times. A transposed operand
 *   only changes how its tile is loaded (which index neighbouring invocations step along,
 *   so their reads stay contiguous).
 * - `direct` (software adapters): the same 4×4 blocks read straight from the storage
 *   buffers, no shared memory and no barriers. On a CPU (SwiftShader) the caches already do
 *   what shared memory does on a GPU, and every barrier is a switch between the
 *   workgroup's invocations: measured on SwiftShader, the tiled kernel is several times
 *   slower than this one (`bench/benchmarks/backends.ts` notes).
 *
 * An optional epilogue adds a bias row and applies relu before the block is written: the
 * `dense` layer as one kernel.
 */
import type { Activation } from '../../core/kernels.js';
import type { DType } from '../../core/dtype.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, input, paramsDecl } from './wgsl.js';
import { finishOutput, outputBuffer, type GTensor } from './tensor.js';

export type MatmulVariant = 'tiled' | 'direct';

const TILE = 64;
const TK = 16;
const FIELDS = [['M', 'u32'], ['N', 'u32'], ['K', 'u32']] as const;

/** WGSL index of op(A)[r, k] and op(B)[k, c] under the transpose flags. */
function indexA(tA: boolean, r: string, k: string): string {
  return tA ? `(${k}) * params.M + (${r})` : `(${r}) * params.K + (${k})`;
}
function indexB(tB: boolean, k: string, c: string): string {
  return tB ? `(${c}) * params.K + (${k})` : `(${k}) * params.N + (${c})`;
}

/** WGSL writing the 4×4 block at rows r0.., columns c0.. of the output (bias, relu, edges). */
function storeBlock(bias: boolean, activation: Activation): string {
  return `  for (var i = 0u; i < 4u; i++) {
    let row = r0 + i;
    if (row >= params.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let col = c0 + j;
      if (col >= params.N) { break; }
      var v = acc[i][j];
      ${bias ? 'v += ld_bias(col);' : ''}
      ${activation === 'relu' ? 'v = max(v, 0.0);' : ''}
      out[row * params.N + col] = v;
    }
  }`;
}

function tiledMain(tA: boolean, tB: boolean): string {
  // element e (0..1023) of each tile; neighbouring e read neighbouring addresses
  const loadA = tA
    ? `let am = e % ${TILE}u; let ak = e / ${TILE}u;`
    : `let am = e / ${TK}u; let ak = e % ${TK}u;`;
  const loadB = tB
    ? `let bn = e / ${TK}u; let bk = e % ${TK}u;`
    : `let bn = e % ${TILE}u; let bk = e / ${TILE}u;`;
  return `var<workgroup> As: array<f32, ${TILE * TK}>;   // [TK][TILE]
var<workgroup> Bs: array<f32, ${TILE * TK}>;   // [TK][TILE]
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let t = lid.y * 16u + lid.x;
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k0 = 0u; k0 < params.K; k0 += ${TK}u) {
    for (var l = 0u; l < 4u; l++) {
      let e = t + l * 256u;
      ${loadA}
      As[ak * ${TILE}u + am] = select(0.0, ld_a(${indexA(tA, 'row0 + am', 'k0 + ak')}), row0 + am < params.M && k0 + ak < params.K);
      ${loadB}
      Bs[bk * ${TILE}u + bn] = select(0.0, ld_b(${indexB(tB, 'k0 + bk', 'col0 + bn')}), col0 + bn < params.N && k0 + bk < params.K);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TK}u; kk++) {
      let ar = kk * ${TILE}u + lid.y * 4u;
      let br = kk * ${TILE}u + lid.x * 4u;
      let bv = vec4<f32>(Bs[br], Bs[br + 1u], Bs[br + 2u], Bs[br + 3u]);
      acc[0] += As[ar] * bv;
      acc[1] += As[ar + 1u] * bv;
      acc[2] += As[ar + 2u] * bv;
      acc[3] += As[ar + 3u] * bv;
    }
    workgroupBarrier();
  }
  let r0 = row0 + lid.y * 4u;
  let c0 = col0 + lid.x * 4u;`;
}

function directMain(tA: boolean, tB: boolean): string {
  return `@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r0 = gid.y * 4u;
  let c0 = gid.x * 4u;
  if (r0 >= params.M || c0 >= params.N) { return; }
  // clamped: rows and columns past the edge read a valid element and are never stored
  let r = vec4<u32>(r0, min(r0 + 1u, params.M - 1u), min(r0 + 2u, params.M - 1u), min(r0 + 3u, params.M - 1u));
  let c = vec4<u32>(c0, min(c0 + 1u, params.N - 1u), min(c0 + 2u, params.N - 1u), min(c0 + 3u, params.N - 1u));
  var acc = array<vec4<f32>, 4>(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0));
  for (var k = 0u; k < params.K; k++) {
    let bv = vec4<f32>(ld_b(${indexB(tB, 'k', 'c.x')}), ld_b(${indexB(tB, 'k', 'c.y')}), ld_b(${indexB(tB, 'k', 'c.z')}), ld_b(${indexB(tB, 'k', 'c.w')}));
    acc[0] += ld_a(${indexA(tA, 'r.x', 'k')}) * bv;
    acc[1] += ld_a(${indexA(tA, 'r.y', 'k')}) * bv;
    acc[2] += ld_a(${indexA(tA, 'r.z', 'k')}) * bv;
    acc[3] += ld_a(${indexA(tA, 'r.w', 'k')}) * bv;
  }`;
}

export function matmul(gpu: Gpu, a: GTensor, b: GTensor, tA: boolean, tB: boolean, outDtype: DType,
  variant: MatmulVariant, bias: GTensor | null = null, activation: Activation = 'linear'): GpuBuffer {
  const M = tA ? a.shape[1] : a.shape[0];
  const K = tA ? a.shape[0] : a.shape[1];
  const N = tB ? b.shape[0] : b.shape[1];
  const out = outputBuffer(gpu, M * N, outDtype);
  if (M * N === 0) return finishOutput(gpu, out, M * N, outDtype);
  const outIndex = bias ? 3 : 2;
  const flags = `${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`;
  const k = gpu.kernel(`matmul:${variant}:${a.dtype}:${b.dtype}:${flags}:${bias ? `bias:${bias.dtype}` : 'nobias'}:${activation}`, () => ({
    fields: FIELDS,
    code: `${input(0, 'a', a.dtype)}
${input(1, 'b', b.dtype)}
${bias ? input(2, 'bias', bias.dtype) : ''}
${binding(outIndex, 'out', 'float32', true)}
${paramsDecl(FIELDS, outIndex + 1)}
${variant === 'tiled' ? tiledMain(tA, tB) : directMain(tA, tB)}
${storeBlock(!!bias, activation)}
}`,
  }));
  // workgroups: 64×64 outputs each (tiled), 32×32 (direct: 8×8 invocations of 4×4)
  const span = variant === 'tiled' ? TILE : 32;
  const groupsM = Math.ceil(M / span);
  const groupsN = Math.ceil(N / span);
  if (groupsM > 65535 || groupsN > 65535) throw new Error(`webgpu matmul: a [${M}, ${N}] product has more than ${65535 * span} rows or columns`);
  const buffers = bias ? [a.buf, b.buf, bias.buf, out] : [a.buf, b.buf, out];
  gpu.dispatch(k, buffers, { M, N, K }, [groupsN, groupsM]);
  return finishOutput(gpu, out, M * N, outDtype);
}
