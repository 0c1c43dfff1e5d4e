/**
 * Training recipes: the defaults chosen on real data, as one call each — what
 * `sparsegrad train` runs (bin/commands/train.ts) and what the quality benchmark measures
 * (bench/benchmarks/quality.ts), for library users too:
 *
 *   const { model } = await sg.models.trainRatings(data);              // biased MF, best epoch kept
 *   const { model } = await sg.models.trainRatings(data, 'svdpp');     // SVD++: N(u) from the training part only
 *   const { model } = await sg.models.trainUserRows('vae', split);     // Mult-VAE on held-out users
 *   const { scorer } = await sg.models.trainImplicitMF(split.train, split.valid);   // ImplicitMF, held-out users by fold-in
 *   const { scorer } = await sg.models.trainImplicitMF(split.train, split.valid, { loss: 'bpr' });   // … with the BPR loss
 *   const { scorer } = await sg.models.trainEmbeddingModel(split.train, split.valid);   // EmbeddingModel, the same loop
 *
 * Every gradient-trained recipe holds out validation data, stops when the validation metric
 * has not improved for `patience` epochs and ends with the best epoch's weights. The
 * numbers below were chosen on training data only (ml-100k's u1.base split 90/10; the
 * validation users of its held-out-user split), never a test fold: README, "Defaults on
 * real data".
 */
import type { CSR } from '../core/csr.js';
import type { RatingsDataset } from '../datasets/types.js';
import { holdout } from '../datasets/splits.js';
import { clicksOfRows } from '../datasets/matrix.js';
import { BatchIterator } from '../datasets/iterators/batch.js';
import type { Callback } from './train/callbacks.js';
import { fit, type FitHistory } from './train/fit.js';
import { fitRows, rowBatchSize, type FitRowsHistory } from './train/fit-rows.js';
import type { OptimizerSpec } from './train/loop.js';
import type { Optimizer } from './optim/optimizer.js';
import type { RankingSplit } from './train/ranking.js';
import { MatrixFactorization, MF_RATING_DEFAULTS } from './mf.js';
import { SVDpp, SVDPP_RATING_DEFAULTS } from './svdpp.js';
import { DeepMF, type SideFeature } from './deepmf.js';
import { MultVAE } from './vae.js';
import { AutoEncoder } from './autoencoder.js';
import { firstGenre } from '../datasets/features.js';
import type { Recommender } from './recommender.js';
import type { UserRowModel } from './user-rows.js';
import { ImplicitMF, IMPLICIT_LOSSES, type ImplicitLoss } from './implicit-mf.js';
import { EmbeddingModel } from './embedding-model.js';
import { checkLoss } from './inputs.js';
import { FoldIn } from './fold-in.js';
import { NegativeSamplingIterator, PairwiseSamplingIterator } from '../datasets/iterators/negative.js';
import { RankingCallback, type RankingScorer } from './train/ranking.js';

export const RATING_MODELS = ['mf', 'svdpp', 'deepmf', 'deepmf-bn', 'deepmf-class', 'deepmf-asym', 'deepmf-genre'] as const;
export type RatingModelKind = typeof RATING_MODELS[number];
export const ROW_MODELS = ['vae', 'dae'] as const;
export type RowModelKind = typeof ROW_MODELS[number];

export interface TrainingDefaults {
  lr: number;
  /** ratings (rating models) or users (vae, dae) per batch; 'auto' = rowBatchSize(train users) */
  batchSize: number | 'auto';
  /** a ceiling: early stopping usually ends sooner */
  epochs: number;
  patience: number;
  dim?: number;
  reg?: number;
}

const DEEPMF: TrainingDefaults = { lr: 0.005, batchSize: 1000, epochs: 60, patience: 3, dim: 25 };
const USER_ROWS: TrainingDefaults = { lr: 1e-3, batchSize: 'auto', epochs: 200, patience: 20 };

export const TRAINING_DEFAULTS: Record<RatingModelKind | RowModelKind, TrainingDefaults> = {
  mf: { lr: 0.002, batchSize: 500, epochs: 100, patience: 3, dim: MF_RATING_DEFAULTS.dim, reg: MF_RATING_DEFAULTS.reg },
  svdpp: { lr: 0.001, batchSize: 500, epochs: 100, patience: 3, dim: SVDPP_RATING_DEFAULTS.dim, reg: SVDPP_RATING_DEFAULTS.reg },
  deepmf: DEEPMF, 'deepmf-bn': DEEPMF, 'deepmf-class': DEEPMF, 'deepmf-asym': DEEPMF, 'deepmf-genre': DEEPMF,
  vae: USER_ROWS,
  dae: USER_ROWS,
};

