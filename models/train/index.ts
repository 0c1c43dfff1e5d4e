export { fit, evaluate, predict, makeOptimizer, TrainingDivergedError, LOSS_NAMES, type FitOptions, type FitHistory, type OptimizerSpec, type LossFn } from './fit.js';
export { EarlyStopping, LearningRateSchedule, stepDecay, type Callback, type EpochLogs, type FitContext, type BatchReport } from './callbacks.js';
export { MetricsLog, ProgressBar } from './progress.js';
export type { Batch, BatchSource, Trainable, StepOutput, InputArray } from './types.js';
export type { TrainHistory, LoopSettings } from './loop.js';
export type { BarStream } from './progress.js';
export {
  recallAtK, precisionAtK, hitRateAtK, apAtK, mapAtK, ndcgAtK, auc, evaluateRanking, formatRanking, PopularityScorer,
  RankingCallback, RANKING_METRICS, type RankingSplit, type RankingScorer, type RankingResult, type EvaluateRankingOptions,
  type RankingMetricName, type RelevantItems, type Relevance,
} from './ranking.js';
export { fitRows, rowBatchSize, type FitRowsOptions, type FitRowsHistory, type RowData, type RowBatch } from './fit-rows.js';
export { WeightAverage, type WeightAverageState } from './ema.js';
export { DivergenceGuard, type DivergenceOptions, type DivergenceState } from './divergence.js';
