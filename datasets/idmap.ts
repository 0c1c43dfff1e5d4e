/**
 * IdMap: raw ids from the source files ↔ dense indices 0..size-1.
 *
 * Embedding tables are indexed by position, so ML-20M's movie ids (1..131,262, only 26,744
 * used) are remapped to 0..26,743: a table 5× smaller. Lookups use a flat Int32Array when
 * the raw ids are small non-negative integers (the usual case, and O(1) without hashing),
 * and a Map otherwise.
 */

/** Raw ids below this go in a flat lookup table (64 MB at most). */
const FLAT_LIMIT = 1 << 24;

export class IdMap {
  /** raw id of each index */
  readonly raw: Int32Array;
  private readonly flat: Int32Array | null;
  private readonly map: Map<number, number> | null;

  /** `raw[i]` is the raw id of index i; ids must be distinct integers. */
  constructor(raw: Int32Array) {
    this.raw = raw;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] < min) min = raw[i];
      if (raw[i] > max) max = raw[i];
    }
    if (raw.length === 0 || (min >= 0 && max < FLAT_LIMIT)) {
      const flat = new Int32Array(raw.length === 0 ? 0 : max + 1).fill(-1);
      for (let i = 0; i < raw.length; i++) {
        if (flat[raw[i]] !== -1) throw new Error(`IdMap: raw id ${raw[i]} appears twice (indices ${flat[raw[i]]} and ${i})`);
        flat[raw[i]] = i;
      }
      this.flat = flat;
      this.map = null;
    } else {
      const map = new Map<number, number>();
      for (let i = 0; i < raw.length; i++) {
        if (map.has(raw[i])) throw new Error(`IdMap: raw id ${raw[i]} appears twice (indices ${map.get(raw[i])} and ${i})`);
        map.set(raw[i], i);
      }
      this.flat = null;
      this.map = map;
    }
  }

  /** Raw ids offset, offset+1, … (e.g. MovieLens user ids 1..n). */
  static range(size: number, offset = 0): IdMap {
    const raw = new Int32Array(size);
    for (let i = 0; i < size; i++) raw[i] = i + offset;
    return new IdMap(raw);
  }

  get size(): number {
    return this.raw.length;
  }

  /** Dense index of a raw id, or -1 when the id is unknown. */
  toIndex(raw: number): number {
    if (this.flat) return raw >= 0 && raw < this.flat.length && Number.isInteger(raw) ? this.flat[raw] : -1;
    return this.map!.get(raw) ?? -1;
  }

  has(raw: number): boolean {
    return this.toIndex(raw) !== -1;
  }

  /** Raw id of a dense index. */
  toRaw(index: number): number {
    if (!(Number.isInteger(index) && index >= 0 && index < this.raw.length)) {
      throw new Error(`IdMap.toRaw: index ${index} is outside [0, ${this.raw.length})`);
    }
    return this.raw[index];
  }

  /** Dense indices of many raw ids; throws naming the first unknown one. */
  toIndices(raws: ArrayLike<number>): Int32Array {
    const out = new Int32Array(raws.length);
    for (let i = 0; i < raws.length; i++) {
      const k = this.toIndex(raws[i]);
      if (k === -1) throw new Error(`IdMap.toIndices: raw id ${raws[i]} at position ${i} is unknown`);
      out[i] = k;
    }
    return out;
  }
}

/**
 * Remaps a column of raw ids to dense indices in place. Indices follow ascending raw id
 * order (so MovieLens user 1 → 0, user 2 → 1, …), which makes the result independent of
 * row order. Returns the IdMap.
 */
export function denseIds(column: Int32Array, extra?: ArrayLike<number>): IdMap {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (extra) for (let i = 0; i < extra.length; i++) { min = Math.min(min, extra[i]); max = Math.max(max, extra[i]); }
  if (column.length === 0 && !extra?.length) return new IdMap(new Int32Array(0));
  if (min >= 0 && max < FLAT_LIMIT) {
    // mark present ids, number them in ascending order, rewrite the column
    const slot = new Int32Array(max + 1);
    for (let i = 0; i < column.length; i++) slot[column[i]] = 1;
    if (extra) for (let i = 0; i < extra.length; i++) slot[extra[i]] = 1;
    let n = 0;
    for (let id = 0; id <= max; id++) if (slot[id]) n++;
    const raw = new Int32Array(n);
    n = 0;
    for (let id = 0; id <= max; id++) {
      if (slot[id]) { raw[n] = id; slot[id] = n++; }
    }
    for (let i = 0; i < column.length; i++) column[i] = slot[column[i]];
    return new IdMap(raw);
  }
  // large or negative ids: sort the distinct values
  const all = new Int32Array(column.length + (extra?.length ?? 0));
  all.set(column);
  if (extra) for (let i = 0; i < extra.length; i++) all[column.length + i] = extra[i];
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[n++] = all[i];
  const map = new IdMap(all.slice(0, n));
  for (let i = 0; i < column.length; i++) column[i] = map.toIndex(column[i]);
  return map;
}
