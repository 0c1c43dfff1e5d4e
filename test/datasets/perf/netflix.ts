// Netflix-format parse speed: the synthetic ML-20M-sized set written as combined_data_1.txt
// (movie headers, then user,rating,date lines), loaded cold and from the cache.
//   node test/datasets/perf/run.mjs netflix [preset=ml20m]
import { openSync, writeSync, closeSync, mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { loadNetflix } from '../../../datasets/loaders/netflix.js';
import { movielensLike } from '../../../datasets/synthetic/movielens.js';
import { buildCSR } from '../../../datasets/matrix.js';
import type { PresetName } from '../../../datasets/synthetic/presets.js';

const [phase = 'drive', preset = 'ml20m'] = process.argv.slice(2);
const dir = '/tmp/sg-netflix-bench';
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
if (phase === 'write') {
  const ds = movielensLike({ preset: preset as PresetName, seed: 1, stars: 'whole' });
  // item-major order: row = item, entries = (user, rating); the row position indexes timestamps
  const pos = new Float32Array(ds.ratings.length);
  for (let e = 0; e < pos.length; e++) pos[e] = e;
  const byItem = buildCSR(ds.items, ds.users, pos, [ds.numItems, ds.numUsers]);
  mkdirSync(dir, { recursive: true });
  const fd = openSync(`${dir}/combined_data_1.txt`, 'w');
  let chunk: string[] = [];
  for (let i = 0; i < ds.numItems; i++) {
    chunk.push(`${ds.itemIds.raw[i]}:`);
    for (let p = byItem.indptr[i]; p < byItem.indptr[i + 1]; p++) {
      const e = byItem.values[p];
      chunk.push(`${ds.userIds.raw[byItem.indices[p]]},${ds.ratings[e]},${new Date(ds.timestamps![e] * 1000).toISOString().slice(0, 10)}`);
    }
    if (chunk.length > 100000) { writeSync(fd, chunk.join('\n') + '\n'); chunk = []; }
  }
  writeSync(fd, chunk.join('\n') + '\n');
  closeSync(fd);
} else if (phase === 'load') {
  const t0 = performance.now();
  const ds = await loadNetflix(dir, { progress: false });
  console.log(`loadNetflix: ${((performance.now() - t0) / 1000).toFixed(2)} s; peak RSS ${mb(process.resourceUsage().maxRSS)}; ` +
    `cache ${ds.report!.cache}; ${ds.report!.ratingsKept.toLocaleString('en-US')} ratings, ${ds.numUsers} users, ${ds.numItems} movies`);
} else {
  for (const p of ['write', 'load', 'load']) {
    if (spawnSync(process.execPath, [process.argv[1], p, preset], { stdio: 'inherit' }).status !== 0) throw new Error(`phase ${p} failed`);
  }
  rmSync(dir, { recursive: true, force: true });
}
