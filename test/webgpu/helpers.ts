/**
 * Shared by the webgpu tests: the cpu and webgpu backends side by side, and whether to
 * skip. The tests skip (with a message saying why) only where no WebGPU can exist here: the
 * optional `webgpu` package is not installed, or there is neither a Vulkan driver nor
 * chromium's SwiftShader. Where those are present (CI: scripts/setup.sh --browser installs
 * them) a backend that fails to start is a failure, as it is with SPARSEGRAD_REQUIRE_WEBGPU=1.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as sg from '../../index.js';
import type { Backend, DataId, TensorInfo } from '../../core/kernels.js';
import type { WebGPUBackend } from '../../backends/webgpu/index.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { decodeHalfArray, encodeHalfArray } from '../../core/float16.js';
import { sizeOf } from '../../core/shape.js';

export { elementError, normError, randomInts, randomValues, rng, fmt, browserMFBatches, type MFBatch } from '../webgl/helpers.js';

export interface Pair {
  cpu: Backend;
  gpu: WebGPUBackend & Backend;
}

/** Why WebGPU cannot run on this machine at all (null: it should). */
function missingPrerequisite(): string | null {
  if (!existsSync('node_modules/webgpu')) return "the optional 'webgpu' package is not installed (npm install; scripts/setup.sh does)";
  const dirs = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];
  const drivers = dirs.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
  const swiftshader = existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') || !!process.env.VK_ICD_FILENAMES;
  if (process.platform === 'linux' && !drivers && !swiftshader) return "no Vulkan driver and no SwiftShader (apt-get install chromium libvulkan1; scripts/setup.sh --browser does)";
  if (process.platform === 'linux' && !existsSync('/usr/lib/x86_64-linux-gnu/libvulkan.so.1') && !existsSync('/usr/lib/aarch64-linux-gnu/libvulkan.so.1')) {
    return "no Vulkan loader (apt-get install libvulkan1; scripts/setup.sh --browser does)";
  }
  return null;
}

let pair: Pair | null | undefined;
let skipReason = '';

/**
 * The cpu and webgpu backends, or null (after printing why) when this machine cannot run
 * WebGPU. Throws when it should be able to and the backend fails.
 */
export async function backendsOrSkip(file: string): Promise<Pair | null> {
  if (pair !== undefined) {
    if (!pair) console.log(`  ${file}: skipped — ${skipReason}`);
    return pair;
  }
  const missing = missingPrerequisite();
  if (missing && process.env.SPARSEGRAD_REQUIRE_WEBGPU !== '1') {
    skipReason = missing;
    pair = null;
    console.log(`  ${file}: webgpu tests skipped — ${missing}`);
    return null;
  }
  await sg.setBackend('webgpu');
  const gpu = sg.engine.backend as unknown as WebGPUBackend;
  await sg.setBackend('cpu');
  pair = { cpu: sg.engine.backend, gpu };
  return pair;
}

export interface Both {
  cpu: TensorInfo;
  gpu: TensorInfo;
}

function storage(values: ArrayLike<number>, dtype: DType): TypedArray {
  if (dtype === 'float16') return encodeHalfArray(values);
  if (dtype === 'int32') return Int32Array.from(values);
  return Float32Array.from(values);
}

/** The same values as a tensor on each backend. */
export function both(p: Pair, values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32'): Both {
  if (values.length !== sizeOf(shape)) throw new Error(`both: ${values.length} values for shape [${shape}]`);
  const s = storage(values, dtype);
  return {
    cpu: { dataId: p.cpu.write(s, dtype), shape, dtype },
    gpu: { dataId: p.gpu.write(s, dtype), shape, dtype },
  };
}

/** Numeric values of a DataId (float16 decoded). */
export function valuesOf(b: Backend, id: DataId, dtype: DType): Float64Array {
  const raw = b.readSync(id);
  const v = dtype === 'float16' ? decodeHalfArray(raw as Uint16Array) : raw;
  return Float64Array.from(v as ArrayLike<number>);
}

export function dispose(p: Pair, ...xs: Both[]): void {
  for (const x of xs) {
    p.cpu.dispose(x.cpu.dataId);
    p.gpu.dispose(x.gpu.dataId);
  }
}

/** Runs `kernel` on both backends (the side says which tensors to use) and returns both results. */
export function run(p: Pair, kernel: (b: Backend, side: 'cpu' | 'gpu') => DataId, dtype: DType): { cpu: Float64Array; gpu: Float64Array } {
  const c = kernel(p.cpu, 'cpu');
  const g = kernel(p.gpu, 'gpu');
  const out = { cpu: valuesOf(p.cpu, c, dtype), gpu: valuesOf(p.gpu, g, dtype) };
  p.cpu.dispose(c);
  p.gpu.dispose(g);
  return out;
}

/** Picks the side's tensor. */
export const on = (x: Both, side: 'cpu' | 'gpu'): TensorInfo => (side === 'cpu' ? x.cpu : x.gpu);
