/**
 * The seed material's picture: a 2-D map of a model's item embeddings, where items the
 * model finds similar (cosine, as `similarItems`) sit together — coloured by first genre,
 * a few titles labelled — with measurements of how faithful the map is:
 *
 * - neighbourhood preservation: the share of each item's 10 nearest neighbours in the
 *   embedding that are also its 10 nearest on the map (t-SNE's, and PCA's as the linear
 *   baseline; a random layout keeps about 10 / (n − 1));
 * - genre agreement: the share of those 10 neighbours with the item's first genre, in the
 *   embedding and on the map (what the colours show), against the share by chance.
 */
import { embeddingMapSvg } from './map.js';
import { nearestNeighbours, neighbourhoodPreservation, normalizeRows, type Neighbours } from './neighbours.js';
import { pca2 } from './pca.js';
import { tsne } from './tsne.js';

export interface ItemMapOptions {
  /** how many items to map (default 2000): the most popular when `counts` is given */
  items?: number;
  /** per-item popularity (e.g. training ratings), to choose and to label the popular items */
  counts?: ArrayLike<number>;
  /** per-item group index (first genre) and the groups' names */
  groups?: ArrayLike<number>;
  groupNames?: string[];
  /** the legend's heading (default 'first genre') */
  legendTitle?: string;
  /** per-item titles, for the labels */
  titles?: ArrayLike<string | undefined>;
  /** how many titles to label (default 12) */
  labels?: number;
  perplexity?: number;
  iterations?: number;
  title?: string;
  /**
   * the rows are item-item scores (dim = numItems, e.g. EASE's weights or ItemKNN's
   * similarities): describe each mapped item by its scores of the other mapped items only,
   * so 2,000 items are 2,000-d instead of catalog-wide
   */
  itemItem?: boolean;
  onProgress?: (iteration: number, iterations: number) => void;
}

export interface ItemMapResult {
  svg: string;
  /** the mapped items (indices into the model's catalog) */
  items: Int32Array;
  /** [items.length, 2] map coordinates */
  coords: Float64Array;
  kl: number;
  /** neighbourhood preservation at k = 10 */
  preservation: { tsne: number; pca: number; random: number; k: number };
  /** share of the 10 nearest with the same group: embedding, map, chance (null without groups) */
  groupAgreement: { embedding: number; map: number; chance: number } | null;
  seconds: number;
}

const K = 10;

/** Maps `numItems` embedding rows (`values` [numItems, dim]). */
export function itemMap(values: ArrayLike<number>, numItems: number, dim: number, opts: ItemMapOptions = {}): ItemMapResult {
  const start = performance.now();
  const want = Math.min(opts.items ?? 2000, numItems);
  if (want < 5) throw new Error(`map: needs at least 5 items, got ${want}`);
  const counts = opts.counts;
  const order = Array.from({ length: numItems }, (_, i) => i);
  if (counts) order.sort((a, b) => counts[b] - counts[a] || a - b);
  const items = Int32Array.from(order.slice(0, want)).sort();
  const cols = opts.itemItem ? items : null;
  const width = cols ? want : dim;
  const x = new Float64Array(want * width);
  for (let r = 0; r < want; r++) {
    for (let d = 0; d < width; d++) x[r * width + d] = values[items[r] * dim + (cols ? cols[d] : d)];
  }
  if (cols) dim = want;
  // cosine similarity, as similarItems: on unit vectors it is a function of Euclidean distance
  const unit = normalizeRows(x, want, dim);
  const perplexity = Math.min(opts.perplexity ?? 30, (want - 1) / 3);
  const original = nearestNeighbours(unit, want, dim, Math.max(K, Math.floor(3 * perplexity)));
  const { coords, kl } = tsne(unit, want, dim, { perplexity, iterations: opts.iterations, neighbours: original, onProgress: opts.onProgress });
  const onMap = nearestNeighbours(coords, want, 2, K);
  const onPca = nearestNeighbours(pca2(unit, want, dim), want, 2, K);
  const first = truncate(original, K);
  const preservation = {
    tsne: neighbourhoodPreservation(first, onMap),
    pca: neighbourhoodPreservation(first, onPca),
    random: K / (want - 1),
    k: K,
  };

  const groups = opts.groups ? Int32Array.from(items, (i) => opts.groups![i]) : new Int32Array(want);
  const groupAgreement = opts.groups ? {
    embedding: agreement(first, groups),
    map: agreement(onMap, groups),
    chance: chanceAgreement(groups),
  } : null;

  const labelOrder = Array.from({ length: want }, (_, r) => r);
  if (counts) labelOrder.sort((a, b) => counts[items[b]] - counts[items[a]] || a - b);
  const labels = opts.titles ? labelOrder.filter((r) => opts.titles![items[r]]).map((r) => ({ index: r, text: String(opts.titles![items[r]]) })) : [];
  const svg = embeddingMapSvg(coords, groups, {
    title: opts.title ?? 'item embeddings',
    subtitle: `t-SNE of ${counts ? `the ${want.toLocaleString('en-US')} most-rated` : want.toLocaleString('en-US')} of ${numItems.toLocaleString('en-US')} items (${dim}-d, cosine); `
      + `${K} nearest neighbours kept on the map: ${preservation.tsne.toFixed(2)} (PCA ${preservation.pca.toFixed(2)}, random ${preservation.random.toFixed(3)})`,
    groupNames: opts.groups ? opts.groupNames ?? [] : ['all items'],
    labels,
    maxLabels: opts.labels ?? 12,
    legendTitle: opts.groups ? opts.legendTitle : ' ',
  });
  return { svg, items, coords, kl, preservation, groupAgreement, seconds: (performance.now() - start) / 1000 };
}

/** The first k columns of a k' ≥ k neighbour table. */
function truncate(nb: Neighbours, k: number): Neighbours {
  if (nb.k === k) return nb;
  const n = nb.indices.length / nb.k;
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    indices.set(nb.indices.subarray(i * nb.k, i * nb.k + k), i * k);
    distances.set(nb.distances.subarray(i * nb.k, i * nb.k + k), i * k);
  }
  return { indices, distances, k };
}

/** Share of each point's neighbours in its own group. */
function agreement(nb: Neighbours, groups: Int32Array): number {
  let same = 0;
  for (let i = 0; i < groups.length; i++) for (let t = 0; t < nb.k; t++) if (groups[nb.indices[i * nb.k + t]] === groups[i]) same++;
  return same / (groups.length * nb.k);
}

/** The same share for neighbours drawn at random: Σ_g (n_g / n) · (n_g − 1) / (n − 1). */
function chanceAgreement(groups: Int32Array): number {
  const n = groups.length;
  const c = new Map<number, number>();
  for (const g of groups) c.set(g, (c.get(g) ?? 0) + 1);
  let s = 0;
  for (const k of c.values()) s += (k / n) * ((k - 1) / (n - 1));
  return s;
}
