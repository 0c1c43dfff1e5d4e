#!/usr/bin/env node
// Builds the package into dist/:
//   index.js + cli.js + chunks/   Node ESM; the CLI shares the library's chunks (one copy of the code)
//   index.cjs                     Node CommonJS
//   browser.js                    browser ESM (the "browser" export condition): no Node built-ins,
//                                 dependencies left as imports for the app's bundler
//   sparsegrad.browser.js         one self-contained script for a <script> tag (global `sg`)
//   types/**.d.ts, types/**.d.cts declarations for ESM and for CommonJS consumers
// The bundles are not minified (they read like the sources, with a `// path/file.ts` marker
// before each module), so no source maps ship; `--sourcemap` writes linked maps for debugging.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { browserEsmOptions, browserIifeOptions } from './browser-build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
const sourcemap = process.argv.includes('--sourcemap');
rmSync('dist', { recursive: true, force: true });

const node = { bundle: true, keepNames: true, platform: 'node', target: 'node20', packages: 'external', sourcemap, logLevel: 'warning' };
const nodeEntries = ['index.ts', ...(existsSync('bin/cli.ts') ? ['bin/cli.ts'] : [])];
await build({
  ...node, entryPoints: nodeEntries, format: 'esm', outdir: 'dist', splitting: true,
  entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]',
});
await build({ ...node, entryPoints: ['index.ts'], format: 'cjs', outfile: 'dist/index.cjs' });
await build({ ...browserEsmOptions, outfile: 'dist/browser.js', sourcemap });
await build({ ...browserIifeOptions, outfile: 'dist/sparsegrad.browser.js', sourcemap });

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
writeCjsDeclarations('dist/types');
console.log('build: dist/ written');

/**
 * CommonJS twins of the declarations: in a "type": "module" package a `.d.ts` describes an
 * ES module, so a CommonJS TypeScript consumer (`module: node16`) that `require`s us would
 * get TS1471/TS1479. Each `foo.d.ts` gets a `foo.d.cts` whose relative imports name `.cjs`
 * files (`declare module` augmentations included), so the whole tree is read as CommonJS.
 */
function writeCjsDeclarations(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) writeCjsDeclarations(p);
    else if (name.endsWith('.d.ts')) {
      const text = readFileSync(p, 'utf8').replace(/((?:from|import|declare module)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.js(['"])/g, '$1$2.cjs$3');
      writeFileSync(p.replace(/\.d\.ts$/, '.d.cts'), text);
    }
  }
}
