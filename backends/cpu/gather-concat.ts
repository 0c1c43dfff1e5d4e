/**
 * gatherConcat and segmentSumColumns — accelerations (core/kernels.ts; reference compositions
 * in ops/gather-concat.ts): DeepMF's input layer, the embedding lookups written side by side
 * into one [n, Σ widths] array, and its backward, the segment sum of one table's column window
 * of the gradient.
 *
 * Composed, the forward gathers each table into its own [n, width] array and concat copies
 * them again; the backward slices the gradient back into per-table copies before their
 * segment sums. At DeepMF's batch of 25,000 those passes cost about as much as its 64-64-1
 * MLP (README, "Dense compute and both cores"). Both directions are a product with a one-hot
 * matrix, so they run on the strided spmm kernel (spmm.ts): the lookup is P·table with one
 * entry of value 1 per row, written into its column window of the output; the segment sum is
 * Sᵀ·dy[:, window] with each segment's entries grouped into that segment's output row (a
 * counting sort by segment id) — every output row written once, no zero-fill, no scattered
 * adds, rows shared with the worker threads.
 *
 * The JavaScript twins (float64 for the gradient checks, and wherever WebAssembly or the
 * arena is missing) are the plain loops below.
 */
import type { FloatArray } from './elementwise.js';
import type { Arena } from './memory.js';
import { spmmStrided } from './spmm.js';

/** out[i, off_t : off_t + w_t] = tables[t][ids[t][i]] for every table t; out is [n, Σ w]. */
export function gatherConcatInto(arena: Arena, tables: FloatArray[], widths: number[], ids: Int32Array[], out: FloatArray): void {
  const n = ids[0].length;
  const W = widths.reduce((a, b) => a + b, 0);
  const indptr = Int32Array.from({ length: n + 1 }, (_, i) => i);
  const ones = new Float32Array(n).fill(1);
  let off = 0;
  for (let t = 0; t < tables.length; t++) {
    const w = widths[t], table = tables[t], idx = ids[t];
    if (n === 0 || !spmmStrided(arena, indptr, idx, ones, table, 0, w, w, out, off, W)) {
      for (let i = 0; i < n; i++) {
        const src = idx[i] * w, dst = i * W + off;
        for (let j = 0; j < w; j++) out[dst + j] = table[src + j];
      }
    }
    off += w;
  }
}

/**
 * out[s] = Σ_{i: seg[i] = s} values[i, offset : offset + width] → [numSegments, width] for
 * values [n, W]; every row of out is written (zeros where no entry names it).
 */
export function segmentSumColumnsInto(arena: Arena, values: FloatArray, W: number, offset: number, width: number, seg: Int32Array,
  numSegments: number, out: FloatArray): void {
  const n = seg.length;
  // the entries grouped by segment: Sᵀ as CSR, a row per segment, its entries as columns
  const indptr = new Int32Array(numSegments + 1);
  for (let i = 0; i < n; i++) indptr[seg[i] + 1]++;
  for (let s = 0; s < numSegments; s++) indptr[s + 1] += indptr[s];
  const next = indptr.slice(0, numSegments);
  const entries = new Int32Array(n);
  for (let i = 0; i < n; i++) entries[next[seg[i]]++] = i;
  if (spmmStrided(arena, indptr, entries, new Float32Array(n).fill(1), values, offset, W, width, out, 0, width)) return;
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const src = i * W + offset, dst = seg[i] * width;
    for (let j = 0; j < width; j++) out[dst + j] += values[src + j];
  }
}
