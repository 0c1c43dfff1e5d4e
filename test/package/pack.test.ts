/**
 * The package as a user gets it: `npm pack` once, then one scratch project installs the
 * tarball with a broken C++ toolchain (g++, gcc, make, python3 on PATH all fail) and uses
 * it the ways a newcomer would: ESM and CJS in Node (trains MF on the CPU), the CLI, a
 * browser app bundled by esbuild for platform=browser and run in headless Chromium, and
 * strict TypeScript consumers (ESM and CommonJS, `module: node16`, lib checks on).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve('.');
const scratch = mkdtempSync(join(tmpdir(), 'sg-pack-'));
const shims = join(scratch, 'broken-toolchain');
/** PATH with failing compilers first: any native build during install would fail */
const brokenPath = `${shims}:${process.env.PATH}`;
let tarball = '';

function run(cmd: string, args: string[], cwd = scratch, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test.before(() => {
  assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/ is built (scripts/setup.sh builds it)');
  mkdirSync(shims);
  for (const tool of ['g++', 'gcc', 'c++', 'cc', 'make', 'python3', 'python']) {
    writeFileSync(join(shims, tool), `#!/bin/sh\necho "broken toolchain: ${tool} is not available" >&2\nexit 1\n`);
    chmodSync(join(shims, tool), 0o755);
  }
  tarball = join(scratch, run('npm', ['pack', '--silent', '--pack-destination', scratch], root).trim().split('\n').pop()!);
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }));
});

