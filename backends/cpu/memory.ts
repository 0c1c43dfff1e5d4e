/**
 * Where a CPU backend's arrays come from: its `Arena`. Three reasons not to write
 * `new Float32Array(n)`:
 *
 * - Page faults. A fresh multi-megabyte typed array is mapped zeroed by the OS and faulted in
 *   page by page on first touch; on the 2-core CI machine that costs 3–6 ms per 6.4 MB — more
 *   than the relu that fills it. A training step frees and reallocates the same sizes every
 *   time, so freed blocks are kept and handed out again, cleared with a memset (~10× cheaper
 *   than faulting in fresh pages; WebAssembly's `memory.fill` for arena blocks, wasm/zero.ts).
 * - Threads. Big arrays live in shared memory, so a kernel can split its rows with the worker
 *   thread (threads.ts) without first copying a 14 MB embedding table.
 * - WebAssembly. That shared memory is one `WebAssembly.Memory` (the "arena"), so the SIMD
 *   kernels (gather-dot.ts, adam.ts, …, via wasm/modules.ts) work on embedding tables and
 *   optimizer state in place: an array's address in the arena is just its `byteOffset`.
 *
 * The arena rounds each request to a size class (eight per power of two, so at most 12.5%
 * is wasted) and takes it from a coalescing best-fit free list (`FreeList`), else from the
 * top; it grows by at least half again at a time and never shrinks (WebAssembly memories
 * cannot), so a long run settles at its peak of live bytes. Growing a shared memory never
 * moves or detaches the views already handed out.
 *
 * Where there is no SharedArrayBuffer (a browser page without cross-origin isolation), big
 * arrays are plain ArrayBuffers, recycled by exact size. Only arrays the backend owns come
 * from here: `Tensor.dataSync()` hands users a copy, so a recycled block is never one a user
 * still holds.
 *
 * Each CpuBackend owns one Arena (and the WebAssembly kernels instantiated on its memory,
 * wasm/modules.ts): nothing here is module-global, so backends never share blocks.
 */
import type { DType, TypedArray } from '../../core/dtype.js';
import { memoryZeroer } from './wasm/zero.js';

/** Below this many bytes V8's own allocator is fast and sharing buys nothing. */
const BIG_BYTES = 1 << 16;
const PAGE_BYTES = 65536;
/** 4 GiB of address space: the most a (32-bit) WebAssembly memory can address. */
export const ARENA_MAX_PAGES = 65536;
/** Most bytes kept in freed plain (non-arena) buffers for reuse. */
const PLAIN_POOL_CAP_BYTES = 512 * 1024 * 1024;

/**
 * The arena's free space: freed blocks sorted by offset, merged with free neighbours, and
 * handed out best-fit; above `top` everything is free. Merging matters: a long process that
 * frees 256 MB blocks and then asks for 40 MB ones (a benchmark suite, a user changing batch
 * sizes) reuses the same bytes instead of growing until the 4 GiB ceiling.
 */
export class FreeList {
  private readonly offsets: number[] = [];
  private readonly sizes: number[] = [];
  /** end of the used region */
  top = 0;

  /** Offset of a block of `size` bytes: the smallest freed block that fits, else the top. */
  take(size: number): number {
    let best = -1;
    for (let i = 0; i < this.sizes.length; i++) {
      if (this.sizes[i] >= size && (best < 0 || this.sizes[i] < this.sizes[best])) best = i;
    }
    if (best < 0) {
      const offset = this.top;
      this.top += size;
      return offset;
    }
    const offset = this.offsets[best];
    if (this.sizes[best] === size) {
      this.offsets.splice(best, 1);
      this.sizes.splice(best, 1);
    } else {
      // keep the rest of the block free
      this.offsets[best] += size;
      this.sizes[best] -= size;
    }
    return offset;
  }

  /** Returns a block, merging it with the free blocks (or the top) it touches. */
  give(offset: number, size: number): void {
    let i = 0;
    while (i < this.offsets.length && this.offsets[i] < offset) i++;
    if (i > 0 && this.offsets[i - 1] + this.sizes[i - 1] === offset) {
      i--;
      offset = this.offsets[i];
      size += this.sizes[i];
      this.offsets.splice(i, 1);
      this.sizes.splice(i, 1);
    }
    if (i < this.offsets.length && offset + size === this.offsets[i]) {
      size += this.sizes[i];
      this.offsets.splice(i, 1);
      this.sizes.splice(i, 1);
    }
    if (offset + size === this.top) {
      this.top = offset; // the top block comes back: the used region shrinks
      return;
    }
    this.offsets.splice(i, 0, offset);
    this.sizes.splice(i, 0, size);
  }

