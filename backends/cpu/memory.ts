/**
 * Where the CPU backend's arrays come from. Two reasons not to write `new Float32Array(n)`:
 *
 * - Page faults. A fresh multi-megabyte typed array is mapped zeroed by the OS and faulted in
 *   page by page on first touch; on the 2-core CI machine that costs 3–6 ms per 6.4 MB — more
 *   than the relu that fills it. A training step frees and reallocates the same sizes every
 *   time, so freed buffers are kept (by exact byte size, up to `POOL_CAP_BYTES`) and handed
 *   out again, cleared with `fill(0)` (a memset, ~10× cheaper than faulting fresh pages).
 * - Threads. When a worker thread is available (threads.ts), big arrays live in a
 *   SharedArrayBuffer from the start, so a kernel can split its rows between the threads
 *   without first copying a 14 MB embedding table into shared memory.
 *
 * Only arrays the backend owns come from here; `Tensor.dataSync()` hands users a copy, so a
 * recycled buffer is never one a user still holds.
 */
import type { DType, TypedArray } from '../../core/dtype.js';
import { threadsAvailable } from './threads.js';

/** Below this many bytes V8's own allocator is fast and sharing buys nothing. */
const BIG_BYTES = 1 << 16;
/** Most bytes kept in freed buffers for reuse. */
const POOL_CAP_BYTES = 512 * 1024 * 1024;

const freed = new Map<number, ArrayBufferLike[]>();
let pooledBytes = 0;

type Ctor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => TypedArray;

function ctorOf(dtype: DType): Ctor & { BYTES_PER_ELEMENT: number } {
  switch (dtype) {
    case 'float32': return Float32Array as never;
    case 'float64': return Float64Array as never;
    case 'int32': return Int32Array as never;
    case 'float16': return Uint16Array as never;
  }
}

/** A zeroed array of `size` elements of `dtype`'s storage type. */
export function alloc(dtype: DType, size: number): TypedArray {
  const ctor = ctorOf(dtype);
  const bytes = size * ctor.BYTES_PER_ELEMENT;
  if (bytes < BIG_BYTES) return new ctor(new ArrayBuffer(bytes));
  const reuse = freed.get(bytes)?.pop();
  if (reuse) {
    pooledBytes -= bytes;
    const arr = new ctor(reuse, 0, size);
    arr.fill(0);
    return arr;
  }
  const buffer = threadsAvailable() ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return new ctor(buffer, 0, size);
}

/** A copy of `values` in backend memory. */
export function allocCopy(values: TypedArray, dtype: DType): TypedArray {
  const out = alloc(dtype, values.length);
  out.set(values as never);
  return out;
}

/** `values` is no longer used by anyone: keep its buffer for the next array of its size. */
export function release(values: TypedArray): void {
  const bytes = values.byteLength;
  if (bytes < BIG_BYTES || values.byteOffset !== 0 || values.buffer.byteLength !== bytes) return;
  if (pooledBytes + bytes > POOL_CAP_BYTES) return;
  let list = freed.get(bytes);
  if (!list) freed.set(bytes, (list = []));
  list.push(values.buffer);
  pooledBytes += bytes;
}

/** Bytes held in freed buffers (reported by `memory()`). */
export function pooledByteCount(): number {
  return pooledBytes;
}

/** Drops every kept buffer (tests, or a caller that wants the memory back). */
export function clearPool(): void {
  freed.clear();
  pooledBytes = 0;
}
