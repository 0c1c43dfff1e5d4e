/**
 * Row kernels for embedding tables: gather and segment sum (primitives), scatter-add (an
 * acceleration) — and `drawRows`, the way a row-sparse update writes ONLY the touched rows
 * of a big texture. (The fused gatherDot pair is in gather-dot.ts.)
 *
 * drawRows: a table [N, D] stores row r at flat elements [r·D, r·D + D), which in the
 * texture is a run of texels along one texture row — or, when it crosses a texture-row
 * boundary, two or more runs. The host lists the runs of the touched rows (consecutive touched
 * rows merge into one run), and each run is drawn as one LINE primitive from the centre of
 * its first texel to the centre of the texel after its last; the rasterizer produces exactly
 * those fragments and the rest of the texture is never touched (a 131,262-row table with a
 * batch of 1,000 rows costs 1,000 rows of work, not 131,262). The vertex shader reads its
 * run from a float texture by gl_VertexID (integer textures are unreliable here).
 * A texture cannot be read while it is drawn into, so the old values of the touched rows
 * are gathered into a small texture first.
 *
 * On a software rasterizer each primitive costs about a microsecond of setup, so the number
 * of runs, not the number of texels, sets the price of a row-sparse update.
 */
import type { DType } from '../../core/dtype.js';
import { uniqueSorted } from '../../core/unique.js';
import { GLSL_ADDRESSING, GLSL_FETCH, GLSL_HEADER, GLSL_STORE } from './layout.js';
import type { Binding, Gpu, GpuTensor } from './gpu.js';
import type { Program } from './programs.js';
import type { Tex } from './textures.js';

/** Indices go through float32 textures: exact only below 2^24. */
const MAX_EXACT = 2 ** 24;

export function checkExact(kernel: string, n: number, what: string): void {
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
  int r = idiv(i, uD);
  int id = int(fetch(I, r));
  outColor = vec4(store(fetch(T, id * uD + (i - r * uD))));
}`,
  }));
  const out = gpu.output(size, tableDtype);
  gpu.draw(program, out, { T: table, I: ids, uD: width }, { size });
  return out;
}

export function gatherRows(gpu: Gpu, table: GpuTensor, ids: Int32Array): Tex {
  const width = table.shape.slice(1).reduce((a, b) => a * b, 1);
  checkExact('gatherRows', table.shape[0], 'table rows');
  const idsTex = gpu.uploadFloats(ids);
  const out = gatherRowsTex(gpu, table.tex, table.dtype, idsTex, ids.length, width);
  gpu.release(idsTex);
  return out;
}

/** Positions sorted by segment (a counting sort), as CSR-like offsets and order, uploaded. */
function segmentOrder(gpu: Gpu, segmentIds: Int32Array, numSegments: number): { offsets: Tex; order: Tex } {
  const n = segmentIds.length;
  checkExact('segmentSumRows', Math.max(n, numSegments), 'rows');
  const counts = new Int32Array(numSegments + 1);
  for (let i = 0; i < n; i++) counts[segmentIds[i] + 1]++;
  for (let s = 0; s < numSegments; s++) counts[s + 1] += counts[s];
  const offsets = gpu.uploadFloats(counts);
  const order = new Float32Array(n);
  for (let i = 0; i < n; i++) order[counts[segmentIds[i]]++] = i;
  return { offsets, order: gpu.uploadFloats(order) };
}

/**
 * out[s] = Σ values[i] over i with segmentIds[i] = s. The host sorts positions by segment
 * (`offsets` and `order`, like CSR); fragment (s, j) then sums its own list, in increasing
 * position order — the same order as the CPU backend.
 *
 * With `scaled` (the backward of gatherDot) the summed rows are gathered from a table and
 * scaled: out[s] = Σ scale[i] · table[rowIds[i]], so no [n, D] copy is ever made.
 */
export function segmentSumTex(gpu: Gpu, values: Tex, width: number, segmentIds: Int32Array, numSegments: number, outDtype: DType,
  scaled: { scale: Tex; rowIds: Tex } | null = null): Tex {
  const { offsets, order } = segmentOrder(gpu, segmentIds, numSegments);
  const size = numSegments * width;
  const term = scaled
    ? 'fetch(SCALE, q) * fetchAt(V, vShift, int(fetch(RID, q)) * uD + j)'
    : 'fetchAt(V, vShift, q * uD + j)';
  const program = gpu.program(`rows:segsum:${!!scaled}:${outDtype === 'int32'}`, scaled ? 'segmentSumScaledRows' : 'segmentSumRows', () => ({
    fs: `${GLSL_ADDRESSING}
