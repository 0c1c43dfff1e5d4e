/**
 * The browser entry of sparsegrad: `dist/browser.js` (ESM; bundlers pick it through the
 * package's `browser` export condition) and `dist/sparsegrad.browser.js` (one script, global
 * `sg`). scripts/browser-build.mjs builds both with no Node built-ins (see browser/).
 *
 * Everything from index.ts that runs in a browser. Left out: save / load (checkpoints are
 * files: they need node:fs); the data-file loaders are exported but throw there. In a page,
 * `await sg.setBackend('webgl')` draws with a WebGL2 context of its own (an OffscreenCanvas,
 * or a canvas element), or with yours: `await sg.setBackend('webgl', {gl})`; and
 * `await sg.setBackend('webgpu')` computes through `navigator.gpu` (synchronous reads need a
 * cross-origin-isolated page: see backends/webgpu/host.ts).
 */
export {
  Tensor, RowSparse, CSR, csr, fromCOO, fromDense, fromPadded, toPadded, storageReport,
  tidy, noGrad, memory, keep, setSeed, getSeed, randomStream,
  nn, optim, models, train, metrics, datasets, viz,
  setBackend, getBackend, engine, version, info, kernels,
} from './index.js';
export type { Gradient, GradientKinds, GradNode, BackwardOptions, NestedArray, Engine, MemoryReport, Tracked, BackendFactory, TypedArray, RandomStream, DType } from './index.js';
export * from './ops/index.js';
export { webglInfo } from './backends/webgl/index.js';
export { webgpuInfo } from './backends/webgpu/index.js';