export { rowBatchSize };

/** Mult-VAE in the recipe: β reaches its cap after this share of the run's planned updates. */
export const VAE_ANNEAL_FRACTION = 0.5;

/**
 * Mult-VAE in the recipe: validated, kept and returned with the moving average of its
 * weights, decay 0.99 per update (loop.ts `ema`; about ten epochs on ml-100k). On 8 splits
 * of ml-100k's non-test users +0.009 NDCG@100 over the raw weights (README, "Defaults on real data").
 */
export const VAE_EMA = 0.99;

/** Held-out validation users for the user-row models' early stopping: 10% of users, 1 … 10,000. */
export function validationUsers(users: number): number {
  return Math.min(10_000, Math.max(1, Math.round(users * 0.1)));
}

/** What every recipe accepts besides its model's settings. */
export interface RecipeOptions {
  lr?: number;
  batchSize?: number;
  epochs?: number;
  /** epochs without a better validation metric before stopping; 0 = never stop early */
  patience?: number;
  optimizer?: OptimizerSpec['name'];
  weightDecay?: number;
  amp?: boolean;
  /** seed of the validation holdout and the batch shuffles (initialisation follows sg.setSeed) */
  seed?: number;
  sparseGrad?: boolean;
  /**
   * replaces the model built from the options before training — the CLI's `--resume` hands
   * back the saved run's model with its optimizer and training state (models/train/resume.ts)
   */
  prepare?: (model: Recommender) => PreparedModel;
  /** extra callbacks, given the model that trains (e.g. a checkpoint of each new best epoch) */
  callbacks?: (model: Recommender) => Callback[];
  /** log lines (default console.log); verbose: false silences them */
  log?: (line: string) => void;
  verbose?: boolean;
  progress?: boolean;
  batchEndEvery?: number;
}

/** What `prepare` returns: the model to train, and to continue a run, its optimizer and training state. */
export interface PreparedModel {
  model: Recommender;
  optimizer?: Optimizer;
  resume?: unknown;
}

export interface RatingRecipeOptions extends RecipeOptions {
  dim?: number;
  /** mf, svdpp: Funk-SVD L2 per rating */
  reg?: number;
  /** svdpp: Funk-SVD L2 per rating on the y_j of the user's history (default 0.01) */
  implicitReg?: number;
  /** mf: biases (default true) */
  biases?: boolean;
  /** share of the ratings held out for validation (default 0.1) */
  validFraction?: number;
}

export interface RatingRecipeResult {
  model: Recommender;
  history: FitHistory;
  train: RatingsDataset;
  valid: RatingsDataset;
  /** the epoch the model holds (best validation RMSE) */
  bestEpoch: number;
  bestRmse: number;
  settings: { lr: number; batchSize: number; epochs: number; patience: number };
}

/** The rating model of `kind` with the recipe's settings (the global mean from `train`). */
export function buildRatingModel(kind: RatingModelKind, data: RatingsDataset, train: RatingsDataset, opts: RatingRecipeOptions = {}): Recommender {
  const d = TRAINING_DEFAULTS[kind];
  const base = { numUsers: data.numUsers, numItems: data.numItems, sparseGrad: opts.sparseGrad ?? true };
  const dim = opts.dim ?? d.dim!;
  switch (kind) {
    case 'mf': return MatrixFactorization.forRatings(train, { ...base, dim, reg: opts.reg ?? d.reg, biases: opts.biases ?? true });
    case 'svdpp': return SVDpp.forRatings(train, { ...base, dim, reg: opts.reg ?? d.reg, implicitReg: opts.implicitReg ?? SVDPP_RATING_DEFAULTS.implicitReg });
    case 'deepmf': return new DeepMF({ ...base, userDim: dim, itemDim: dim });
    case 'deepmf-bn': return new DeepMF({ ...base, userDim: dim, itemDim: dim, batchNorm: true });
    case 'deepmf-class': return new DeepMF({ ...base, userDim: dim, itemDim: dim, output: 'classification', classes: 10 });
    case 'deepmf-asym': return new DeepMF({ ...base, userDim: 15, itemDim: 25 });
    case 'deepmf-genre': {
      const values = firstGenre(data);
      return new DeepMF({ ...base, userDim: 15, itemDim: 20, sideFeatures: [{ name: 'genre', num: data.genreNames.length + 1, dim: 5, itemValues: Array.from(values) }] });
    }
    default: throw new Error(`trainRatings: unknown model '${kind as string}' (valid: ${RATING_MODELS.join(', ')})`);
  }
}

