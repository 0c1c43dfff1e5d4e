/** The packed tarball installs into a scratch project and imports in ESM and CJS. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve('.');
const run = (cmd: string, args: string[], cwd: string) => execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('npm pack → npm install in a scratch project → import (ESM) and require (CJS)', () => {
  assert.ok(existsSync(join(root, 'dist/index.js')), 'dist/ is built (scripts/setup.sh builds it)');
  const dir = mkdtempSync(join(tmpdir(), 'sg-pack-'));
  const tgz = run('npm', ['pack', '--silent', '--pack-destination', dir], root).trim().split('\n').pop()!;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', version: '1.0.0', private: true }));
  // dependencies come from the npm cache; gl's native build is not needed to import (webgl loads lazily)
  run('npm', ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, tgz)], dir);
  const esm = `import * as sg from 'sparsegrad';
const w = sg.variable(sg.tensor([[1, 2], [3, 4]]));
sg.sum(sg.matmul(w, w)).backward();
console.log(JSON.stringify({ grad: Array.from(w.grad.dataSync()), backend: sg.getBackend(), mf: typeof sg.models.MatrixFactorization }));`;
  writeFileSync(join(dir, 'esm.mjs'), esm);
  const a = JSON.parse(run(process.execPath, ['esm.mjs'], dir));
  assert.equal(a, { grad: [7, 11, 9, 13], backend: 'cpu', mf: 'function' });
  writeFileSync(join(dir, 'cjs.cjs'), esm.replace("import * as sg from 'sparsegrad';", "const sg = require('sparsegrad');"));
  const b = JSON.parse(run(process.execPath, ['cjs.cjs'], dir));
  assert.equal(b, a);
  // the types ship too
  assert.ok(existsSync(join(dir, 'node_modules/sparsegrad/dist/types/index.d.ts')));
});

test.run();
