/**
 * Sorted unique ids plus, for each input position, the position of its id among them — the
 * step that turns a batch's ids into a row-sparse gradient's rows (duplicates summed by a
 * segment sum over `inverse`). A leaf: backends use it too (WebGL sums duplicate rows of a
 * scatter-add with it) without pulling in tensors or autograd.
 *
 * Never O(table rows) work, and cheap in memory traffic, because it runs every step:
 *
 * - Ids in a range that is small next to the batch (maxId < 32·16·n: 1,000 ids of ML-20M's
 *   138,493 users): a **bitset** of maxId + 1 bits — 17 KB there, so it stays in the L1/L2
 *   cache — marks the ids present. An id's position among the unique ids is the number of
 *   set bits before it: a running count per word (one branch-free pass of popcounts over the
 *   words) plus a popcount inside its word. Each id then writes itself at that position, so
 *   the sorted unique list needs no pass that walks the set bits one by one (that pass,
 *   branchy on a few hundred non-zero words among thousands, was half the function's time).
 *   O(n + maxId/32).
 * - Otherwise (a few ids over millions of rows): the unique ids are found with a marker array
 *   (reused between calls, reset after use), sorted, and their positions written back into the
 *   marker. O(n + u log u) for u unique ids.
 *
 * The first form replaced the second everywhere it applies: a marker array of 138,493 int32s
 * is 550 KB, more than the L2 cache, so each of its three random passes missed.
 */
let marker = new Int32Array(0);
/** bitset words, all zero between calls */
let bits = new Int32Array(0);
/** per bitset word, the number of set bits in the words before it */
let before = new Int32Array(0);

/** Set bits in a 32-bit word (SWAR popcount). */
function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export function uniqueSorted(ids: Int32Array | ArrayLike<number>): { unique: Int32Array; inverse: Int32Array } {
  const n = ids.length;
  const inverse = new Int32Array(n);
  if (n === 0) return { unique: new Int32Array(0), inverse };
  let maxId = 0;
  for (let i = 0; i < n; i++) if (ids[i] > maxId) maxId = ids[i];
  const words = (maxId >>> 5) + 1;
  return words <= 16 * n + 64 ? viaBitset(ids, n, words, inverse) : viaSort(ids, n, maxId, inverse);
}

function viaBitset(ids: Int32Array | ArrayLike<number>, n: number, words: number, inverse: Int32Array): { unique: Int32Array; inverse: Int32Array } {
  if (bits.length < words) {
    bits = new Int32Array(Math.max(words, bits.length * 2));
    before = new Int32Array(bits.length);
  }
  const set = bits, rank = before;
  for (let i = 0; i < n; i++) set[ids[i] >>> 5] |= 1 << (ids[i] & 31);
  let count = 0;
  for (let w = 0; w < words; w++) {
    rank[w] = count;
    count += popcount(set[w]);
  }
  const unique = new Int32Array(count);
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    const w = id >>> 5;
    const at = rank[w] + popcount(set[w] & ~(-1 << (id & 31)));
    inverse[i] = at;
    unique[at] = id; // duplicates write the same id to the same place
  }
  for (let i = 0; i < n; i++) set[ids[i] >>> 5] = 0;
  return { unique, inverse };
}

function viaSort(ids: Int32Array | ArrayLike<number>, n: number, maxId: number, inverse: Int32Array): { unique: Int32Array; inverse: Int32Array } {
  if (maxId >= marker.length) {
    marker = new Int32Array(Math.max(maxId + 1, marker.length * 2));
    marker.fill(-1);
  }
  const found = new Int32Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (marker[id] < 0) {
      marker[id] = count;
      found[count++] = id;
    }
  }
  const unique = found.slice(0, count).sort();
  for (let j = 0; j < count; j++) marker[unique[j]] = j;
  for (let i = 0; i < n; i++) inverse[i] = marker[ids[i]];
  for (let j = 0; j < count; j++) marker[unique[j]] = -1;
  return { unique, inverse };
}
