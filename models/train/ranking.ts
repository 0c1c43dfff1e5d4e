/**
 * Ranking metrics for top-K recommendation, and `evaluateRanking`, which scores every item
 * for each evaluation user (in batches), drops the items the user already has, and averages.
 *
 * Definitions (position i is 1-based, `ranked` is the model's list, best first):
 *   Recall@K     hits in the top K / min(K, |relevant|)   (Liang et al. 2018 and the seed:
 *                dividing by |relevant| alone would cap a user with 300 held-out items at K/300)
 *   Precision@K  hits in the top K / K
 *   HitRate@K    1 if any relevant item is in the top K, else 0
 *   AP@K         (1 / min(K, |relevant|)) · Σ_{i ≤ K, item i relevant} Precision@i;  MAP@K = mean AP@K
 *   NDCG@K       DCG/IDCG, DCG = Σ_{i ≤ K} (2^rel_i − 1) / log2(i + 1), IDCG the same sum over the
 *                ideal order (relevances sorted high to low). Binary relevance gives 1/log2(i+1).
 *   AUC          probability that a random relevant item scores above a random non-relevant one
 *                (ties count ½), over the items that are not excluded.
 *
 * An empty relevant set makes every metric 0/0: the per-user functions return NaN, and
 * `evaluateRanking` skips such users (they are not in the averages) and reports how many it
 * skipped. Ties in scores are broken by the lower item index (the order `topK` returns), so
 * results are deterministic.
 */
import type { CSR } from '../../core/csr.js';
import { topK } from '../serving.js';
import type { Callback, EpochLogs, FitContext } from './callbacks.js';

/** The relevant items: a Set, or a list of item indices. */
export type RelevantItems = ReadonlySet<number> | ArrayLike<number>;

function asSet(r: RelevantItems): ReadonlySet<number> {
  if (r instanceof Set) return r;
  return new Set(Array.from(r as ArrayLike<number>));
}

function checkK(name: string, k: number): void {
  if (!(Number.isInteger(k) && k > 0)) throw new Error(`${name}: k must be a positive integer, got ${k}`);
}

function hitsAtK(ranked: ArrayLike<number>, rel: ReadonlySet<number>, k: number): number {
  let hits = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) if (rel.has(ranked[i])) hits++;
  return hits;
}

/** Recall@K = hits in the top k / min(k, |relevant|); NaN for an empty relevant set. */
export function recallAtK(ranked: ArrayLike<number>, relevant: RelevantItems, k: number): number {
  checkK('recallAtK', k);
  const rel = asSet(relevant);
  if (rel.size === 0) return NaN;
  return hitsAtK(ranked, rel, k) / Math.min(k, rel.size);
}

/** Precision@K = hits in the top k / k; NaN for an empty relevant set. */
export function precisionAtK(ranked: ArrayLike<number>, relevant: RelevantItems, k: number): number {
  checkK('precisionAtK', k);
  const rel = asSet(relevant);
  if (rel.size === 0) return NaN;
  return hitsAtK(ranked, rel, k) / k;
}

/** 1 when a relevant item is in the top k, else 0; NaN for an empty relevant set. */
export function hitRateAtK(ranked: ArrayLike<number>, relevant: RelevantItems, k: number): number {
  checkK('hitRateAtK', k);
  const rel = asSet(relevant);
  if (rel.size === 0) return NaN;
  return hitsAtK(ranked, rel, k) > 0 ? 1 : 0;
}

/** AP@K = Σ_{i ≤ k, ranked[i] relevant} Precision@i / min(k, |relevant|); NaN for an empty set. */
export function apAtK(ranked: ArrayLike<number>, relevant: RelevantItems, k: number): number {
  checkK('apAtK', k);
  const rel = asSet(relevant);
  if (rel.size === 0) return NaN;
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    if (rel.has(ranked[i])) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / Math.min(k, rel.size);
}

/** MAP@K: the mean AP@K over users with a non-empty relevant set (NaN if there is none). */
export function mapAtK(ranked: ArrayLike<number>[], relevant: RelevantItems[], k: number): number {
  if (ranked.length !== relevant.length) throw new Error(`mapAtK: ${ranked.length} ranked lists but ${relevant.length} relevant sets`);
  let sum = 0;
  let n = 0;
  for (let u = 0; u < ranked.length; u++) {
    const ap = apAtK(ranked[u], relevant[u], k);
    if (!Number.isNaN(ap)) { sum += ap; n++; }
  }
  return n ? sum / n : NaN;
}

