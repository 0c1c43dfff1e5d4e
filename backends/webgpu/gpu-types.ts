/**
 * The part of the WebGPU API this backend uses, declared here so the project needs no
 * `@webgpu/types` (TypeScript's DOM library has no WebGPU yet). Names and shapes follow
 * the W3C spec; only what the executor and the adapter code call is listed.
 */

export interface GPULike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GPUAdapterLike | null>;
}

export interface GPUAdapterInfoLike {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface GPUAdapterLike {
  readonly features: ReadonlySet<string>;
  readonly limits: Record<string, number>;
  readonly info?: GPUAdapterInfoLike;
  requestDevice(descriptor?: { requiredFeatures?: string[]; requiredLimits?: Record<string, number> }): Promise<GPUDeviceLike>;
}

export interface GPUBufferLike {
  readonly size: number;
  mapAsync(mode: number, offset?: number, size?: number): Promise<void>;
  getMappedRange(offset?: number, size?: number): ArrayBuffer;
  unmap(): void;
  destroy(): void;
}

export interface GPUComputePipelineLike {
  getBindGroupLayout(index: number): unknown;
}

export interface GPUComputePassLike {
  setPipeline(p: GPUComputePipelineLike): void;
  setBindGroup(index: number, group: unknown): void;
  dispatchWorkgroups(x: number, y?: number, z?: number): void;
  end(): void;
}

export interface GPUCommandEncoderLike {
  beginComputePass(): GPUComputePassLike;
  copyBufferToBuffer(src: GPUBufferLike, srcOffset: number, dst: GPUBufferLike, dstOffset: number, size: number): void;
  clearBuffer(buffer: GPUBufferLike, offset?: number, size?: number): void;
  finish(): unknown;
}

export interface GPUShaderModuleLike {
  getCompilationInfo?(): Promise<{ messages: readonly { type: string; message: string; lineNum: number; linePos: number }[] }>;
}

export interface GPUDeviceLike {
  readonly limits: Record<string, number>;
  readonly features: ReadonlySet<string>;
  readonly lost: Promise<{ reason: string; message: string }>;
  readonly queue: {
    writeBuffer(buffer: GPUBufferLike, offset: number, data: ArrayBufferView | ArrayBuffer, dataOffset?: number, size?: number): void;
    submit(buffers: unknown[]): void;
    onSubmittedWorkDone(): Promise<void>;
  };
  createBuffer(descriptor: { size: number; usage: number; mappedAtCreation?: boolean }): GPUBufferLike;
  createShaderModule(descriptor: { code: string }): GPUShaderModuleLike;
  createComputePipeline(descriptor: { layout: 'auto'; compute: { module: GPUShaderModuleLike; entryPoint: string } }): GPUComputePipelineLike;
  createBindGroup(descriptor: { layout: unknown; entries: { binding: number; resource: { buffer: GPUBufferLike; offset?: number; size?: number } }[] }): unknown;
  createCommandEncoder(): GPUCommandEncoderLike;
  pushErrorScope(filter: 'validation' | 'out-of-memory' | 'internal'): void;
  popErrorScope(): Promise<{ message: string } | null>;
  addEventListener?(type: 'uncapturederror', listener: (e: { error: { message: string } }) => void): void;
  destroy(): void;
}
