#!/usr/bin/env node
// Runs one of the TypeScript measurement scripts in this folder:
//   node test/datasets/perf/run.mjs <script-name-without-.ts> [args...]
// (bundled with esbuild into ./.cache (git-ignored, so node_modules resolves), then run)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const [name, ...args] = process.argv.slice(2);
if (!name) {
  console.error('usage: node test/datasets/perf/run.mjs <script> [args...]');
  process.exit(2);
}
const outfile = join(here, '.cache', `${name}.mjs`);
await build({
  entryPoints: [join(here, `${name}.ts`)], outfile, bundle: true, format: 'esm', platform: 'node',
  target: 'node20', packages: 'external', logLevel: 'warning', sourcemap: 'inline',
});
const r = spawnSync(process.execPath, ['--enable-source-maps', '--expose-gc', outfile, ...args], {
  stdio: 'inherit', cwd: join(here, '../../..'),
});
process.exit(r.status ?? 1);