/** Graded relevance: item → grade (items absent have grade 0). */
export type Relevance = ReadonlyMap<number, number>;

/**
 * NDCG@K with gain (2^rel − 1)/log2(i + 1) and IDCG over the ideal ordering. `relevant` is a
 * set or list (binary relevance, gain 1) or a Map item → grade. NaN when no item has grade > 0.
 */
export function ndcgAtK(ranked: ArrayLike<number>, relevant: RelevantItems | Relevance, k: number): number {
  checkK('ndcgAtK', k);
  const grades: Relevance = relevant instanceof Map ? relevant
    : new Map(Array.from(asSet(relevant as RelevantItems), (i) => [i, 1] as [number, number]));
  const gain = (g: number) => Math.pow(2, g) - 1;
  const positive = [...grades.values()].filter((g) => g > 0).sort((a, b) => b - a);
  if (positive.length === 0) return NaN;
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let i = 0; i < n; i++) {
    const g = grades.get(ranked[i]) ?? 0;
    if (g > 0) dcg += gain(g) / Math.log2(i + 2);
  }
  let idcg = 0;
  for (let i = 0; i < Math.min(k, positive.length); i++) idcg += gain(positive[i]) / Math.log2(i + 2);
  return dcg / idcg;
}

/**
 * AUC of one user's scores: P(score of a relevant item > score of a non-relevant one), ties ½,
 * over items not in `exclude`. NaN when there are no relevant or no non-relevant candidates.
 */
export function auc(scores: ArrayLike<number>, relevant: RelevantItems, exclude?: RelevantItems | null): number {
  const rel = asSet(relevant);
  const ex = exclude ? asSet(exclude) : null;
  const cand: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!ex || !ex.has(i)) cand.push(i);
  return aucOf(cand, scores, (i) => rel.has(i));
}

