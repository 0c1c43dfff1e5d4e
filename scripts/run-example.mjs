#!/usr/bin/env node
// Runs an example: node scripts/run-example.mjs <name> [args…]  (examples/<name>.ts)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const [name, ...args] = process.argv.slice(2);
const names = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
if (!name || !existsSync(join(root, 'examples', `${name}.ts`))) {
  console.error(`usage: node scripts/run-example.mjs <name> [args]\nexamples: ${names.join(', ')}`);
  process.exit(2);
}
const outfile = join(root, '.build', 'examples', `${name}.mjs`);
await build({ entryPoints: [join(root, 'examples', `${name}.ts`)], outfile, bundle: true, keepNames: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
const r = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
