/** Synthetic data sets: the seed tutorial's toy matrices and the MovieLens-shaped default. */
export { randomMatrix, lowRank, type MatrixOptions, type LowRankOptions, type SampledMatrix } from './matrix.js';
export { movielensLike, normalQuantile, type MovieLensLikeOptions, type SyntheticRatings, type SyntheticTruth } from './movielens.js';
export { PRESETS, type PresetName, type ScalePreset } from './presets.js';
export { MOVIELENS_GENRES } from './names.js';
