export { fit, evaluate, predict, makeOptimizer, TrainingDivergedError, type FitOptions, type FitHistory, type OptimizerSpec } from './fit.js';
export { EarlyStopping, LearningRateSchedule, stepDecay, type Callback, type EpochLogs, type FitContext } from './callbacks.js';
export type { Batch, BatchSource, Trainable } from './types.js';
