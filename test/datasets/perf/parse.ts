// Parse benchmark at ML-20M scale, each phase in its own process so peak RSS is its own:
//   1. generate  movielensLike({preset: 'ml20m'}) and write ratings.csv + movies.csv
//   2. parse     loadMovieLens cold (no binary cache; writes it)
//   3. reload    loadMovieLens again (cache hit)
// Usage: node test/datasets/perf/run.mjs parse [dir=/tmp/sg-parse-bench] [preset=ml20m]
// The directory is deleted at the end.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { loadMovieLens } from '../../../datasets/loaders/movielens.js';
import { movielensLike } from '../../../datasets/synthetic/movielens.js';
import { writeMovieLens } from '../../../datasets/io/write.js';
import type { PresetName } from '../../../datasets/synthetic/presets.js';

const [phase, dir = '/tmp/sg-parse-bench', preset = 'ml20m'] = process.argv.slice(2);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const secs = (t0: number) => {
  const cpu = process.cpuUsage();
  return `${((performance.now() - t0) / 1000).toFixed(2)} s wall (process CPU so far ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s)`;
};

async function run(): Promise<void> {
  if (phase === 'generate') {
    let t0 = performance.now();
    const ds = movielensLike({ preset: preset as PresetName, seed: 1 });
    console.log(`generate ${preset}: ${secs(t0)} (${ds.ratings.length.toLocaleString('en-US')} ratings)`);
    t0 = performance.now();
    await writeMovieLens(ds, dir);
    console.log(`write ratings.csv + movies.csv: ${secs(t0)}; peak RSS ${mb(process.resourceUsage().maxRSS)}`);
  } else if (phase === 'parse' || phase === 'reload') {
    const t0 = performance.now();
    const ds = await loadMovieLens(dir, { progress: false });
    const r = ds.report!;
    console.log(`${phase}: ${secs(t0)}; peak RSS ${mb(process.resourceUsage().maxRSS)}; cache ${r.cache}; ` +
      `${r.linesRead.toLocaleString('en-US')} lines, ${r.ratingsKept.toLocaleString('en-US')} ratings, ${r.users} users, ${r.items} items`);
  } else {
    // driver: one child process per phase
    for (const p of ['generate', 'parse', 'reload']) {
      const res = spawnSync(process.execPath, [process.argv[1], p, dir, preset], { stdio: 'inherit' });
      if (res.status !== 0) throw new Error(`phase ${p} failed`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await run();