/** Batches of a rating data set, with the side-feature inputs a model reads. */
export function ratingBatches(d: RatingsDataset, model: Recommender, batchSize: number, shuffle: boolean, seed: number): BatchIterator {
  const inputs: Record<string, Int32Array> = { user: d.users, item: d.items };
  const side = (model.config.sideFeatures as SideFeature[] | undefined) ?? [];
  for (const f of side) inputs[f.name] = Int32Array.from(d.items, (i) => f.itemValues![i]);
  return new BatchIterator({ inputs, label: d.ratings, batchSize, shuffle, seed });
}

/**
 * A rating model trained with the defaults: a seeded holdout (validFraction) for
 * validation, the mean from the training part, keep-best on validation RMSE, early stopping.
 */
export async function trainRatings(data: RatingsDataset, kind: RatingModelKind = 'mf', opts: RatingRecipeOptions = {}): Promise<RatingRecipeResult> {
  const d = TRAINING_DEFAULTS[kind];
  if (!d) throw new Error(`trainRatings: unknown model '${kind}' (valid: ${RATING_MODELS.join(', ')})`);
  const seed = opts.seed ?? 0;
  const { train, valid } = holdout(data, { trainFraction: 1 - (opts.validFraction ?? 0.1), seed });
  const prepared = opts.prepare?.(buildRatingModel(kind, data, train, opts));
  const model = prepared?.model ?? buildRatingModel(kind, data, train, opts);
  // what evaluation needs besides weights: the scale to clip to, the mean for unknown users and items
  model.meta = { ...model.meta, ratingScale: data.ratingScale, trainMean: meanOf(train.ratings) };
  const settings = {
    lr: opts.lr ?? d.lr, batchSize: opts.batchSize ?? (d.batchSize as number), epochs: opts.epochs ?? d.epochs, patience: opts.patience ?? d.patience,
  };
  const callbacks = opts.callbacks?.(model) ?? [];
  const batches = Math.ceil(train.ratings.length / settings.batchSize);
  const history = await fit(model, ratingBatches(train, model, settings.batchSize, true, seed), {
    epochs: settings.epochs, optimizer: prepared?.optimizer ?? { name: opts.optimizer ?? 'adam', lr: settings.lr, weightDecay: opts.weightDecay ?? 0 },
    resume: prepared?.resume, metrics: kind === 'deepmf-class' ? ['accuracy', 'rmse'] : ['rmse'], evalData: ratingBatches(valid, model, Math.max(settings.batchSize, 10000), false, 0),
    amp: opts.amp, keepBest: 'rmse', patience: settings.patience, callbacks, log: opts.log, verbose: opts.verbose, progress: opts.progress,
    batchEndEvery: opts.batchEndEvery ?? Math.max(1, Math.floor(batches / 4)),
  });
  const bestRmse = history.epochs[history.bestEpoch]?.values['val-rmse'] ?? NaN;
  return { model, history, train, valid, bestEpoch: history.bestEpoch, bestRmse, settings };
}

export interface RowRecipeOptions extends RecipeOptions {
  /** cut-offs of the validation metrics (default [20, 50, 100]); NDCG@100 picks the epoch */
  k?: number[];
  /**
   * weight averaging: the decay per update of the weights' moving average that is
   * validated, kept and returned (loop.ts `ema`); 0 = the raw weights (default: vae
   * VAE_EMA = 0.99, dae 0)
   */
  ema?: number;
}

export interface RowRecipeResult {
  model: UserRowModel;
  history: FitRowsHistory;
  bestEpoch: number;
  bestNdcg: number;
  settings: { lr: number; batchSize: number; epochs: number; patience: number; ema: number };
}

/**
 * A Mult-VAE or Mult-DAE trained with the defaults on the rows of `train`, validated (and
 * the epoch kept) by NDCG@100 on `valid`'s held-out users (fold-in input → targets).
 */
