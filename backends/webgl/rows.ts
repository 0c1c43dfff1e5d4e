/**
 * Row kernels for embedding tables: gather, segment sum, scatter-add — and `drawRows`, the
 * way a row-sparse update writes ONLY the touched rows of a big texture.
 *
 * drawRows: a table [N, D] stores row r at flat elements [r·D, r·D + D), which in the
 * texture is a run of texels along one texture row — or, when it crosses a texture-row
 * boundary, two or more runs. Each run is drawn as one LINE primitive from the centre of its
 * first texel to just past its last; the rasterizer produces exactly those fragments and
 * the rest of the texture is never touched (a 131,262-row table with a batch of 1,000
 * rows costs 1,000 rows of work, not 131,262). The vertex shader finds the run's position
 * from gl_VertexID and the row id (read from a float texture, since integer textures are
 * unreliable here); each fragment then knows which gathered input element it corresponds to.
 * A texture cannot be read while it is drawn into, so the old values of the touched rows
 * are gathered into a small texture first.
 */
import type { DType } from '../../core/dtype.js';
import { uniqueSorted } from '../../core/rowsparse.js';
import { GLSL_ADDRESSING, GLSL_FETCH, GLSL_HEADER } from './layout.js';
import type { Binding, Gpu, GpuTensor } from './gpu.js';
import type { Program } from './programs.js';
import type { Tex } from './textures.js';

/** Indices go through float32 textures: exact only below 2^24. */
const MAX_EXACT = 2 ** 24;

function checkExact(kernel: string, n: number, what: string): void {
  if (n >= MAX_EXACT) throw new Error(`webgl ${kernel}: ${what} = ${n} reaches 2^24, beyond what float32 index textures hold exactly`);
}

/** out[i] = table[ids[i]] for rows of `width`; `ids` holds float row ids. */
export function gatherRowsTex(gpu: Gpu, table: Tex, tableDtype: DType, ids: Tex, n: number, width: number): Tex {
  const size = n * width;
  const program = gpu.program('rows:gather', 'gatherRows', () => ({
    fs: `${GLSL_ADDRESSING}
uniform sampler2D T;
uniform sampler2D I;
uniform int uD;
out vec4 outColor;
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }
  int r = i / uD;
  int id = int(fetch(I, r));
  outColor = vec4(fetch(T, id * uD + (i - r * uD)));
}`,
  }));
  const out = gpu.output(size, tableDtype);
  gpu.draw(program, out, { T: table, I: ids, uD: width }, { size });
  return out;
}

export function gatherRows(gpu: Gpu, table: GpuTensor, ids: GpuTensor): Tex {
  const width = table.shape.slice(1).reduce((a, b) => a * b, 1);
  checkExact('gatherRows', table.shape[0], 'table rows');
  return gatherRowsTex(gpu, table.tex, table.dtype, ids.tex, ids.size, width);
}

/**
 * out[s] = Σ values[i] over i with segmentIds[i] = s. The host sorts positions by segment
 * (a counting sort: `offsets` and `order`, like CSR); fragment (s, j) then sums its own
 * list, in increasing position order — the same order as the CPU backend.
 */
export function segmentSumTex(gpu: Gpu, values: Tex, width: number, segmentIds: Int32Array, numSegments: number, outDtype: DType): Tex {
  const n = segmentIds.length;
  checkExact('segmentSumRows', Math.max(n, numSegments), 'rows');
  const offsets = new Float32Array(numSegments + 1);
  const counts = new Int32Array(numSegments + 1);
  for (let i = 0; i < n; i++) counts[segmentIds[i] + 1]++;
  for (let s = 0; s < numSegments; s++) counts[s + 1] += counts[s];
  offsets.set(counts);
  const order = new Float32Array(n);
  for (let i = 0; i < n; i++) order[counts[segmentIds[i]]++] = i;
  const offTex = gpu.uploadFloats(offsets);
  const ordTex = gpu.uploadFloats(order);
  const size = numSegments * width;
  const program = gpu.program(`rows:segsum:${outDtype === 'int32'}`, 'segmentSumRows', () => ({
    fs: `${GLSL_ADDRESSING}
uniform sampler2D V;
uniform sampler2D OFF;
uniform sampler2D ORD;
uniform int uD;
out vec4 outColor;
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }
  int s = i / uD;
  int j = i - s * uD;
  int p0 = int(fetch(OFF, s));
  int p1 = int(fetch(OFF, s + 1));
  int vShift = widthShift(V);
  int oShift = widthShift(ORD);
  float acc = 0.0;
  for (int p = p0; p < p1; p++) acc += fetchAt(V, vShift, int(fetchAt(ORD, oShift, p)) * uD + j);
  outColor = vec4(${outDtype === 'int32' ? 'trunc(acc)' : 'acc'});
}`,
  }));
  const out = gpu.output(size, outDtype);
  gpu.draw(program, out, { V: values, OFF: offTex, ORD: ordTex, uD: width }, { size });
  gpu.release(offTex);
  gpu.release(ordTex);
  return out;
}

