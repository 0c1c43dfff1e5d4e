/** The recommender model families. */
import { registerModel } from './registry.js';
import { MatrixFactorization, type MFConfig } from './mf.js';
import { DeepMF, type DeepMFConfig } from './deepmf.js';

registerModel('MatrixFactorization', (c) => new MatrixFactorization(c as unknown as MFConfig));
registerModel('DeepMF', (c) => new DeepMF(c as unknown as DeepMFConfig));

export { MatrixFactorization, type MFConfig } from './mf.js';
export { DeepMF, type DeepMFConfig, type SideFeature, ratingToClass, classToRating } from './deepmf.js';
export { Recommender, type ModelMeta, type RecommendOptions } from './recommender.js';
export { registerModel, modelNames } from './registry.js';
