/**
 * The matrix-factorization kernel pair, accelerations of core/kernels.ts (their reference
 * compositions: ops/fused.ts):
 *   gatherDot             out[i] = a[aIds[i]] · b[bIds[i]], the rows read in place
 *   segmentSumScaledRows  out[s] = Σ_{i: seg[i] = s} scale[i] · table[rowIds[i]], its backward,
 *                         one fragment per output element summing its own list (rows.ts
 *                         `segmentSumTex`), so no [batch, dim] gathered copy is made.
 * Ids arrive as host Int32Arrays and go up as R32F textures for the draw.
 */
import type { DType } from '../../core/dtype.js';
import { GLSL_ADDRESSING } from './layout.js';
import { checkExact, segmentSumTex } from './rows.js';
import type { Gpu, GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';

/** out[segmentIds[i]] += scale[i] · table[rowIds[i]] → [numSegments, D] (gatherDot's backward). */
export function segmentSumScaledRows(gpu: Gpu, scale: GpuTensor, table: GpuTensor, rowIds: Int32Array, segmentIds: Int32Array, numSegments: number): Tex {
  const width = table.shape.slice(1).reduce((a, b) => a * b, 1);
  const idsTex = gpu.uploadFloats(rowIds);
  const out = segmentSumTex(gpu, table.tex, width, segmentIds, numSegments, table.dtype, { scale: scale.tex, rowIds: idsTex });
  gpu.release(idsTex);
  return out;
}

/** out[i] = a[aIds[i]] · b[bIds[i]]: a batch of embedding dot products read in place. */
export function gatherDot(gpu: Gpu, a: GpuTensor, b: GpuTensor, aIds: Int32Array, bIds: Int32Array, outDtype: DType): Tex {
  const width = a.shape.slice(1).reduce((x, y) => x * y, 1);
  const n = aIds.length;
  checkExact('gatherDot', Math.max(a.shape[0], b.shape[0]), 'table rows');
  const program = gpu.program('rows:gatherDot', 'gatherDot', () => ({
    fs: `${GLSL_ADDRESSING}
uniform sampler2D A;
uniform sampler2D B;
uniform sampler2D AI;
uniform sampler2D BI;
uniform int uD;
out vec4 outColor;
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }
  int ao = int(fetch(AI, i)) * uD;
  int bo = int(fetch(BI, i)) * uD;
  int aShift = widthShift(A);
  int bShift = widthShift(B);
  float acc = 0.0;
  for (int j = 0; j < uD; j++) acc += fetchAt(A, aShift, ao + j) * fetchAt(B, bShift, bo + j);
  outColor = vec4(store(acc));
}`,
  }));
  const out = gpu.output(n, outDtype);
  const ai = gpu.uploadFloats(aIds);
  const bi = gpu.uploadFloats(bIds);
  gpu.draw(program, out, { A: a.tex, B: b.tex, AI: ai, BI: bi, uD: width }, { size: n });
  gpu.release(ai);
  gpu.release(bi);
  return out;
}