uniform sampler2D V;
uniform sampler2D OFF;
uniform sampler2D ORD;
${scaled ? 'uniform sampler2D SCALE;\nuniform sampler2D RID;' : ''}
uniform int uD;
out vec4 outColor;
void main() {
  int i = outIndex();
  if (i >= uOutSize) { outColor = vec4(0.0); return; }
  int s = idiv(i, uD);
  int j = i - s * uD;
  int p0 = int(fetch(OFF, s));
  int p1 = int(fetch(OFF, s + 1));
  int vShift = widthShift(V);
  int oShift = widthShift(ORD);
  float acc = 0.0;
  for (int p = p0; p < p1; p++) {
    int q = int(fetchAt(ORD, oShift, p));
    acc += ${term};
  }
  outColor = vec4(store(${outDtype === 'int32' ? 'trunc(acc)' : 'acc'}));
}`,
  }));
  const out = gpu.output(size, outDtype);
  const bindings: Record<string, Binding> = { V: values, OFF: offsets, ORD: order, uD: width };
  if (scaled) Object.assign(bindings, { SCALE: scaled.scale, RID: scaled.rowIds });
  gpu.draw(program, out, bindings, { size });
  gpu.release(offsets);
  gpu.release(order);
  return out;
}

export function segmentSumRows(gpu: Gpu, values: GpuTensor, segmentIds: Int32Array, numSegments: number): Tex {
  const width = values.shape.slice(1).reduce((a, b) => a * b, 1);
  return segmentSumTex(gpu, values.tex, width, segmentIds, numSegments, values.dtype);
}

/**
 * The runs a row-sparse draw covers: touched rows (sorted, unique) that follow each other are
 * one contiguous flat range, and each range is cut where it crosses into the next texture
 * row. Per run, 5 floats: first texel x0, end texel x1 (exclusive), texture row y, and the
 * gathered-input index of texel x0 as src = hi·2^16 + lo — every float stays below 2^24, so
 * float textures hold them exactly.
 */
export function rowRuns(rows: Int32Array, width: number, target: Tex): Float32Array {
  const W = target.width;
  const runs: number[] = [];
  const push = (lo: number, hi: number, src: number) => {
    while (lo < hi) {
      const y = Math.floor(lo / W);
      const end = Math.min(hi, (y + 1) * W);
      runs.push(lo - y * W, end - y * W, y, Math.floor(src / 65536), src % 65536);
      src += end - lo;
      lo = end;
    }
  };
  let i = 0;
  while (i < rows.length) {
    let j = i + 1;
    while (j < rows.length && rows[j] === rows[j - 1] + 1) j++;
    push(rows[i] * width, rows[j - 1] * width + width, i * width);
    i = j;
  }
  return Float32Array.from(runs);
}

/**
 * The vertex shader of every row-sparse draw: vertex v is one end of run v/2, read from the
 * runs texture. The line goes from the centre of texel x0 to the centre of texel x1, which
 * rasterizes exactly texels x0 … x1−1 of row y (the diamond-exit rule).
 *   vOffset — add to a fragment's x to get its index in the gathered inputs
 */
export const ROW_LINES_VS = `${GLSL_HEADER}
uniform sampler2D uRuns;
uniform int uTW;
uniform int uTH;
flat out int vOffset;
${GLSL_FETCH}
void main() {
  int base = (gl_VertexID >> 1) * 5;
  int shift = widthShift(uRuns);
  float x0 = fetchAt(uRuns, shift, base);
  float x1 = fetchAt(uRuns, shift, base + 1);
  float y = fetchAt(uRuns, shift, base + 2);
  int src = int(fetchAt(uRuns, shift, base + 3)) * 65536 + int(fetchAt(uRuns, shift, base + 4));
  vOffset = src - int(x0);
  float x = ((gl_VertexID & 1) == 0 ? x0 : x1) + 0.5;
  gl_Position = vec4(x / float(uTW) * 2.0 - 1.0, (y + 0.5) / float(uTH) * 2.0 - 1.0, 0.0, 1.0);
}`;

/** Fragment-shader preamble for row draws: `gatheredIndex()` is this fragment's gathered input index. */
export const ROW_FS_PREAMBLE = `
flat in int vOffset;
int gatheredIndex() {
  return int(gl_FragCoord.x) + vOffset;
}
${GLSL_FETCH}${GLSL_STORE}`;

/**
 * Runs a row program (vertex shader ROW_LINES_VS) over the touched `rows` (sorted, unique)
 * of `target`, whose rows are `width` elements wide: one LINE per run, nothing else drawn.
 */
export function drawRows(gpu: Gpu, program: Program, target: Tex, rows: Int32Array, width: number, bindings: Record<string, Binding>): void {
  const runs = rowRuns(rows, width, target);
  const runsTex = gpu.uploadFloats(runs);
  gpu.draw(program, target, { ...bindings, uRuns: runsTex, uTW: target.width, uTH: target.height }, { lineVertices: (runs.length / 5) * 2 });
  gpu.release(runsTex);
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
  outColor = vec4(store(fetch(OLD, src) + fetch(SUM, src)));
}`,
  }));
  drawRows(gpu, program, target.tex, unique, width, { OLD: old, SUM: summed });
  for (const t of [summed, rowsTex, old]) gpu.release(t);
}