/** Mann–Whitney: the rank sum of the positives, with tied scores sharing their mean rank. */
function aucOf(cand: number[], scores: ArrayLike<number>, isPos: (i: number) => boolean): number {
  cand.sort((a, b) => scores[a] - scores[b]);
  let nPos = 0;
  let rankSum = 0;
  for (let s = 0; s < cand.length;) {
    let e = s;
    while (e + 1 < cand.length && scores[cand[e + 1]] === scores[cand[s]]) e++;
    const meanRank = (s + e) / 2 + 1;
    for (let j = s; j <= e; j++) if (isPos(cand[j])) { nPos++; rankSum += meanRank; }
    s = e + 1;
  }
  const nNeg = cand.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

// ---- evaluation over a split ------------------------------------------------------------

/**
 * Rows to evaluate. Row r is one user: `input` is what the model is given about them (their
 * training items, or the 80% fold-in part of a held-out user) and is excluded from the
 * ranking by default; `target` holds the items to find (values = relevance grades).
 * `users[r]` is the model's user index for row r (id-based models); default r.
 */
export interface RankingSplit {
  input?: CSR | null;
  target: CSR;
  users?: Int32Array;
}

/** What evaluateRanking can score: a batch of rows at once, or one user at a time. */
export interface RankingScorer {
  readonly numItems: number;
  /** Scores [rows × numItems] (row-major) for users (model indices) with their input rows. */
  scoreBatch?(users: Int32Array, input: CSR | null): Float32Array;
  scoreItems?(user: number): Float32Array;
}

export type RankingMetricName = 'recall' | 'precision' | 'ndcg' | 'map' | 'hit' | 'auc';
export const RANKING_METRICS: readonly RankingMetricName[] = ['recall', 'precision', 'ndcg', 'map', 'hit', 'auc'];

export interface EvaluateRankingOptions {
  /** cut-offs (default [20, 50, 100]) */
  k?: number[];
  /** which metrics (default recall and ndcg); 'auc' has no cut-off */
  metrics?: RankingMetricName[];
  /** items never ranked: 'input' (default) = split.input, a CSR aligned with the rows, or null */
  exclude?: CSR | 'input' | null;
  /** users scored at once (default 500) */
  batchSize?: number;
  /** NDCG gain from the target values (default false: binary relevance, as Liang et al.) */
  graded?: boolean;
}

export interface RankingResult {
  /** 'recall@20' → value, … ('auc') */
  metrics: Record<string, number>;
  /** users in the averages */
  users: number;
  /** users skipped because their target row was empty */
  skipped: number;
  seconds: number;
}

function scoresFor(model: RankingScorer, users: Int32Array, input: CSR | null): Float32Array {
  if (model.scoreBatch) return model.scoreBatch(users, input);
  if (!model.scoreItems) throw new Error(`evaluateRanking: ${model.constructor?.name ?? 'the model'} has neither scoreBatch nor scoreItems`);
  const N = model.numItems;
  const out = new Float32Array(users.length * N);
  for (let r = 0; r < users.length; r++) out.set(model.scoreItems(users[r]), r * N);
  return out;
}

/** Scores every item for every row of `split`, ranks, and averages the metrics. */
export function evaluateRanking(model: RankingScorer, split: RankingSplit, opts: EvaluateRankingOptions = {}): RankingResult {
  const start = performance.now();
  const ks = opts.k ?? [20, 50, 100];
  ks.forEach((k) => checkK('evaluateRanking', k));
  const names = opts.metrics ?? ['recall', 'ndcg'];
  for (const m of names) if (!RANKING_METRICS.includes(m)) throw new Error(`evaluateRanking: unknown metric '${m}' (valid: ${RANKING_METRICS.join(', ')})`);
  const { target } = split;
  const N = model.numItems;
  const rows = target.rows;
  if (target.cols !== N) throw new Error(`evaluateRanking: targets have ${target.cols} item columns but the model scores ${N} items`);
  const input = split.input ?? null;
  if (input && (input.rows !== rows || input.cols !== N)) {
    throw new Error(`evaluateRanking: input ${input.rows}×${input.cols} does not match targets ${rows}×${N}`);
  }
  const exclude = opts.exclude === undefined || opts.exclude === 'input' ? input : opts.exclude;
  if (exclude && exclude.rows !== rows) throw new Error(`evaluateRanking: exclude has ${exclude.rows} rows, targets ${rows}`);
  const users = split.users ?? Int32Array.from({ length: rows }, (_, i) => i);
  if (users.length !== rows) throw new Error(`evaluateRanking: ${users.length} user indices for ${rows} rows`);
  const maxK = Math.max(...ks);
  const batchSize = opts.batchSize ?? 500;

  const sums = new Map<string, number>();
  const keys: string[] = [];
  for (const m of names) {
    if (m === 'auc') keys.push('auc');
    else for (const k of ks) keys.push(`${m}@${k}`);
  }
  for (const key of keys) sums.set(key, 0);
  let counted = 0;
  let skipped = 0;
  const scratch = new Float32Array(N);
  const ranks = new Int32Array(N).fill(-1); // item → position in this user's top list
  for (let b0 = 0; b0 < rows; b0 += batchSize) {
    const b1 = Math.min(rows, b0 + batchSize);
    const scores = scoresFor(model, users.subarray(b0, b1), input ? input.sliceRows(b0, b1) : null);
    if (scores.length !== (b1 - b0) * N) {
      throw new Error(`evaluateRanking: the model returned ${scores.length} scores for ${b1 - b0} users × ${N} items`);
    }
    for (let r = b0; r < b1; r++) {
      const t0 = target.indptr[r];
      const t1 = target.indptr[r + 1];
      let nRel = 0;
      for (let p = t0; p < t1; p++) if (target.values[p] > 0) nRel++;
      if (nRel === 0) { skipped++; continue; }
      counted++;
      scratch.set(scores.subarray((r - b0) * N, (r - b0 + 1) * N));
      if (exclude) for (let p = exclude.indptr[r]; p < exclude.indptr[r + 1]; p++) scratch[exclude.indices[p]] = NaN;
      const top = topK(scratch, Math.min(maxK, N)).indices;
      for (let i = 0; i < top.length; i++) ranks[top[i]] = i;
      // relevant items with their grades and positions
      const grades: number[] = [];
      const positions: number[] = [];
      for (let p = t0; p < t1; p++) {
        const g = target.values[p];
        if (g <= 0) continue;
        grades.push(opts.graded ? g : 1);
        positions.push(ranks[target.indices[p]]);
      }
      for (const m of names) {
        if (m === 'auc') {
          const cand: number[] = [];
          for (let i = 0; i < N; i++) if (!Number.isNaN(scratch[i])) cand.push(i);
          const rel = new Set<number>();
          for (let p = t0; p < t1; p++) if (target.values[p] > 0) rel.add(target.indices[p]);
          const a = aucOf(cand, scratch, (i) => rel.has(i));
          sums.set('auc', sums.get('auc')! + (Number.isNaN(a) ? 0 : a));
          continue;
        }
        for (const k of ks) sums.set(`${m}@${k}`, sums.get(`${m}@${k}`)! + metricFromPositions(m, positions, grades, k));
      }
      for (let i = 0; i < top.length; i++) ranks[top[i]] = -1;
    }
  }
  const metrics: Record<string, number> = {};
  for (const key of keys) metrics[key] = counted ? sums.get(key)! / counted : NaN;
  return { metrics, users: counted, skipped, seconds: (performance.now() - start) / 1000 };
}

/** One metric from the 0-based positions (−1 = not in the top list) of the relevant items. */
function metricFromPositions(m: RankingMetricName, positions: number[], grades: number[], k: number): number {
  const nRel = positions.length;
  const inTop = positions.filter((p) => p >= 0 && p < k).sort((a, b) => a - b);
  switch (m) {
    case 'recall': return inTop.length / Math.min(k, nRel);
    case 'precision': return inTop.length / k;
    case 'hit': return inTop.length > 0 ? 1 : 0;
    case 'map': {
      let s = 0;
      inTop.forEach((p, j) => { s += (j + 1) / (p + 1); });
      return s / Math.min(k, nRel);
    }
    case 'ndcg': {
      let dcg = 0;
      for (let j = 0; j < nRel; j++) {
        const p = positions[j];
        if (p >= 0 && p < k) dcg += (Math.pow(2, grades[j]) - 1) / Math.log2(p + 2);
      }
      const ideal = grades.slice().sort((a, b) => b - a);
      let idcg = 0;
      for (let i = 0; i < Math.min(k, nRel); i++) idcg += (Math.pow(2, ideal[i]) - 1) / Math.log2(i + 2);
      return dcg / idcg;
    }
    default: throw new Error(`evaluateRanking: metric '${m}' has no cut-off form`);
  }
}

/** Formats a result as `recall@20=0.3012 ndcg@100=0.2871` (for logs). */
export function formatRanking(r: RankingResult | Record<string, number>): string {
  const m = 'metrics' in r && typeof r.metrics === 'object' ? (r as RankingResult).metrics : (r as Record<string, number>);
  return Object.entries(m).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ');
}

// ---- the popularity baseline ---------------------------------------------------------------

/**
 * Popularity: every user gets the same scores, the number of training users who have each
 * item. The baseline every personalised model must beat.
 */
export class PopularityScorer implements RankingScorer {
  readonly numItems: number;
  readonly counts: Float32Array;

  constructor(counts: ArrayLike<number>) {
    this.counts = Float32Array.from(counts);
    this.numItems = this.counts.length;
  }

  /** Counts of the items in a user×item matrix (each stored entry counts once). */
  static fromMatrix(train: CSR): PopularityScorer {
    const c = new Float32Array(train.cols);
    for (let p = 0; p < train.nnz; p++) if (train.values[p] > 0) c[train.indices[p]]++;
    return new PopularityScorer(c);
  }

  scoreBatch(users: Int32Array): Float32Array {
    const out = new Float32Array(users.length * this.numItems);
    for (let r = 0; r < users.length; r++) out.set(this.counts, r * this.numItems);
    return out;
  }

  scoreItems(): Float32Array {
    return this.counts.slice();
  }
}

// ---- as a fit() callback ----------------------------------------------------------------------

/**
 * Runs evaluateRanking after every epoch of `fit` and logs `Epoch[3] Validation-ndcg@100=0.4123`;
 * the values go into the epoch logs as `val-ndcg@100` …, so EarlyStopping({monitor:
 * 'val-ndcg@100', mode: 'max'}) placed after it can watch them.
 */
export class RankingCallback implements Callback {
  history: RankingResult[] = [];

  constructor(readonly model: RankingScorer, readonly split: RankingSplit, readonly opts: EvaluateRankingOptions = {}) {}

  onEpochEnd(logs: EpochLogs, ctx: FitContext): void {
    const r = evaluateRanking(this.model, this.split, this.opts);
    this.history.push(r);
    for (const [k, v] of Object.entries(r.metrics)) {
      logs.values[`val-${k}`] = v;
      ctx.log(`Epoch[${logs.epoch}] Validation-${k}=${v.toFixed(6)}`);
    }
  }
}
