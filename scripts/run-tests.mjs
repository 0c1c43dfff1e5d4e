#!/usr/bin/env node
// Test runner: transpiles test/**/*.test.ts with esbuild (one shared library chunk, so every
// test file sees the same engine), runs them with uvu, and ends with the line CI reads:
//   tests: N passed, N failed
// Usage: node scripts/run-tests.mjs [substring-filter]
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// one build dir per run, so concurrent runs never delete each other's files
const outdir = join(root, '.test-build', `run-${process.pid}`);
const filter = process.argv[2] ?? '';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const entries = findTests(join(root, 'test')).filter((p) => relative(root, p).includes(filter)).sort();
if (entries.length === 0) {
  console.log(`no test files match '${filter}'`);
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: entries,
  outdir,
  outbase: join(root, 'test'),
  bundle: true,
  keepNames: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  outExtension: { '.js': '.mjs' },
  entryNames: '[dir]/[name]',
  chunkNames: '_chunks/[name]-[hash]',
  logLevel: 'warning',
});

const child = spawn(process.execPath, ['--enable-source-maps', join(root, 'node_modules/uvu/bin.js'), outdir, '\\.test\\.mjs$', '-i', '_chunks'], {
  cwd: root,
  env: { ...process.env, FORCE_COLOR: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
child.stdout.on('data', (chunk) => {
  const text = chunk.toString();
  output += text;
  process.stdout.write(text);
});
const code = await new Promise((resolve) => child.on('close', resolve));
rmSync(outdir, { recursive: true, force: true });
// uvu's summary: "Total: N", "Passed: N", "Skipped: N" (ANSI colours stripped)
const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
const num = (label) => {
  const m = plain.match(new RegExp(`${label}:\\s+(\\d+)`));
  return m ? Number(m[1]) : null;
};
const total = num('Total');
const passed = num('Passed');
const skipped = num('Skipped') ?? 0;
if (total === null || passed === null) {
  console.log(`the test process exited with code ${code} before uvu printed its summary`);
  console.log(`tests: ${passed ?? 0} passed, ${Math.max(1, (total ?? 0) - (passed ?? 0))} failed`);
  process.exit(1);
}
const failed = total - passed - skipped;
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 || code !== 0 ? 1 : 0);
