/**
 * Sizes of the real MovieLens releases, so the synthetic generator can take their shape:
 * users, items actually rated, ratings, and the item-id space (largest movie id).
 */

export interface ScalePreset {
  users: number;
  items: number;
  ratings: number;
  /** raw item ids are drawn from 1..itemIdSpace (MovieLens ids have gaps) */
  itemIdSpace: number;
  /** 'half': 0.5..5 in half stars (ML-10M and later); 'whole': 1..5 (ml-100k, ml-1m) */
  stars: 'half' | 'whole';
}

export const PRESETS = {
  /** for tests: a second to generate */
  tiny: { users: 300, items: 1000, ratings: 30_000, itemIdSpace: 1500, stars: 'half' },
  /** ml-latest-small */
  small: { users: 610, items: 9742, ratings: 100_836, itemIdSpace: 193_609, stars: 'half' },
  ml100k: { users: 943, items: 1682, ratings: 100_000, itemIdSpace: 1682, stars: 'whole' },
  ml1m: { users: 6040, items: 3706, ratings: 1_000_209, itemIdSpace: 3952, stars: 'whole' },
  ml10m: { users: 69_878, items: 10_677, ratings: 10_000_054, itemIdSpace: 65_133, stars: 'half' },
  /** the seeds' data set */
  ml20m: { users: 138_493, items: 26_744, ratings: 20_000_263, itemIdSpace: 131_262, stars: 'half' },
  ml25m: { users: 162_541, items: 59_047, ratings: 25_000_095, itemIdSpace: 209_171, stars: 'half' },
} satisfies Record<string, ScalePreset>;

export type PresetName = keyof typeof PRESETS;