export function segmentSumRows(gpu: Gpu, values: GpuTensor, segmentIds: Int32Array, numSegments: number): Tex {
  const width = values.shape.slice(1).reduce((a, b) => a * b, 1);
  return segmentSumTex(gpu, values.tex, width, segmentIds, numSegments, values.dtype);
}

/**
 * The vertex shader of every row-sparse draw. Vertex v belongs to line v/2: touched row
 * i = line / uSegs, run `part` = line mod uSegs of that row. Runs a row does not have are
 * moved outside the clip volume, so they draw nothing.
 *   vRow    — i, the touched row's position in the gathered inputs and per-row constants
 *   vOffset — add to a fragment's flat output index to get its gathered input index
 */
export const ROW_LINES_VS = `${GLSL_HEADER}
uniform sampler2D uRows;
uniform int uD;
uniform int uSegs;
uniform int uOutShift;
uniform int uTW;
uniform int uTH;
flat out int vRow;
flat out int vOffset;
void main() {
  int line = gl_VertexID >> 1;
  int i = line / uSegs;
  int part = line - i * uSegs;
  int rowsShift = int(log2(float(textureSize(uRows, 0).x)) + 0.5);
  int row = int(texelFetch(uRows, ivec2(i & ((1 << rowsShift) - 1), i >> rowsShift), 0).r);
  int start = row * uD;
  int y = (start >> uOutShift) + part;
  int lo = max(start, y << uOutShift);
  int hi = min(start + uD, (y + 1) << uOutShift);
  vRow = i;
  vOffset = i * uD - start;
  if (lo >= hi) {
    gl_Position = vec4(-2.0, -2.0, 0.0, 1.0);
    return;
  }
  // half-open run [lo, hi): from the centre of texel lo to the centre of texel hi
  float x = float(((gl_VertexID & 1) == 0 ? lo : hi) - (y << uOutShift)) + 0.5;
  gl_Position = vec4(x / float(uTW) * 2.0 - 1.0, (float(y) + 0.5) / float(uTH) * 2.0 - 1.0, 0.0, 1.0);
}`;

/** Fragment-shader preamble for row draws: `src` is the gathered index of this fragment. */
export const ROW_FS_PREAMBLE = `
uniform int uOutShift;
flat in int vRow;
flat in int vOffset;
int gatheredIndex() {
  ivec2 c = ivec2(gl_FragCoord.xy);
  return (c.y << uOutShift) + c.x + vOffset;
}
${GLSL_FETCH}`;

/**
 * Runs a row program (vertex shader ROW_LINES_VS) over the touched rows `rows` (an R32F
 * texture of `count` row ids) of `target`, whose rows are `width` elements wide.
 */
export function drawRows(gpu: Gpu, program: Program, target: Tex, rows: Tex, count: number, width: number, bindings: Record<string, Binding>): void {
  const W = target.width;
  // a run of `width` texels starting anywhere in a texture row spans at most this many rows
  const segs = Math.ceil((W - 1 + width) / W);
  gpu.draw(program, target, { ...bindings, uRows: rows, uD: width, uSegs: segs, uTW: W, uTH: target.height },
    { lineVertices: count * segs * 2 });
}

/** In place: target[rows[i]] += values[i] (rows may repeat: they are summed first). */
export function scatterAddRows(gpu: Gpu, target: GpuTensor, rows: Int32Array, values: GpuTensor): void {
  const width = target.shape.slice(1).reduce((a, b) => a * b, 1);
  if (rows.length === 0 || width === 0) return;
  checkExact('scatterAddRows', target.shape[0], 'table rows');
  const { unique, inverse } = uniqueSorted(rows);
  const summed = segmentSumTex(gpu, values.tex, width, inverse, unique.length, 'float32');
  const rowsTex = gpu.uploadFloats(unique);
  const old = gatherRowsTex(gpu, target.tex, target.dtype, rowsTex, unique.length, width);
  const program = gpu.program('rows:scatterAdd', 'scatterAddRows', () => ({
    vs: ROW_LINES_VS,
    fs: `${ROW_FS_PREAMBLE}
uniform sampler2D OLD;
uniform sampler2D SUM;
out vec4 outColor;
void main() {
  int src = gatheredIndex();
  outColor = vec4(fetch(OLD, src) + fetch(SUM, src));
}`,
  }));
  drawRows(gpu, program, target.tex, rowsTex, unique.length, width, { OLD: old, SUM: summed });
  for (const t of [summed, rowsTex, old]) gpu.release(t);
}
