// The browser builds' esbuild options (used by scripts/build.mjs and the browser tests).
//
// The library's Node-only pieces import Node built-ins: the CPU backend's worker thread
// (node:worker_threads, node:os), checkpoints (node:fs) and the data loaders (node:fs, lazily).
// A browser build must contain none of them, so this plugin maps every Node built-in that the
// library's own files import:
//   - node:worker_threads and node:os to their browser versions in browser/ (no worker, so the
//     CPU backend runs on the page's thread; core count and byte order from the browser);
//   - every other built-in (fs, fs/promises, path, …) to a module with the same export names
//     whose functions throw "… needs Node.js; this is the browser build", so a Node-only call
//     fails with a clear message instead of at load time.
// Dependencies' own imports are left to their package.json "browser" fields.
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const BROWSER_VERSIONS = { worker_threads: 'browser/worker_threads.ts', os: 'browser/os.ts' };
const builtins = new Set(builtinModules);
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** A module with the export names of Node's `name` whose functions throw a clear error. */
async function unavailableModule(name) {
  const mod = await import(`node:${name}`);
  const lines = [
    `const unavailable = (what) => { throw new Error(\`sparsegrad: \${what} needs Node.js; this is the browser build (files, checkpoints and data loaders are Node-only)\`); };`,
  ];
  const names = [];
  for (const [key, value] of Object.entries(mod)) {
    if (key === 'default' || !IDENT.test(key)) continue;
    const v = typeof value === 'function' ? `function ${key}() { return unavailable('${name}.${key}()'); }`
      : typeof value === 'object' && value !== null ? '{}'
      : JSON.stringify(value) ?? 'undefined';
    lines.push(`export const ${key} = ${v};`);
    names.push(key);
  }
  lines.push(`export default { ${names.join(', ')} };`);
  return lines.join('\n');
}

export const nodeBuiltinsForBrowser = {
  name: 'node-builtins-for-browser',
  setup(b) {
    b.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      if (!builtins.has(name) || args.importer.includes('/node_modules/')) return undefined;
      if (BROWSER_VERSIONS[name]) return { path: join(root, BROWSER_VERSIONS[name]) };
      return { path: name, namespace: 'node-unavailable' };
    });
    b.onLoad({ filter: /.*/, namespace: 'node-unavailable' }, async (args) => ({ contents: await unavailableModule(args.path), loader: 'js' }));
  },
};

const common = {
  entryPoints: [join(root, 'browser.ts')], bundle: true, platform: 'browser', target: 'es2022',
  keepNames: true, logLevel: 'warning', plugins: [nodeBuiltinsForBrowser],
};

/**
 * dist/browser.js: the ESM browser build (the package's "browser" export condition). Its
 * dependencies (typed-function, seedrandom) stay imports for the app's bundler to resolve.
 */
export const browserEsmOptions = { ...common, format: 'esm', packages: 'external' };

/** dist/sparsegrad.browser.js: one self-contained script for a `<script>` tag (global `sg`). */
export const browserIifeOptions = { ...common, format: 'iife', globalName: 'sg' };