export async function trainUserRows(kind: RowModelKind, train: CSR, valid: RankingSplit, opts: RowRecipeOptions = {}): Promise<RowRecipeResult> {
  const d = TRAINING_DEFAULTS[kind];
  if (!d || !(ROW_MODELS as readonly string[]).includes(kind)) throw new Error(`trainUserRows: unknown model '${kind}' (valid: ${ROW_MODELS.join(', ')})`);
  const settings = {
    lr: opts.lr ?? d.lr, batchSize: opts.batchSize ?? rowBatchSize(train.rows), epochs: opts.epochs ?? d.epochs, patience: opts.patience ?? d.patience,
  };
  // β's anneal, planned by fitRows from the run: the cap at half the planned updates (the class
  // default is a fifth); on ml-100k's validation users 0.4726 NDCG@100 vs 0.4688 (README, "Defaults on real data")
  const fresh: UserRowModel = kind === 'vae'
    ? new MultVAE({ numItems: train.cols, seed: opts.seed, annealFraction: VAE_ANNEAL_FRACTION })
    : new AutoEncoder({ numItems: train.cols, seed: opts.seed });
  const prepared = opts.prepare?.(fresh);
  const model = (prepared?.model ?? fresh) as UserRowModel;
  const callbacks = opts.callbacks?.(model) ?? [];
  const ema = opts.ema ?? (kind === 'vae' ? VAE_EMA : 0);
  if (!(ema >= 0 && ema < 1)) throw new Error(`trainUserRows: ema must be in [0, 1) (0 = no weight averaging), got ${opts.ema}`);
  const history = await fitRows(model, train, {
    epochs: settings.epochs, batchSize: settings.batchSize,
    optimizer: prepared?.optimizer ?? { name: opts.optimizer ?? 'adam', lr: settings.lr, weightDecay: opts.weightDecay ?? 0 },
    resume: prepared?.resume, amp: opts.amp, evalSplit: valid, evalOptions: { k: opts.k ?? [20, 50, 100] }, keepBest: 'ndcg@100', patience: settings.patience, callbacks,
    log: opts.log, verbose: opts.verbose, progress: opts.progress, batchEndEvery: opts.batchEndEvery ?? 0, ema: ema > 0 ? ema : undefined,
  });
  const bestNdcg = history.epochs[history.bestEpoch]?.values['val-ndcg@100'] ?? NaN;
  return { model, history, bestEpoch: history.bestEpoch, bestNdcg, settings: { ...settings, ema } };
}

/**
 * ImplicitMF's training defaults: logistic loss on each click and `sampleRatio` uniform
 * negatives (the seed talk's), dim 32 (the class default), Adam; the epoch kept by NDCG@100
 * of the validation users folded in (models/fold-in.ts) — fold-in is also how it scores any
 * user it was not trained on. Chosen on the validation users of ml-100k's held-out-user
 * split (README, "Defaults on real data").
 */
export const IMPLICIT_MF_DEFAULTS = { dim: 32, lr: 0.005, batchSize: 1024, epochs: 100, patience: 5, sampleRatio: 5, foldInReg: 1 } as const;

/**
 * With `loss: 'bpr'`: triples (click, uniform negative) from PairwiseSamplingIterator,
 * `sampleRatio` triples per click, dim 64, fold-in L2 3. Chosen on the same validation users
 * (README, "Defaults on real data": validation NDCG@100 0.4453 at dim 32 with one triple per
 * click, 0.4474 with five, 0.4547 with five at dim 64 and fold-in L2 3).
 */
export const IMPLICIT_MF_BPR_DEFAULTS = { dim: 64, lr: 0.005, batchSize: 1024, epochs: 100, patience: 5, sampleRatio: 5, foldInReg: 3 } as const;

export interface ImplicitRecipeOptions extends RowRecipeOptions {
  /** 'logistic' (default: clicks and sampled negatives) or 'bpr' (pairwise, Rendle et al. 2009) */
  loss?: ImplicitLoss;
  dim?: number;
  /** negatives per click (default 5; with BPR, triples per click, default 5) */
  sampleRatio?: number;
  /** L2 on a folded-in user's vector (FoldIn's `reg`; default 1, with BPR 3) */
  foldInReg?: number;
}

export interface ImplicitRecipeResult {
  model: ImplicitMF;
  /** scores held-out users from their input rows (fold-in with the trained item side) */
  scorer: FoldIn;
  history: FitHistory;
  bestEpoch: number;
  bestNdcg: number;
  settings: { loss: ImplicitLoss; dim: number; lr: number; batchSize: number; epochs: number; patience: number; sampleRatio: number; ema: number };
}

/**
 * An ImplicitMF trained with the defaults on the clicks of `train`'s rows (a user per row),
 * validated (and the epoch kept) by NDCG@100 on `valid`'s held-out users, folded in.
 */
export async function trainImplicitMF(train: CSR, valid: RankingSplit, opts: ImplicitRecipeOptions = {}): Promise<ImplicitRecipeResult> {
  return trainClickModel('trainImplicitMF', train, valid, opts, (s) => new ImplicitMF({
    numUsers: train.rows, numItems: train.cols, dim: s.dim, loss: s.loss, sparseGrad: opts.sparseGrad ?? true, seed: opts.seed,
  }));
}

