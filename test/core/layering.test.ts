/**
 * The layering of the kernel layer, read from the sources' imports: core imports nothing
 * above it, no backend imports another, and models reach kernels only through ops (no
 * `backend.<kernel>(` calls, no imports of backends/). A new file that breaks a rule fails
 * here with its name and the import.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { ACCELERATIONS, PRIMITIVES } from '../../core/kernels.js';

/** the repository (the test runner runs from it) */
const root = process.cwd();

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const p = join(dir, name);
    if (statSync(join(root, p)).isDirectory()) out.push(...sources(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The repository paths a file imports (relative imports only), e.g. 'core/tensor.ts'. */
function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
    found.push(normalize(join(dirname(file), m[1])).replace(/\.js$/, '.ts'));
  }
  return found;
}

function violations(dir: string, bad: (target: string, file: string) => boolean): string[] {
  const out: string[] = [];
  for (const file of sources(dir)) {
    for (const target of imports(file)) if (bad(target, file)) out.push(`${file} imports ${target}`);
  }
  return out;
}

test('the sources are where the test looks', () => {
  assert.ok(statSync(join(root, 'core', 'kernels.ts')).isFile(), `run from the repository root (cwd ${root})`);
  assert.ok(sources('core').length > 5 && imports('core/tensor.ts').includes('core/kernels.ts'), 'imports are read');
});

test('core imports nothing from backends/, ops/ or models/', () => {
  assert.equal(violations('core', (t) => /^(backends|ops|models)\//.test(t)), []);
});

test('no backend imports another backend', () => {
  const backendOf = (p: string) => p.match(/^backends\/([^/]+)\//)?.[1];
  assert.equal(violations('backends', (t, file) => t.startsWith('backends/') && backendOf(t) !== backendOf(file)), []);
});

test('models and ops reach backends only through the kernel interface', () => {
  assert.equal(violations('models', (t) => t.startsWith('backends/')), []);
  assert.equal(violations('ops', (t) => t.startsWith('backends/')), []);
  const kernels = [...PRIMITIVES, ...ACCELERATIONS].filter((k) => k !== 'memory');
  const call = new RegExp(`\\.backend\\.(${kernels.join('|')})\\(`);
  const offenders = sources('models').filter((f) => call.test(readFileSync(join(root, f), 'utf8')));
  assert.equal(offenders, [], 'models call kernels directly');
});

test.run();
