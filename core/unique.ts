/**
 * Sorted unique ids plus, for each input position, the position of its id among them — the
 * step that turns a batch's ids into a row-sparse gradient's rows (duplicates summed by a
 * segment sum over `inverse`). A leaf: backends use it too (WebGL sums duplicate rows of a
 * scatter-add with it) without pulling in tensors or autograd.
 *
 * O(n + u log u) for u unique ids: a marker array (reused between calls, reset after use)
 * finds the unique ids in one pass, then only those are sorted — never O(table rows) work.
 * When the ids are dense in [0, maxId] (a big batch over a small table: 23k of 138k users),
 * reading the marker array in order is cheaper than sorting, and gives the same result.
 */
let marker = new Int32Array(0);

export function uniqueSorted(ids: Int32Array | ArrayLike<number>): { unique: Int32Array; inverse: Int32Array } {
  const n = ids.length;
  const inverse = new Int32Array(n);
  if (n === 0) return { unique: new Int32Array(0), inverse };
  let maxId = 0;
  for (let i = 0; i < n; i++) if (ids[i] > maxId) maxId = ids[i];
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
  let unique: Int32Array;
  if (maxId < count * 8) {
    unique = new Int32Array(count);
    for (let id = 0, j = 0; id <= maxId; id++) if (marker[id] >= 0) { unique[j] = id; marker[id] = j++; }
  } else {
    unique = found.slice(0, count).sort();
    for (let j = 0; j < count; j++) marker[unique[j]] = j;
  }
  for (let i = 0; i < n; i++) inverse[i] = marker[ids[i]];
  for (let j = 0; j < count; j++) marker[unique[j]] = -1;
  return { unique, inverse };
}
