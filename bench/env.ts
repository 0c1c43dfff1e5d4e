/** The machine a run was measured on: numbers without it cannot be compared. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { engine } from '../core/engine.js';
import type { EnvironmentInfo } from './schema.js';

export type GlInfo = NonNullable<EnvironmentInfo['gl']>;

/** HEAD of the checkout at `cwd`, or null (not a repository, git missing). Read-only. */
export function gitCommit(cwd = process.cwd()): string | null {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    const sha = out.toString().trim();
    return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

interface GLContext {
  RENDERER: number; VENDOR: number; VERSION: number;
  getParameter(p: number): unknown;
  getExtension(name: string): Record<string, unknown> | null;
}

/**
 * The GL renderer: from the webgl backend if it reports one (`info()`), else from a 1×1
 * headless-gl WebGL2 context made just to ask. Null when neither works. Call it only once
 * webgl was set successfully (getBackendInstance would otherwise start creating one).
 */
export async function glInfo(): Promise<GlInfo | null> {
  const backend = engine.getBackendInstance('webgl') as unknown as { info?: () => Partial<GlInfo> & { unmaskedRenderer?: string | null } } | undefined;
  const fromBackend = backend?.info?.();
  if (fromBackend?.renderer) {
    return {
      renderer: String(fromBackend.unmaskedRenderer ?? fromBackend.renderer),
      vendor: String(fromBackend.vendor ?? ''),
      version: String(fromBackend.version ?? ''),
    };
  }
  try {
    const name = 'gl'; // a variable, so bundlers leave the native module alone
    const mod = (await import(name)) as { default?: unknown };
    const createGL = (mod.default ?? mod) as (w: number, h: number, o: object) => GLContext | null;
    const gl = createGL(1, 1, { createWebGL2Context: true });
    if (!gl) return null;
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = debug ? gl.getParameter(debug.UNMASKED_RENDERER_WEBGL as number) : gl.getParameter(gl.RENDERER);
    const info = { renderer: String(renderer), vendor: String(gl.getParameter(gl.VENDOR)), version: String(gl.getParameter(gl.VERSION)) };
    (gl.getExtension('STACKGL_destroy_context') as { destroy?: () => void } | null)?.destroy?.();
    return info;
  } catch {
    return null;
  }
}

export function environment(command: string, gl: GlInfo | null, date = new Date()): EnvironmentInfo {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    gl,
    gitCommit: gitCommit(),
    date: date.toISOString(),
    command,
  };
}
