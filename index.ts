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
// WebGPU likewise: `await sg.setBackend('webgpu')` (Node: the optional 'webgpu' package; browser: navigator.gpu).
engine.registerBackend('webgpu', async (options?: unknown) => {
  const { createWebGPUBackend } = await import('./backends/webgpu/index.js');
  return createWebGPUBackend(options as never);
}, 3);

export { Tensor, type Gradient, type GradientKinds, type GradNode, type BackwardOptions, type NestedArray } from './core/tensor.js';
export type { Engine, MemoryReport, Tracked, BackendFactory } from './core/engine.js';
export type { TypedArray } from './core/dtype.js';
/** The kernel interface a backend implements (Primitives, optional Accelerations), for backend authors. */
export * as kernels from './core/kernels.js';
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
export * as datasets from './datasets/index.js';
export * as metrics from './models/train/metrics.js';
export * as viz from './viz/index.js';
export { save, load, CHECKPOINT_FORMAT_VERSION, type SaveOptions, type LoadOptions as CheckpointLoadOptions, type LoadedModel } from './models/checkpoint.js';
export { readSafetensors, writeSafetensors, SafetensorsError, type SafetensorsFile, type TensorToWrite } from './models/safetensors.js';

/** Makes `name` ('cpu' | 'webgl' | 'webgpu') the active backend. */
export async function setBackend(name: string, options?: unknown): Promise<void> {
  await engine.setBackend(name, options);
}

export function getBackend(): string {
  return engine.backendName;
}

export { engine };

export const version = '0.1.0';

/**
 * A report of what this installation can do: version, runtime, backends, for WebGL the GL
 * version, renderer and extensions, and for WebGPU the adapter and its limits (or why none could be made).
 */
export async function info(): Promise<string> {
  const lines = [
    `sparsegrad ${version}`,
    `runtime: ${typeof process !== 'undefined' && process.versions?.node ? `node ${process.versions.node} (${process.platform} ${process.arch})` : 'browser'}`,
    `backends: ${engine.registeredBackends().join(', ')} (active: ${engine.backendName})`,
  ];
  try {
    const backend = await engine.backendInstance('webgl');
    const { webglInfo, WebGLBackend } = await import('./backends/webgl/index.js');
    const gl = webglInfo(backend instanceof WebGLBackend ? backend : undefined);
    if (gl) {
      lines.push(`webgl: ${gl.version}; ${gl.shadingLanguageVersion}`);
      lines.push(`  renderer: ${gl.unmaskedRenderer ?? gl.renderer} (vendor ${gl.vendor}, via ${gl.source})`);
      lines.push(`  max texture size: ${gl.maxTextureSize}, texture units: ${gl.maxTextureImageUnits}`);
      lines.push(`  extensions: ${gl.extensions.join(' ')}`);
    }
  } catch (e) {
    lines.push(`webgl: unavailable — ${(e as Error).message}`);
  }
  try {
    const backend = await engine.backendInstance('webgpu');
    const { webgpuInfo, describeWebGPU, WebGPUBackend } = await import('./backends/webgpu/index.js');
    lines.push(...describeWebGPU(webgpuInfo(backend instanceof WebGPUBackend ? backend : undefined)));
  } catch (e) {
    lines.push(`webgpu: unavailable — ${(e as Error).message}`);
  }
  return lines.join('\n');
}