  /** Freed blocks below the top, as [offset, size] pairs (tests). */
  blocks(): [number, number][] {
    return this.offsets.map((o, i) => [o, this.sizes[i]]);
  }
}

interface Block {
  offset: number;
  size: number;
}

type Ctor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => TypedArray;

function ctorOf(dtype: DType): Ctor & { BYTES_PER_ELEMENT: number } {
  switch (dtype) {
    case 'float32': return Float32Array as never;
    case 'float64': return Float64Array as never;
    case 'int32': return Int32Array as never;
    case 'float16': return Uint16Array as never;
  }
}

/** Block sizes: 8 steps per power of two (≤ 12.5% waste), multiples of 16 bytes. */
function classSize(bytes: number): number {
  const step = Math.max(16, 2 ** (Math.floor(Math.log2(bytes)) - 3));
  return Math.ceil(bytes / step) * step;
}

/** Released arrays kept for reuse as they are (see Arena.recent): up to this size each … */
const RECENT_MAX_BYTES = 4 << 20;
/** … this many of one type and length … */
const RECENT_PER_SHAPE = 8;
/** … and this many bytes in all. */
const RECENT_CAP_BYTES = 64 << 20;
/** Small plain arrays (a batch's losses, a column gradient) are kept the same way, up to this many bytes. */
const RECENT_SMALL_CAP_BYTES = 8 << 20;

/** Whether `buffer` is shared memory (a page without cross-origin isolation has no SharedArrayBuffer at all). */
function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}

/** Released arrays by type and length, bounded, handed out again as they are. */
class Bins {
  private readonly byType = new Map<Ctor, Map<number, TypedArray[]>>();
  bytes = 0;

  constructor(private readonly capBytes: number) {}

  take(ctor: Ctor, length: number): TypedArray | undefined {
    const a = this.byType.get(ctor)?.get(length)?.pop();
    if (a) this.bytes -= a.byteLength;
    return a;
  }

  /** Keeps `a` unless its bin or the whole store is full. */
  put(a: TypedArray): boolean {
    if (this.bytes + a.byteLength > this.capBytes) return false;
    const ctor = a.constructor as Ctor;
    let byLength = this.byType.get(ctor);
    if (!byLength) this.byType.set(ctor, (byLength = new Map()));
    let bin = byLength.get(a.length);
    if (!bin) byLength.set(a.length, (bin = []));
    if (bin.length >= RECENT_PER_SHAPE) return false;
    bin.push(a);
    this.bytes += a.byteLength;
    return true;
  }

  /** Everything kept, the store emptied. */
  drain(): TypedArray[] {
    const all = [...this.byType.values()].flatMap((byLength) => [...byLength.values()].flat());
    this.byType.clear();
    this.bytes = 0;
    return all;
  }
}

const arenaEnabled = !(typeof process !== 'undefined' && process.env?.SPARSEGRAD_ARENA === '0');

/** A shared WebAssembly memory of `initial` pages that may grow to 4 GiB, or null where none can be made. */
function sharedMemory(): WebAssembly.Memory | null {
  if (!arenaEnabled || typeof SharedArrayBuffer !== 'function' || typeof WebAssembly !== 'object') return null;
  try {
    return new WebAssembly.Memory({ initial: 256, maximum: ARENA_MAX_PAGES, shared: true });
  } catch {
    return null; // shared memories not allowed here
  }
}

/**
 * One CPU backend's memory: the arena (a shared WebAssembly memory, when there can be one)
 * and the pool of recycled plain buffers. Owned by the backend that made it, so two backends
 * — or two copies of the library in one process — never share blocks or kernels.
 */
export class Arena {
  /** the shared WebAssembly memory big arrays live in, or null where there is none */
  readonly memory: WebAssembly.Memory | null;
  private readonly free = new FreeList();
  /** bytes at or above this offset were never handed out: still zero */
  private highWater = 0;
  /** where each arena array starts and how big its block is */
  private readonly blocks = new WeakMap<TypedArray, Block>();
  /**
   * A tensor dropped without dispose() still gives its block back, when the garbage collector
   * collects its array (as a plain ArrayBuffer would be freed).
   */
  private readonly collected = typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<Block>((block) => this.free.give(block.offset, block.size))
    : null;
  private readonly plainFree = new Map<number, ArrayBuffer[]>();
  private plainPooled = 0;
  /**
   * The scratch region: one arena block that kernel calls copy their small host inputs into
   * (ids, touched rows, scales — a few KB each, a dozen per training step), taken by bumping
   * `scratchTop` and given back by resetting it (scratch.ts). A block per input through
   * `allocInArena` cost ~2 µs each (free-list search, WeakMap, finalization registry).
   */
  private scratchBlock: { offset: number; size: number; array: TypedArray } | null = null;
  /**
   * Arrays given back recently, by type and length, handed out again as they are: a training
   * step frees and asks for the same shapes every time, and reusing the array object skips
   * the free-list search, a new view, the WeakMap entry and the finalization registration.
   * Bounded (RECENT_*); emptied into the free list before the arena would grow.
   */
  private readonly recent = new Bins(RECENT_CAP_BYTES);
  /** the same for small plain arrays (below BIG_BYTES, not in the arena) */
  private readonly recentSmall = new Bins(RECENT_SMALL_CAP_BYTES);
  private scratchTop = 0;
  /** the largest scratch demand seen while the region was too small: the next region's size */
  private scratchWanted = 0;
  private words: { buffer: ArrayBufferLike; f32: Float32Array; i32: Int32Array; f64: Float64Array } | null = null;
  /** the memset that clears arena arrays (made on first use; null: fill(0)) */
  private zeroer: ((at: number, bytes: number) => void) | null | undefined;

