/**
 * Node's fs and path, loaded on first use. Loaders and writers are Node-only; loading the
 * modules lazily keeps the rest of datasets/ (synthetic data, splits, iterators) usable in a
 * browser bundle, which has no `fs`.
 */
type NodeModules = {
  fs: typeof import('node:fs');
  fsp: typeof import('node:fs/promises');
  path: typeof import('node:path');
};

let mods: NodeModules | null = null;

/** Loads fs/path once; every public loader/writer awaits this first. */
export async function loadNode(): Promise<NodeModules> {
  if (!mods) {
    const [fs, fsp, path] = await Promise.all([import('node:fs'), import('node:fs/promises'), import('node:path')]);
    mods = { fs, fsp, path };
  }
  return mods;
}

/** The loaded modules (after `await loadNode()`). */
export function node(): NodeModules {
  if (!mods) throw new Error('datasets: Node file access used before loadNode() (this needs Node.js, not a browser)');
  return mods;
}