test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('the tarball: LICENSE, types for ESM and CJS, both browser builds, no source maps, a small CLI', () => {
  // `tar tvzf`: "-rw-r--r-- 0/0 1069 1985-10-26 08:15 package/LICENSE"
  const listing = run('tar', ['tvzf', tarball]).trim().split('\n').map((l) => l.trim().split(/\s+/));
  const files = listing.map((f) => f[f.length - 1].replace(/^package\//, ''));
  const unpackedSize = listing.reduce((s, f) => s + Number(f[2]), 0);
  for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/sparsegrad.js', 'dist/index.js', 'dist/index.cjs', 'dist/cli.js',
    'dist/browser.js', 'dist/sparsegrad.browser.js', 'dist/types/index.d.ts', 'dist/types/index.d.cts', 'dist/types/browser.d.ts']) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps ship');
  assert.ok(!files.some((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')), 'no TypeScript sources ship');
  // four bundles (Node ESM, CJS, browser ESM, script) and two declaration trees: ~4 MB in
  // late 2026; embedded source maps alone once added 4.4 MB, which this bound would catch
  assert.ok(unpackedSize < 6_500_000, `unpacked size ${unpackedSize} bytes`);
  // the CLI imports the library's chunks instead of carrying its own copy
  const cli = readFileSync(join(root, 'dist/cli.js'), 'utf8');
  assert.ok(cli.length < 100_000, `dist/cli.js is ${cli.length} bytes`);
  assert.match(cli, /from "\.\/chunks\//);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const key of ['repository', 'keywords', 'license', 'sideEffects', 'exports']) assert.ok(key in pkg, `package.json has ${key}`);
  assert.ok(!('gl' in (pkg.dependencies ?? {})), 'gl is not a hard dependency');
  assert.is(pkg.peerDependenciesMeta?.gl?.optional, true, 'gl is an optional peer dependency');
});

test('npm install with a broken C++ toolchain succeeds and builds nothing native', () => {
  assert.throws(() => execFileSync('g++', ['--version'], { env: { ...process.env, PATH: brokenPath }, stdio: 'ignore' }), 'the g++ shim fails');
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball], scratch, { ...process.env, PATH: brokenPath });
  assert.ok(existsSync(join(scratch, 'node_modules/sparsegrad/dist/index.js')));
  assert.not.ok(existsSync(join(scratch, 'node_modules/gl')), 'the optional gl is not installed');
});

const TRAIN_MF = `
const data = sg.datasets.synthetic.movielensLike({ preset: 'tiny', seed: 1 });
const { train, valid } = sg.datasets.holdout(data, { trainFraction: 0.9, seed: 1 });
const model = new sg.models.MatrixFactorization({ numUsers: data.numUsers, numItems: data.numItems, dim: 8, biases: true });
const it = (d, shuffle) => sg.datasets.BatchIterator.fromRatings(d, { batchSize: 500, shuffle });
const history = await sg.train.fit(model, it(train, true), { epochs: 3, optimizer: { name: 'adam', lr: 0.02 }, evalData: it(valid, false), verbose: false });
const rmse = history.epochs.map((e) => e.values['val-rmse']);
const recs = JSON.parse(JSON.stringify(model.recommend(0, 5)));
`;

test('ESM and CJS in Node: train MF on the CPU, recommendations serialise as plain arrays', () => {
  const esm = `import * as sg from 'sparsegrad';\n${TRAIN_MF}\nconsole.log(JSON.stringify({ backend: sg.getBackend(), rmse, recs }));`;
  writeFileSync(join(scratch, 'train.mjs'), esm);
  const a = JSON.parse(run(process.execPath, ['train.mjs']));
  assert.is(a.backend, 'cpu');
  assert.ok(a.rmse[2] < a.rmse[0], `validation RMSE falls: ${a.rmse}`);
  assert.is(a.recs.indices.length, 5);
  assert.ok(a.recs.scores.every((s: unknown) => typeof s === 'number'), JSON.stringify(a.recs));
  // CommonJS: the same run (one seed → the same numbers)
  writeFileSync(join(scratch, 'train.cjs'), `const sg = require('sparsegrad');\n(async () => {${TRAIN_MF}\nconsole.log(JSON.stringify({ backend: sg.getBackend(), rmse, recs }));})();`);
  assert.equal(JSON.parse(run(process.execPath, ['train.cjs'])), a);
});

test('asking for webgl without gl: an error naming the package and the apt packages', () => {
  writeFileSync(join(scratch, 'webgl.mjs'), `import * as sg from 'sparsegrad';
try { await sg.setBackend('webgl'); console.log('no error'); } catch (e) { console.log(e.message); }`);
  const message = run(process.execPath, ['webgl.mjs']);
  assert.match(message, /optional package 'gl'/);
  assert.match(message, /npm install gl@9\.0\.0-rc\.10/);
  assert.match(message, /libx11-dev libxi-dev libxext-dev libgl1-mesa-dev/);
  assert.not.match(message, /scripts\//, 'no hint at scripts the package does not ship');
});

test('the CLI from the installed package runs', () => {
  const out = run(process.execPath, [join(scratch, 'node_modules/.bin/sparsegrad'), 'info']);
  assert.match(out, /sparsegrad \d+\.\d+\.\d+/);
  assert.match(out, /backends: cpu, webgl/);
});

test('a browser app bundled by esbuild for platform=browser uses the ESM browser build and trains in headless Chromium', async () => {
  writeFileSync(join(scratch, 'app.js'), `import * as sg from 'sparsegrad';
(async () => { try {
${TRAIN_MF}
  await sg.setBackend('webgl');
  const y = sg.matmul(sg.tensor([[1, 2], [3, 4]]), sg.tensor([[5, 6], [7, 8]]));
  report({ rmse, recs, webgl: Array.from(y.dataSync()), backend: sg.getBackend() });
} catch (e) { report({ error: String(e && e.stack || e) }); } })();`);
  const { build } = await import('esbuild');
  const out = join(scratch, 'app.bundle.js');
  const result = await build({
    absWorkingDir: scratch, entryPoints: ['app.js'], bundle: true, platform: 'browser', format: 'iife', target: 'es2022',
    outfile: out, metafile: true, logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile!.inputs);
  assert.ok(inputs.includes('node_modules/sparsegrad/dist/browser.js'), `the "browser" condition picks dist/browser.js: ${inputs.join(', ')}`);
  assert.ok(!inputs.some((p) => p.startsWith('node:') || /(^|\/)(fs|os|worker_threads)$/.test(p)), `no Node built-ins: ${inputs.join(', ')}`);
  const harness = await import(pathToFileURL(join(root, 'scripts/browser-test.mjs')).href) as {
    runInChromium(o: { bundlePath: string; pageScript: string; timeoutMs?: number }): Promise<Record<string, unknown>>;
  };
  const page = await harness.runInChromium({ bundlePath: out, pageScript: '', timeoutMs: 60000 });
  assert.ok(!page.error, `page failed: ${page.error}\n${page.chromiumLog}`);
  const rmse = page.rmse as number[];
  assert.ok(rmse[2] < rmse[0], `validation RMSE falls in the browser: ${rmse}`);
  assert.is((page.recs as { indices: number[] }).indices.length, 5);
  assert.is(page.backend, 'webgl');
  assert.equal(page.webgl, [19, 22, 43, 50]);
});

test('strict TypeScript consumers (module node16): ESM import and CommonJS require type-check', () => {
  const use = `
const x = sg.tensor([[1, 2], [3, 4]]);
const w = sg.variable(sg.randn([2, 2], { seed: 1 }));
sg.sum(sg.matmul(x, w)).backward();
const model = new sg.models.MatrixFactorization({ numUsers: 3, numItems: 4, dim: 2 });
const recs: sg.models.TopK = model.recommend(0, 2);
const plain: { indices: number[]; scores: number[] } = recs.toJSON();
export const shapes: (readonly number[])[] = [x.shape, w.shape, [plain.indices.length]];
`;
  const dir = join(scratch, 'ts');
  mkdirSync(dir);
  writeFileSync(join(dir, 'esm.mts'), `import * as sg from 'sparsegrad';\n${use}`);
  writeFileSync(join(dir, 'cjs.cts'), `import sg = require('sparsegrad');\n${use}`);
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, module: 'node16', moduleResolution: 'node16', target: 'es2022', noEmit: true, skipLibCheck: false, types: [] },
    files: ['esm.mts', 'cjs.cts'],
  }));
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
  assert.is(tsc.status, 0, `tsc found errors:\n${tsc.stdout}${tsc.stderr}`);
});

test.run();
