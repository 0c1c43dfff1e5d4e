// Time and memory to generate a synthetic MovieLens-like set, and what it looks like.
//   node test/datasets/perf/run.mjs generate [preset] [seed]
import { movielensLike } from '../../../datasets/synthetic/movielens.js';
import { describe, formatStats } from '../../../datasets/describe.js';
import type { PresetName } from '../../../datasets/synthetic/presets.js';

const preset = (process.argv[2] ?? 'small') as PresetName;
const seed = Number(process.argv[3] ?? 1);
let peak = 0;
const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
const t0 = performance.now();
const ds = movielensLike({ preset, seed });
const seconds = (performance.now() - t0) / 1000;
peak = Math.max(peak, process.memoryUsage().rss);
clearInterval(timer);
console.log(`movielensLike(${preset}): ${seconds.toFixed(2)} s, peak RSS ${(peak / 1e6).toFixed(0)} MB`);
console.log(formatStats(describe(ds)));
console.log('examples:', ds.itemTitles.slice(0, 5).map((t, i) => `${t} [${Array.from(ds.itemGenres.indices.subarray(ds.itemGenres.indptr[i], ds.itemGenres.indptr[i + 1]), (g) => ds.genreNames[g]).join('|')}]`).join('; '));
