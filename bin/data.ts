/** Loading the data a CLI command names: the built-in synthetic set or a directory. */
import { movielensLike } from '../datasets/synthetic/movielens.js';
import { PRESETS, type PresetName } from '../datasets/synthetic/presets.js';
import { loadMovieLens } from '../datasets/loaders/movielens.js';
import type { LoadOptions } from '../datasets/loaders/common.js';
import { loadNetflix } from '../datasets/loaders/netflix.js';
import type { RatingsDataset } from '../datasets/types.js';
import { firstGenre } from '../datasets/features.js';
import { UsageError } from './args.js';

export const SCALES = Object.keys(PRESETS) as PresetName[];

export async function loadData(data: string, scale: string, seed: number, format?: string, opts: LoadOptions = {}): Promise<RatingsDataset> {
  if (data === 'synthetic') {
    if (!SCALES.includes(scale as PresetName)) throw new UsageError(`--scale must be one of ${SCALES.join(', ')} (got '${scale}')`);
    return movielensLike({ preset: scale as PresetName, seed });
  }
  if (format === 'netflix') return loadNetflix(data, opts);
  return loadMovieLens(data, opts);
}

/** Each item's first genre (or an extra "none" value) for the genre side-feature model. */
export function firstGenreFeature(d: RatingsDataset): { values: Int32Array; num: number } {
  return { values: firstGenre(d), num: d.genreNames.length + 1 };
}
