/**
 * `node:os` in the browser builds: the few answers the library asks for, from what a
 * browser can tell. scripts/browser-build.mjs maps the import here.
 */

/** One entry per logical core the browser reports (navigator.hardwareConcurrency). */
export function cpus(): { model: string }[] {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Array.from({ length: n }, () => ({ model: 'browser' }));
}

/** The byte order of typed arrays on this machine ('LE' on every browser platform in use). */
export function endianness(): 'LE' | 'BE' {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 'LE' : 'BE';
}

export function platform(): string {
  return 'browser';
}

export function tmpdir(): string {
  throw new Error('sparsegrad: os.tmpdir() needs Node.js; this is the browser build');
}

export const EOL = '\n';
