/** Every differentiable op, as top-level functions. */
import { tensorMethods } from '../core/tensor.js';
import { cast } from './elementwise.js';
import { reshape } from './layout.js';

export * from './creation.js';
export {
  neg, exp, log, log1p, sqrt, abs, square, reciprocal, relu, sigmoid, tanh, softplus, sign, isFinite,
  add, sub, mul, div, pow, maximum, minimum, equal, greater, less, where, cast,
} from './elementwise.js';
export { sum, mean, max, min, type ReduceOptions } from './reduce.js';
export { matmul, type MatmulOptions, type SparseMatmulOptions } from './matmul.js';
export { reshape, flatten, squeeze, expandDims, transpose, concat, slice } from './layout.js';
export { gather, type GatherOptions } from './gather.js';
export { gatherConcat, type GatherConcatOptions } from './gather-concat.js';
export { softmax, logSoftmax, logSumExp } from './nn.js';
export { mse, bceWithLogits, softmaxCrossEntropy } from './losses.js';
export { gatherDot, type GatherDotOptions } from './fused.js';
export { dense, type Activation } from './dense.js';

tensorMethods.cast = cast;
tensorMethods.reshape = reshape;
export {
  cosineLoss, multinomialLogLikelihood, gaussianKL, multiLabelBCE, bprLoss, cosineSimilarityRows, type CosineLossOptions,
} from './recsys-losses.js';
export { cosineSimilarity, cosineMarginLoss, type CosineOptions, type CosineMarginLossOptions } from './cosine.js';
