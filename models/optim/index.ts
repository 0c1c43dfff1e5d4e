export { Optimizer, type OptimizerOptions } from './optimizer.js';
export { SGD, type SGDOptions } from './sgd.js';
export { Adam, type AdamOptions } from './adam.js';
export { AdaGrad, type AdaGradOptions } from './adagrad.js';
export { LossScaler, MixedPrecision, type LossScalerOptions } from './amp.js';
