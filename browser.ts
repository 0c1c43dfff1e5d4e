/**
 * The browser entry of sparsegrad: `dist/sparsegrad.browser.js` (global `sg`).
 *
 * Everything from index.ts that runs in a browser. Left out: save / load (checkpoints are
 * files: they need node:fs). In a page, `await sg.setBackend('webgl')` draws with a
 * WebGL2 context of its own (an OffscreenCanvas, or a canvas element), or with yours:
 * `await sg.setBackend('webgl', {gl})`.
 */
export {
  Tensor, RowSparse, CSR, csr, fromCOO, fromDense, fromPadded, toPadded, storageReport,
  tidy, noGrad, memory, keep, setSeed, getSeed, randomStream,
  nn, optim, models, train, metrics, datasets,
  setBackend, getBackend, engine, version, info,
} from './index.js';
export type { Gradient, RandomStream, DType } from './index.js';
export * from './ops/index.js';
export { webglInfo } from './backends/webgl/index.js';
