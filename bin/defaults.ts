/**
 * What `sparsegrad train` does when a flag is not given: the library's recipes
 * (models/recipes.ts: per-model training defaults, chosen on training data only — README,
 * "Defaults on real data"), plus the CLI's lists of models and the closed-form settings.
 */
import type { ParsedArgs } from './args.js';
import { EASE_DEFAULTS } from '../models/ease.js';
import { ITEM_KNN_DEFAULTS } from '../models/item-knn.js';
import { RATING_MODELS, ROW_MODELS } from '../models/recipes.js';

export { RATING_MODELS, TRAINING_DEFAULTS, rowBatchSize, validationUsers, type TrainingDefaults } from '../models/recipes.js';
export const RANKING_MODELS = [...ROW_MODELS, 'ease', 'itemknn'] as const;
export const MODELS = [...RATING_MODELS, ...RANKING_MODELS] as const;

/** Closed-form models' settings (no epochs). */
export const CLOSED_FORM_DEFAULTS = { lambda: EASE_DEFAULTS.lambda, neighbours: ITEM_KNN_DEFAULTS.k } as const;

/** The recipe options the shared flags give (undefined = the recipe's default). */
export function recipeFlags(a: ParsedArgs) {
  return {
    lr: a.lr as number | undefined, batchSize: a['batch-size'] as number | undefined, epochs: a.epochs as number | undefined,
    patience: a.patience as number | undefined, optimizer: a.optimizer as 'adam' | 'sgd' | 'adagrad', weightDecay: a['weight-decay'] as number,
    amp: !!a.amp, seed: a.seed as number, sparseGrad: !a['dense-grad'],
  };
}
