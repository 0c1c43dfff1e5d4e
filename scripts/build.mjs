#!/usr/bin/env node
// Builds the package: ESM (dist/index.js), CJS (dist/index.cjs), the CLI (dist/cli.js),
// a browser bundle (dist/sparsegrad.browser.js, no Node-only modules) and .d.ts types.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
rmSync('dist', { recursive: true, force: true });

const common = { keepNames: true, bundle: true, platform: 'node', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: ['index.ts'], format: 'esm', outfile: 'dist/index.js' });
await build({ ...common, entryPoints: ['index.ts'], format: 'cjs', outfile: 'dist/index.cjs' });
if (existsSync('bin/cli.ts')) {
  await build({ ...common, entryPoints: ['bin/cli.ts'], format: 'esm', outfile: 'dist/cli.js' });
}
if (existsSync('browser.ts')) {
  // the browser build stubs Node built-ins (file checkpoints and loaders are Node-only)
  const { browserBuildOptions } = await import('./browser-test.mjs');
  await build({ ...browserBuildOptions, outfile: 'dist/sparsegrad.browser.js', sourcemap: true });
}
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
console.log('build: dist/ written');
