/**
 * Shared by the implicit-feedback examples: command-line flags, the data (built-in
 * MovieLens-shaped synthetic set or a real MovieLens directory), the per-user split into
 * clicks to train on and clicks to find, and two reference scorers:
 *
 *   popularity  every user gets the items most users clicked — the baseline to beat;
 *   oracle      (synthetic data only) the generator's hidden truth: P(click) ∝ the item's
 *               popularity weight × P(rating ≥ threshold | hidden taste). No model can
 *               expect to beat it; the gap between popularity and oracle is all the
 *               personal signal the data holds.
 */
import { movielensLike, type SyntheticRatings } from '../../datasets/synthetic/movielens.js';
import type { PresetName } from '../../datasets/synthetic/presets.js';
import { loadMovieLens } from '../../datasets/loaders/movielens.js';
import { perUserHoldout, toImplicit } from '../../datasets/splits.js';
import { buildCSR } from '../../datasets/matrix.js';
import type { InteractionData, RatingsDataset } from '../../datasets/types.js';
import type { CSR } from '../../core/csr.js';
import type { RankingResult, RankingScorer, RankingSplit } from '../../models/train/ranking.js';

/** `--name value` and `--flag` from argv. */
export function flags(argv = process.argv.slice(2)) {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    get,
    num: (name: string, fallback: number): number => (get(name) === undefined ? fallback : Number(get(name))),
    has: (name: string): boolean => argv.includes(`--${name}`),
  };
}

export async function loadRatings(opts: { data?: string; scale?: string; seed?: number }): Promise<RatingsDataset> {
  if (opts.data) return loadMovieLens(opts.data);
  return movielensLike({ preset: (opts.scale ?? 'small') as PresetName, seed: opts.seed ?? 0 });
}

export interface ImplicitSplit {
  /** clicks to train on (rating ≥ threshold, each rating 1) */
  train: InteractionData;
  trainMatrix: CSR;
  testMatrix: CSR;
  /** for evaluateRanking: input = train clicks (excluded), target = held-out clicks */
  split: RankingSplit;
}

/** Ratings ≥ threshold become clicks; each user gives `fraction` of them (random) to find. */
export function perUserClicks(ds: InteractionData, opts: { threshold?: number; fraction?: number; seed?: number } = {}): ImplicitSplit {
  const clicks = toImplicit(ds, { threshold: opts.threshold ?? 4 });
  const { train, test } = perUserHoldout(clicks, { fraction: opts.fraction ?? 0.2, minTrain: 1, seed: opts.seed ?? 0 });
  const m = (d: InteractionData) => buildCSR(d.users, d.items, null, [ds.numUsers, ds.numItems], 'max');
  const trainMatrix = m(train);
  const testMatrix = m(test);
  return { train, trainMatrix, testMatrix, split: { input: trainMatrix, target: testMatrix } };
}

function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  return s * (1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a));
}

/**
 * The generator's truth as a scorer (synthetic data only). `rowUser[r]` is the data set's
 * user of row r, `column[c]` the data set's item of column c (identity by default).
 */
export function oracleScorer(ds: RatingsDataset, opts: { threshold?: number; rowUser?: Int32Array; column?: Int32Array } = {}): RankingScorer | null {
  const truth = (ds as Partial<SyntheticRatings>).truth;
  if (!truth) return null;
  const k = truth.rank;
  // the star level of `threshold`: a rating ≥ threshold means z above that level's cut
  const starMin = ds.ratingScale.min;
  const level = Math.round(((opts.threshold ?? 4) - starMin) / ds.ratingScale.step);
  const cut = truth.thresholds[level - 1];
  const column = opts.column ?? Int32Array.from({ length: ds.numItems }, (_, i) => i);
  const N = column.length;
  return {
    numItems: N,
    scoreBatch(users: Int32Array): Float32Array {
      const out = new Float32Array(users.length * N);
      users.forEach((row, r) => {
        const u = opts.rowUser ? opts.rowUser[row] : row;
        for (let c = 0; c < N; c++) {
          const i = column[c];
          let dot = 0;
          for (let d = 0; d < k; d++) dot += truth.userFactors[u * k + d] * truth.itemFactors[i * k + d];
          const mean = truth.userBias[u] + truth.itemBias[i] + (truth.interactionScale * dot) / Math.sqrt(k);
          const pLike = 0.5 * (1 + erf((mean - cut) / (truth.noiseStd * Math.SQRT2)));
          out[r * N + c] = Math.log(truth.itemWeights[i]) + Math.log(Math.max(pLike, 1e-12));
        }
      });
      return out;
    },
  };
}

/** A Markdown table of results: one row per model, one column per metric. */
export function resultTable(rows: { name: string; result: RankingResult; note?: string }[], log = console.log): void {
  const keys = Object.keys(rows[0].result.metrics);
  log(`| model | ${keys.join(' | ')} |${rows.some((r) => r.note) ? ' note |' : ''}`);
  log(`|---|${keys.map(() => '---').join('|')}|${rows.some((r) => r.note) ? '---|' : ''}`);
  for (const r of rows) {
    log(`| ${r.name} | ${keys.map((k) => r.result.metrics[k].toFixed(4)).join(' | ')} |${r.note !== undefined ? ` ${r.note} |` : rows.some((x) => x.note) ? ' |' : ''}`);
  }
}
