// PLACEHOLDER written by the lead so the tree builds; the WebGL engineer replaces this file.
import type { Backend } from '../backend.js';
export function createWebGLBackend(_options?: unknown): Backend {
  throw new Error('webgl backend: not built yet');
}
