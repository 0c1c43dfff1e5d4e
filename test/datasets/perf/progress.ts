// Shows the load progress bar (forced on) for a ~1M-rating file.
//   node test/datasets/perf/run.mjs progress
import { rmSync } from 'node:fs';
import { loadMovieLens } from '../../../datasets/loaders/movielens.js';
import { writeMovieLens } from '../../../datasets/io/write.js';
import { movielensLike } from '../../../datasets/synthetic/movielens.js';
import { describe, formatStats } from '../../../datasets/describe.js';

const dir = '/tmp/sg-progress-demo';
await writeMovieLens(movielensLike({ preset: 'ml1m', seed: 1, stars: 'half' }), dir);
const ds = await loadMovieLens(dir, { progress: true, cache: false });
console.log(JSON.stringify({ ...ds.report, badLineSamples: undefined }));
console.log(formatStats(describe(ds)));
rmSync(dir, { recursive: true, force: true });
