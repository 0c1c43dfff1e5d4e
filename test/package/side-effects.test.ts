/**
 * Bundlers honour package.json's `sideEffects`: a module declared side-effect-free whose own
 * exports go unused is dropped, even when its re-exports are used. index.ts registers the
 * backends as a side effect, so it must stay declared: this test bundles an app that uses only
 * re-exported ops (as `node scripts/run-tests.mjs backends/cpu-kernels` once did and failed
 * with "unknown backend 'cpu'") and runs it.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

test('an app that imports only re-exported ops from index.ts still gets the CPU backend when bundled', async () => {
  // inside the checkout, so the bundle's external packages resolve from its node_modules
  mkdirSync(resolve('.test-build'), { recursive: true });
  const dir = mkdtempSync(join(resolve('.test-build'), 'side-effects-'));
  try {
    const entry = join(dir, 'app.ts');
    writeFileSync(entry, `import { tensor, matmul } from ${JSON.stringify(resolve('index.ts'))};\n`
      + 'console.log(Array.from(matmul(tensor([1, 2], [1, 2]), tensor([3, 4], [2, 1])).dataSync()).join(","));\n');
    const out = join(dir, 'app.mjs');
    await build({ entryPoints: [entry], outfile: out, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'error' });
    const r = spawnSync(process.execPath, [out], { encoding: 'utf8' });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout.trim(), '11');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('package.json declares the entry files that register backends as having side effects', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { sideEffects: unknown };
  assert.ok(Array.isArray(pkg.sideEffects), 'sideEffects must list the registering entries, not be false');
  for (const f of ['./index.ts', './dist/index.js', './dist/index.cjs', './dist/browser.js']) assert.ok((pkg.sideEffects as string[]).includes(f), f);
});

test.run();
