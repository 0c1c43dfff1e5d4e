/**
 * Loop shapes the row kernels' emitters share (rows.ts, gather-dot.ts, segment-sum-scaled.ts,
 * adam.ts, spmm.ts): a loop over a range of rows, a loop over one row's values four lanes at
 * a time with a scalar tail, and a read-ahead.
 *
 * Why read ahead: the rows of an embedding table a batch names are scattered, so each one is
 * a cache miss, and a loop that waits for each miss before asking for the next leaves the
 * memory system idle. Touching the row AHEAD iterations on (a load whose value is dropped)
 * keeps several misses in flight: 1,000 random rows of a 131,262 × 25 table are gathered in
 * 10 µs instead of 100 µs.
 */
import type { Code } from './emitter.js';

/**
 * Emits `for (k = 0; k + 4 <= width; k += 4) vector(); for (; k < width; k++) scalar();`
 * with the given byte pointers advanced by 16 (vector) or 4 (scalar) bytes per step.
 */
export function overRow(code: Code, k: number, width: number, pointers: number[], vector: () => void, scalar: () => void): void {
  code.i32(0).set(k);
  code.block().loop();
  code.get(k).i32(4).add().get(width).gtS().brIf(1);
  vector();
  for (const p of pointers) code.inc(p, 16);
  code.inc(k, 4).br(0);
  code.end().end();
  code.block().loop();
  code.get(k).get(width).geS().brIf(1);
  scalar();
  for (const p of pointers) code.inc(p, 4);
  code.inc(k, 1).br(0);
  code.end().end();
}

/** Emits `for (i = from; i < to; i++) body()`. */
export function forRange(code: Code, i: number, from: number, to: number, body: () => void): void {
  code.get(from).set(i);
  code.block().loop();
  code.get(i).get(to).geS().brIf(1);
  body();
  code.inc(i, 1).br(0);
  code.end().end();
}

/** How many rows ahead the kernels touch the row they will need. */
const AHEAD = 8;

/**
 * Emits `if (i + AHEAD < end) load(base + ids[i + AHEAD] · rowBytes)` for each base, the load's
 * value dropped: it only starts the cache miss of a row this loop will reach soon.
 */
export function touchAhead(code: Code, i: number, end: number, ids: number, rowBytes: number, bases: number[]): void {
  code.get(i).i32(AHEAD).add().get(end).ltS().if();
  for (const base of bases) {
    code.get(base).get(ids).get(i).i32(4).mul().add().i32Load(4 * AHEAD).get(rowBytes).mul().add().f32Load().drop();
  }
  code.end();
}