  constructor(memory: WebAssembly.Memory | null = sharedMemory()) {
    this.memory = memory;
  }

  /** Byte offset of `values` in the arena, or -1 when it is not an arena array. */
  offset(values: ArrayBufferView): number {
    const b = this.blocks.get(values as TypedArray);
    return b ? b.offset : -1;
  }

  /**
   * A zeroed array of `size` elements of `dtype`'s storage type — or, with `zeroed` false, one
   * that may hold a freed array's old values, for a kernel that writes every element (clearing
   * a recycled 40 MB block costs a pass over it: ~10% of a Mult-VAE step).
   */
  alloc(dtype: DType, size: number, zeroed = true): TypedArray {
    const ctor = ctorOf(dtype);
    const bytes = size * ctor.BYTES_PER_ELEMENT;
    if (bytes < BIG_BYTES) {
      const again = this.recentSmall.take(ctor, size);
      if (again) {
        if (zeroed) again.fill(0);
        return again;
      }
      return new (ctor as unknown as new (n: number) => TypedArray)(size); // ≤ 64 bytes: on V8's heap, no backing store
    }
    const inArena = this.allocInArena(dtype, size, zeroed);
    if (inArena) return inArena;
    const reuse = this.plainFree.get(bytes)?.pop();
    if (reuse) {
      this.plainPooled -= bytes;
      const arr = new ctor(reuse, 0, size);
      if (zeroed) arr.fill(0);
      return arr;
    }
    return new ctor(new ArrayBuffer(bytes), 0, size);
  }

  /** A zeroed array in the arena whatever its size (`zeroed` as for alloc), or null without an arena (or room in it). */
  allocInArena(dtype: DType, size: number, zeroed = true): TypedArray | null {
    if (!this.memory) return null;
    const ctor = ctorOf(dtype);
    const again = this.recent.take(ctor, size);
    if (again) {
      if (zeroed) this.clear(again);
      return again;
    }
    const blockSize = classSize(Math.max(16, size * ctor.BYTES_PER_ELEMENT));
    const block = this.block(blockSize);
    if (!block) return null;
    const arr = new ctor(this.memory.buffer, block.offset, size);
    if (block.recycled && zeroed) this.clear(arr); // fresh WebAssembly memory is already zero
    const info = { offset: block.offset, size: blockSize };
    this.blocks.set(arr, info);
    this.collected?.register(arr, info, arr);
    return arr;
  }

  /** Zeroes an arena array: a memset through WebAssembly (wasm/zero.ts; fill(0) on shared memory is 7× slower), else fill(0). */
  private clear(arr: TypedArray): void {
    if (this.zeroer === undefined) this.zeroer = this.memory ? memoryZeroer(this.memory, ARENA_MAX_PAGES) : null;
    if (this.zeroer) this.zeroer(arr.byteOffset, arr.byteLength);
    else arr.fill(0);
  }

  /** A copy of `values` in this memory. */
  copy(values: TypedArray, dtype: DType): TypedArray {
    const out = this.alloc(dtype, values.length, false); // every element is written
    out.set(values as never);
    return out;
  }

  /** `values` is no longer used by anyone: keep its memory for the next array of its size. */
  release(values: TypedArray): void {
    const block = this.blocks.get(values);
    if (block ? block.size <= RECENT_MAX_BYTES && this.recent.put(values) : this.ownsSmall(values) && this.recentSmall.put(values)) return;
    if (block) {
      this.blocks.delete(values);
      this.collected?.unregister(values);
      this.free.give(block.offset, block.size);
      return;
    }
    const bytes = values.byteLength;
    if (bytes < BIG_BYTES || values.byteOffset !== 0 || values.buffer.byteLength !== bytes) return;
    if (isShared(values.buffer) || this.plainPooled + bytes > PLAIN_POOL_CAP_BYTES) return;
    let list = this.plainFree.get(bytes);
    if (!list) this.plainFree.set(bytes, (list = []));
    list.push(values.buffer as ArrayBuffer);
    this.plainPooled += bytes;
  }

