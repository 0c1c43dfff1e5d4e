/**
 * What a data set looks like: sizes, rating distribution, activity and popularity spread,
 * and what it costs to store as a dense matrix vs CSR (the seed's point: ML-20M is
 * 3.7 GB as a dense byte matrix, 180 MB sparse — as float32 the dense side is 14.8 GB).
 */
import { storageReport } from '../core/csr.js';
import { itemCounts, userCounts } from './matrix.js';
import type { InteractionData } from './types.js';

export interface Spread {
  min: number;
  median: number;
  mean: number;
  max: number;
}

export interface StorageStats {
  /** float32 dense matrix numUsers × numItems */
  denseBytes: number;
  /** one byte per dense cell (how the seed counted: 3.7 GB for ML-20M) */
  denseBytesUint8: number;
  /** int32 indptr + int32 indices + float32 values */
  csrBytes: number;
  /** denseBytes / csrBytes */
  ratio: number;
}

export interface DatasetStats {
  name: string;
  numUsers: number;
  numItems: number;
  numRatings: number;
  /** fraction of the user×item matrix that is filled */
  density: number;
  rating: { mean: number; std: number; min: number; max: number; histogram: { value: number; count: number }[] };
  perUser: Spread;
  perItem: Spread;
  /** share of all ratings that go to the most popular 1% of items */
  top1PercentItemShare: number;
  timeRange?: [number, number];
  storage: StorageStats;
}

/** Dense-vs-CSR bytes for a numUsers × numItems matrix with one entry per rating. */
export function storage(data: Pick<InteractionData, 'numUsers' | 'numItems' | 'ratings'>): StorageStats {
  const r = storageReport(data.numUsers, data.numItems, data.ratings.length);
  return { denseBytes: r.denseBytes, denseBytesUint8: data.numUsers * data.numItems, csrBytes: r.csrBytes, ratio: r.ratio };
}

function spread(counts: Int32Array): Spread {
  if (counts.length === 0) return { min: 0, median: 0, mean: 0, max: 0 };
  const sorted = counts.slice().sort();
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, mean: sum / sorted.length, max: sorted[sorted.length - 1] };
}

export function describe(data: InteractionData): DatasetStats {
  const n = data.ratings.length;
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  const hist = new Map<number, number>();
  for (let e = 0; e < n; e++) {
    const r = data.ratings[e];
    sum += r;
    sq += r * r;
    if (r < min) min = r;
    if (r > max) max = r;
    if (hist.size <= 64) hist.set(r, (hist.get(r) ?? 0) + 1);
  }
  const mean = n ? sum / n : 0;
  const std = n ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0;
  // a histogram only makes sense for a rating scale (few distinct values)
  const histogram = hist.size <= 64 ? [...hist].sort((a, b) => a[0] - b[0]).map(([value, count]) => ({ value, count })) : [];
  const ic = itemCounts(data);
  const sortedItems = ic.slice().sort().reverse();
  const top = Math.max(1, Math.ceil(sortedItems.length / 100));
  let topSum = 0;
  for (let i = 0; i < top && i < sortedItems.length; i++) topSum += sortedItems[i];
  let timeRange: [number, number] | undefined;
  if (data.timestamps && data.timestamps.length) {
    let a = Infinity;
    let b = -Infinity;
    for (let e = 0; e < data.timestamps.length; e++) {
      const t = data.timestamps[e];
      if (t < a) a = t;
      if (t > b) b = t;
    }
    timeRange = [a, b];
  }
  return {
    name: data.name ?? '(unnamed)',
    numUsers: data.numUsers,
    numItems: data.numItems,
    numRatings: n,
    density: n / (data.numUsers * data.numItems || 1),
    rating: { mean, std, min: n ? min : 0, max: n ? max : 0, histogram },
    perUser: spread(userCounts(data)),
    perItem: spread(ic),
    top1PercentItemShare: n ? topSum / n : 0,
    timeRange,
    storage: storage(data),
  };
}

export function formatBytes(b: number): string {
  if (b >= 1e9) return `${(b / 1e9).toFixed(1)} GB`;
  if (b >= 1e6) return `${(b / 1e6).toFixed(1)} MB`;
  if (b >= 1e3) return `${(b / 1e3).toFixed(1)} kB`;
  return `${b} B`;
}

const f = (x: number, d = 2) => (Number.isInteger(x) ? String(x) : x.toFixed(d));

/** A few readable lines for the CLI's `info` / `train`. */
export function formatStats(s: DatasetStats): string {
  const lines = [
    `${s.name}: ${s.numUsers.toLocaleString('en-US')} users × ${s.numItems.toLocaleString('en-US')} items, ` +
      `${s.numRatings.toLocaleString('en-US')} ratings (density ${(s.density * 100).toFixed(3)}%)`,
    `ratings: mean ${f(s.rating.mean)} std ${f(s.rating.std)} range [${s.rating.min}, ${s.rating.max}]`,
    `per user: min ${s.perUser.min} median ${f(s.perUser.median)} mean ${f(s.perUser.mean, 1)} max ${s.perUser.max}`,
    `per item: min ${s.perItem.min} median ${f(s.perItem.median)} mean ${f(s.perItem.mean, 1)} max ${s.perItem.max}; ` +
      `top 1% of items get ${(s.top1PercentItemShare * 100).toFixed(1)}% of ratings`,
    `storage: dense ${formatBytes(s.storage.denseBytes)} (float32; ${formatBytes(s.storage.denseBytesUint8)} as bytes) ` +
      `vs CSR ${formatBytes(s.storage.csrBytes)} (${s.storage.ratio.toFixed(0)}× smaller)`,
  ];
  if (s.timeRange) {
    const d = (t: number) => new Date(t * 1000).toISOString().slice(0, 10);
    lines.push(`time: ${d(s.timeRange[0])} .. ${d(s.timeRange[1])}`);
  }
  return lines.join('\n');
}
