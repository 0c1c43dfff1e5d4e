/**
 * sparsegrad's data layer (`sg.datasets`): everything models eat, as typed arrays and CSR.
 *
 *   const ds = sg.datasets.synthetic.movielensLike({ preset: 'ml20m', seed: 1 });   // or
 *   const ds = await sg.datasets.loadMovieLens('data/ml-20m');
 *   const { train, valid } = sg.datasets.holdout(ds, { trainSize: 19_000_000, seed: 1 });
 *   for (const b of sg.datasets.BatchIterator.fromRatings(train, { batchSize: 25000, shuffle: true })) …
 */
export * as synthetic from './synthetic/index.js';
export type { InteractionData, RatingsDataset, RatingScale, LoadReport, BadLine } from './types.js';
export { IdMap, denseIds } from './idmap.js';
export { describe, formatStats, formatBytes, storage, type DatasetStats, type StorageStats, type Spread } from './describe.js';
export { buildCSR, userItemMatrix, clicksOfRows, itemCounts, userCounts, groupByUser, type Duplicates } from './matrix.js';
export { AliasTable } from './alias.js';
export { firstGenre, bagOfWords, tokenize, type BagOfWordsOptions } from './features.js';

export { loadMovieLens, detectMovieLens, type MovieLensOptions, type MovieLensFormat, type MovieLensFiles } from './loaders/movielens.js';
export { loadNetflix, detectNetflix, type NetflixOptions, type NetflixFiles } from './loaders/netflix.js';
export type { LoadOptions } from './loaders/common.js';
export { DataFormatError, EmptyDataError } from './io/errors.js';
export { clip, terminalSafe, safeField } from './io/safe-text.js';
export { DEFAULT_MAX_LINE_BYTES } from './io/limits.js';
export { writeRatingsCsv, writeMoviesCsv, writeMovieLens, type WriteRatingsOptions } from './io/write.js';
export { CACHE_VERSION } from './io/cache.js';

export {
  holdout, perUserHoldout, subset, toImplicit, binaryLabels, type HoldoutOptions, type PerUserHoldoutOptions,
} from './splits.js';
export { heldOutUsers, type FoldInOptions, type FoldInPart, type FoldInSplit } from './heldout.js';
export { alignTo, alignRaw, type AlignedRatings, type WithIds } from './align.js';

export type { IteratorState } from './iterators/state.js';
export {
  BatchIterator, take, type Batch, type BatchInput, type BatchLabel, type ColumnBatch, type Counts, type BatchIteratorOptions, type Column, type LastBatch,
} from './iterators/batch.js';
export {
  NegativeSamplingIterator, PairwiseSamplingIterator, type NegativeSamplingOptions, type PairwiseSamplingOptions, type PairBatch, type TripleBatch,
} from './iterators/negative.js';
export { UserRowIterator, type UserRowBatch, type UserRowIteratorOptions } from './iterators/userrows.js';
export { prefetch, type PrefetchOptions } from './iterators/prefetch.js';
