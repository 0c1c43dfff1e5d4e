/**
 * What `sparsegrad train` does when a flag is not given, per model. These are part of the
 * product: chosen on training data only (ml-100k's u1.base split 90/10, and the validation
 * users of its held-out-user split — never a test fold), as the README's "Defaults on real
 * data" section describes, with the commands that measured them.
 *
 * `epochs` is a ceiling: every gradient-trained model stops early when the validation
 * metric has not improved for `patience` epochs, and the checkpoint holds the best epoch.
 */
import type { ParsedArgs } from './args.js';
import { MF_RATING_DEFAULTS } from '../models/mf.js';
import { EASE_DEFAULTS } from '../models/ease.js';
import { ITEM_KNN_DEFAULTS } from '../models/item-knn.js';

export const RATING_MODELS = ['mf', 'deepmf', 'deepmf-bn', 'deepmf-class', 'deepmf-asym', 'deepmf-genre'] as const;
export const RANKING_MODELS = ['vae', 'dae', 'ease', 'itemknn'] as const;
export const MODELS = [...RATING_MODELS, ...RANKING_MODELS] as const;

export interface TrainingDefaults {
  lr: number;
  /** ratings (rating models) or users (vae, dae) per batch; 'auto' = rowBatchSize(train users) */
  batchSize: number | 'auto';
  epochs: number;
  patience: number;
  dim?: number;
  reg?: number;
}

const DEEPMF: TrainingDefaults = { lr: 0.005, batchSize: 1000, epochs: 60, patience: 3, dim: 25 };
const USER_ROWS: TrainingDefaults = { lr: 1e-3, batchSize: 'auto', epochs: 200, patience: 20 };

export const TRAINING_DEFAULTS: Record<string, TrainingDefaults> = {
  mf: { lr: 0.002, batchSize: 500, epochs: 100, patience: 3, dim: MF_RATING_DEFAULTS.dim, reg: MF_RATING_DEFAULTS.reg },
  deepmf: DEEPMF, 'deepmf-bn': DEEPMF, 'deepmf-class': DEEPMF, 'deepmf-asym': DEEPMF, 'deepmf-genre': DEEPMF,
  vae: USER_ROWS,
  dae: USER_ROWS,
};

/** Closed-form models' settings (no epochs). */
export const CLOSED_FORM_DEFAULTS = { lambda: EASE_DEFAULTS.lambda, neighbours: ITEM_KNN_DEFAULTS.k } as const;

/**
 * Users per batch for the user-row models: about ten updates an epoch on small data (ml-100k:
 * 64), Liang et al.'s 500 on large (ML-20M) — a power of two in [32, 512].
 */
export function rowBatchSize(trainUsers: number): number {
  const b = 2 ** Math.round(Math.log2(Math.max(1, trainUsers / 10)));
  return Math.min(512, Math.max(32, b));
}

/** Held-out validation users for the user-row models' early stopping: 10% of users, 1 … 10,000. */
export function validationUsers(users: number): number {
  return Math.min(10_000, Math.max(1, Math.round(users * 0.1)));
}

/** Share of the run's planned updates over which the Mult-VAE's β rises to its cap. */
export const VAE_ANNEAL_FRACTION = 0.2;

/** A flag's value, else the model's default. */
export function setting<K extends keyof TrainingDefaults>(a: ParsedArgs, flag: string, d: TrainingDefaults, key: K): NonNullable<TrainingDefaults[K]> {
  return (a[flag] ?? d[key]) as NonNullable<TrainingDefaults[K]>;
}