  // ---- step-scoped scratch -------------------------------------------------------

  /** The current scratch position: `scratchRelease(mark)` gives back everything taken after it. */
  scratchMark(): number {
    return this.scratchTop;
  }

  /**
   * The arena offset of a copy of `values` in the scratch region (16-byte aligned), or -1 when
   * the region has no room (the caller then takes an ordinary block). Valid until the mark
   * taken before it is released.
   */
  scratchCopy(values: Int32Array | Float32Array | Float64Array): number {
    const bytes = (values.byteLength + 15) & ~15;
    const region = this.scratchBlock;
    if (!region || this.scratchTop + bytes > region.size) {
      this.scratchWanted = Math.max(this.scratchWanted, this.scratchTop + bytes);
      return -1;
    }
    const at = region.offset + this.scratchTop;
    this.scratchTop += bytes;
    const w = this.wordViews();
    if (values instanceof Int32Array) w.i32.set(values, at >> 2);
    else if (values instanceof Float32Array) w.f32.set(values, at >> 2);
    else w.f64.set(values, at >> 3);
    return at;
  }

  /** Gives back the scratch taken since `mark`; when all of it is back, resizes a region found too small. */
  scratchRelease(mark: number): void {
    this.scratchTop = mark;
    if (mark !== 0 || this.scratchWanted === 0 || !this.memory) return;
    const size = Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(this.scratchWanted)));
    this.scratchWanted = 0;
    if (this.scratchBlock) this.release(this.scratchBlock.array);
    const array = this.allocInArena('float32', size / 4, false);
    this.scratchBlock = array ? { offset: this.offset(array), size, array } : null;
  }

  /** Views of the whole memory, remade when it has grown (growing makes a new buffer object). */
  private wordViews(): { f32: Float32Array; i32: Int32Array; f64: Float64Array } {
    const buffer = this.memory!.buffer;
    if (!this.words || this.words.buffer !== buffer) {
      this.words = { buffer, f32: new Float32Array(buffer), i32: new Int32Array(buffer), f64: new Float64Array(buffer) };
    }
    return this.words;
  }

  /** Bytes the arena has taken from the system (it never shrinks), 0 without one. */
  get bytes(): number {
    return this.memory ? this.memory.buffer.byteLength : 0;
  }

  /** Bytes held for reuse or in use outside V8's heap: the arena plus kept plain buffers. */
  get reservedBytes(): number {
    return this.bytes + this.plainPooled;
  }

  /** Gives every recently released array's block back to the free list. */
  private flushRecent(): void {
    for (const values of this.recent.drain()) {
      const block = this.blocks.get(values)!;
      this.blocks.delete(values);
      this.collected?.unregister(values);
      this.free.give(block.offset, block.size);
    }
  }

  /**
   * A small plain array worth keeping: all of its own buffer (not a view into something else),
   * and over 64 bytes (V8 keeps smaller ones on its heap, cheap to make — and reading their
   * `.buffer` would move them off it).
   */
  private ownsSmall(values: TypedArray): boolean {
    return values.byteLength > 64 && values.byteLength < BIG_BYTES && values.byteOffset === 0 && values.buffer.byteLength === values.byteLength
      && !isShared(values.buffer);
  }

  /** A block of the arena (recycled: it may hold old data), or null when the arena is full. */
  private block(size: number): { offset: number; recycled: boolean } | null {
    const memory = this.memory!;
    let offset = this.free.take(size);
    if (offset + size > memory.buffer.byteLength && this.recent.bytes > 0) {
      // before growing, let the blocks kept for reuse merge back into the free list
      this.free.give(offset, size);
      this.flushRecent();
      offset = this.free.take(size);
    }
    const end = offset + size;
    const have = memory.buffer.byteLength;
    if (end > have) {
      // grow by at least half again, so a growing workload does not grow page by page
      const pages = Math.max(Math.ceil((end - have) / PAGE_BYTES), Math.ceil(have / PAGE_BYTES / 2));
      const needed = Math.ceil((end - have) / PAGE_BYTES);
      for (const n of [Math.min(pages, ARENA_MAX_PAGES - have / PAGE_BYTES), needed]) {
        try {
          memory.grow(n);
          break;
        } catch {
          // too much at once: try just what this block needs
        }
      }
      if (end > memory.buffer.byteLength) {
        this.free.give(offset, size);
        return null;
      }
    }
    const recycled = offset < this.highWater;
    this.highWater = Math.max(this.highWater, end);
    return { offset, recycled };
  }
}
