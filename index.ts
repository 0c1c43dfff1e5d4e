/**
 * sparsegrad: a from-scratch TypeScript deep-learning framework for recommender systems.
 * `import * as sg from 'sparsegrad'`.
 */
import { engine } from './core/engine.js';
import { createCpuBackend } from './backends/cpu/index.js';

engine.registerBackend('cpu', createCpuBackend, 1);
// The WebGL backend is loaded on first use: `await sg.setBackend('webgl', {gl?})`.
engine.registerBackend('webgl', async (options?: unknown) => {
  const { createWebGLBackend } = await import('./backends/webgl/index.js');
  return createWebGLBackend(options as never);
}, 2);

export { Tensor, type Gradient } from './core/tensor.js';
export { RowSparse } from './core/rowsparse.js';
export { CSR, csr, fromCOO, fromDense, fromPadded, toPadded, storageReport } from './core/csr.js';
export { tidy, noGrad, memory, keep } from './core/engine.js';
export { setSeed, getSeed, randomStream, type RandomStream } from './core/random.js';
export type { DType } from './core/dtype.js';
export * from './ops/index.js';
export * as nn from './models/nn/index.js';
export * as optim from './models/optim/index.js';
export * as models from './models/index.js';
export * as train from './models/train/index.js';
export * as metrics from './models/train/metrics.js';
export { save, load, CHECKPOINT_FORMAT_VERSION } from './models/checkpoint.js';

/** Makes `name` ('cpu' | 'webgl') the active backend. */
export async function setBackend(name: string, options?: unknown): Promise<void> {
  await engine.setBackend(name, options);
}

export function getBackend(): string {
  return engine.backendName;
}

export { engine };
