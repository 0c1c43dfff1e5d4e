/**
 * From a `GPU` object (`navigator.gpu`, or the `webgpu` package's `create()`) to a device:
 * the adapter, the limits this backend raises, and a plain report of both for `sg.info()`.
 * Self-contained (no imports, no outside names) so the GPU worker can run it from source.
 */
import type { GPUDeviceLike, GPULike } from './gpu-types.js';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** adapter features, sorted */
  features: string[];
  /** the device limits the kernels size themselves by */
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupsPerDimension: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupStorageSize: number;
    maxStorageBuffersPerShaderStage: number;
  };
  /** true for a software adapter (SwiftShader, lavapipe, WARP): it runs on the CPU */
  software: boolean;
}

/** Throws an Error whose message starts with 'no-adapter:' when the GPU offers none. */
export async function openDevice(gpu: GPULike): Promise<{ device: GPUDeviceLike; report: AdapterReport }> {
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no-adapter: requestAdapter() returned null');
  // the largest buffers and the most storage bindings the adapter allows (defaults are lower)
  const wanted = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage', 'maxComputeWorkgroupStorageSize'];
  const requiredLimits: Record<string, number> = {};
  for (const name of wanted) if (typeof adapter.limits[name] === 'number') requiredLimits[name] = adapter.limits[name];
  const device = await adapter.requestDevice({ requiredLimits });
  const info = adapter.info ?? { vendor: '', architecture: '', device: '', description: '' };
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.toLowerCase();
  const lim = device.limits;
  return {
    device,
    report: {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      features: [...adapter.features].sort(),
      limits: {
        maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
        maxBufferSize: lim.maxBufferSize,
        maxComputeWorkgroupsPerDimension: lim.maxComputeWorkgroupsPerDimension,
        maxComputeInvocationsPerWorkgroup: lim.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupStorageSize: lim.maxComputeWorkgroupStorageSize,
        maxStorageBuffersPerShaderStage: lim.maxStorageBuffersPerShaderStage,
      },
      software: /swiftshader|lavapipe|llvmpipe|warp|software/.test(text),
    },
  };
}