export interface EmbeddingRecipeResult extends Omit<ImplicitRecipeResult, 'model'> {
  model: EmbeddingModel;
}

/**
 * An EmbeddingModel (dot scoring, an item bias: the music case's model) trained like
 * ImplicitMF — the same loss, sampler, defaults, keep-best on folded-in validation users and
 * early stopping. With dot scoring and an item bias it is ImplicitMF without the user and
 * global biases (which do not change a user's ranking), so ImplicitMF's defaults apply;
 * the music example's SGD lr 1000 and 5 epochs are a speed demonstration, not a training
 * recipe (README, "Defaults on real data").
 */
export async function trainEmbeddingModel(train: CSR, valid: RankingSplit, opts: ImplicitRecipeOptions = {}): Promise<EmbeddingRecipeResult> {
  return trainClickModel('trainEmbeddingModel', train, valid, opts, (s) => new EmbeddingModel({
    numUsers: train.rows, numItems: train.cols, dim: s.dim, loss: s.loss, scoring: 'dot', itemBias: true, initStd: 0.05,
    sparseGrad: opts.sparseGrad ?? true, seed: opts.seed,
  }));
}

type ClickModel = ImplicitMF | EmbeddingModel;

/** The shared loop of the click recipes: negative (or pairwise) sampling, fold-in validation, keep-best. */
async function trainClickModel<M extends ClickModel>(name: string, train: CSR, valid: RankingSplit, opts: ImplicitRecipeOptions,
  build: (settings: ImplicitRecipeResult['settings']) => M): Promise<Omit<ImplicitRecipeResult, 'model'> & { model: M }> {
  const loss = opts.loss ?? 'logistic';
  checkLoss(name, loss, IMPLICIT_LOSSES);
  const d = loss === 'bpr' ? IMPLICIT_MF_BPR_DEFAULTS : IMPLICIT_MF_DEFAULTS;
  const settings = {
    loss, dim: opts.dim ?? d.dim, lr: opts.lr ?? d.lr, batchSize: opts.batchSize ?? d.batchSize, epochs: opts.epochs ?? d.epochs,
    patience: opts.patience ?? d.patience, sampleRatio: opts.sampleRatio ?? d.sampleRatio, ema: opts.ema ?? 0,
  };
  // weight averaging is off by default here: measured only for Mult-VAE (README, "Defaults on real data")
  if (!(settings.ema >= 0 && settings.ema < 1)) throw new Error(`${name}: ema must be in [0, 1) (0 = no weight averaging), got ${opts.ema}`);
  const clicks = clicksOfRows(train);
  const fresh = build(settings);
  const prepared = opts.prepare?.(fresh);
  const model = (prepared?.model ?? fresh) as M;
  const sampling = { batchSize: settings.batchSize, seed: opts.seed ?? 0 };
  const batches = loss === 'bpr'
    ? new PairwiseSamplingIterator(clicks, { negatives: settings.sampleRatio, ...sampling })
    : new NegativeSamplingIterator(clicks, { sampleRatio: settings.sampleRatio, ...sampling });
  const foldOpts = { sampleRatio: settings.sampleRatio, reg: opts.foldInReg ?? d.foldInReg };
  // the item side changes every epoch: fold the validation users in afresh each time
  const current: RankingScorer = { numItems: train.cols, scoreBatch: (u, input) => new FoldIn(model, foldOpts).scoreBatch(u, input) };
  const history = await fit(model, batches, {
    epochs: settings.epochs, optimizer: prepared?.optimizer ?? { name: opts.optimizer ?? 'adam', lr: settings.lr, weightDecay: opts.weightDecay ?? 0 },
    resume: prepared?.resume, amp: opts.amp, metrics: [], keepBest: 'ndcg@100', patience: settings.patience,
    callbacks: [new RankingCallback(current, valid, { k: opts.k ?? [20, 50, 100] }), ...(opts.callbacks?.(model) ?? [])],
    log: opts.log, verbose: opts.verbose, progress: opts.progress, batchEndEvery: opts.batchEndEvery ?? 0,
    ema: settings.ema > 0 ? settings.ema : undefined,
  });
  const bestNdcg = history.epochs[history.bestEpoch]?.values['val-ndcg@100'] ?? NaN;
  return { model, scorer: new FoldIn(model, foldOpts), history, bestEpoch: history.bestEpoch, bestNdcg, settings };
}

function meanOf(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v;
  return x.length ? s / x.length : 0;
}
