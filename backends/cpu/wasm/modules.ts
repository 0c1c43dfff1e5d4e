/**
 * WebAssembly kernels that run in place on a backend's arena (memory.ts).
 *
 * A kernel file (gather-dot.ts, adam.ts, …) emits its module with the assembler (emitter.ts)
 * and wraps it in an `ArenaKernel`: the module is compiled once per process, instantiated on
 * each arena's shared memory the first time that arena needs it, and registered with the
 * worker pool (threads.ts), whose threads instantiate it on the same memory — so a call can
 * share its rows with them. Arguments are byte offsets into the arena; `ArenaArgs` copies the
 * small host arrays a call brings along (ids, touched rows) into scratch blocks.
 *
 * Nothing here decides *whether* to use WebAssembly or threads: that is variants.ts, the
 * one rule every kernel file asks. SPARSEGRAD_WASM=0 switches these kernels off.
 */
import type { TypedArray } from '../../../core/dtype.js';
import { ARENA_MAX_PAGES, type Arena } from '../memory.js';
import { parallelWasm, registerWasm, threadCount, type WasmKernels } from '../threads.js';

const enabled = !(typeof process !== 'undefined' && process.env?.SPARSEGRAD_WASM === '0');

/** One kernel module instantiated on one arena. */
export class ArenaInstance<F extends string> {
  constructor(private readonly pool: WasmKernels, readonly exports: Record<F, (...args: number[]) => void>) {}

  /**
   * Runs export `fn(...args, lo, hi)` over [0, rows): shared with the worker threads when
   * `threads` — in a few chunks per thread, taken in turn, or in exactly the two halves
   * [0, split) and [split, rows) when `split` is given — else on this thread.
   */
  run(fn: F, args: number[], rows: number, threads: boolean, split?: number): void {
    if (threads && rows > 1) {
      const chunks = split !== undefined
        ? { total: rows, bounds: [0, split, rows] }
        : { total: rows, grain: Math.max(1, Math.ceil(rows / (4 * threadCount()))) };
      if (parallelWasm(this.pool, fn, args, chunks)) return;
    }
    this.exports[fn](...args, 0, rows);
  }
}

/** A kernel module, compiled once, instantiated per arena. */
export class ArenaKernel<F extends string> {
  private module: WebAssembly.Module | null | undefined;
  private readonly instances = new WeakMap<Arena, ArenaInstance<F> | null>();

  /** `emit` returns the module's bytes for a shared memory of up to `maxPages` pages. */
  constructor(readonly name: string, private readonly emit: (memory: { shared: boolean; maxPages: number }) => Uint8Array<ArrayBuffer>) {}

  /** The kernel on `arena`'s memory, or null (no arena, no SIMD, or switched off). */
  on(arena: Arena): ArenaInstance<F> | null {
    const known = this.instances.get(arena);
    if (known !== undefined) return known;
    let instance: ArenaInstance<F> | null = null;
    const module = arena.memory ? this.compile() : null;
    if (module && arena.memory) {
      try {
        const exports = new WebAssembly.Instance(module, { env: { memory: arena.memory } }).exports as Record<string, unknown>;
        instance = new ArenaInstance(registerWasm(module, arena.memory, exports), exports as Record<F, (...args: number[]) => void>);
      } catch {
        instance = null;
      }
    }
    this.instances.set(arena, instance);
    return instance;
  }

  private compile(): WebAssembly.Module | null {
    if (this.module !== undefined) return this.module;
    this.module = null;
    if (!enabled || typeof WebAssembly !== 'object') return null;
    try {
      const bytes = this.emit({ shared: true, maxPages: ARENA_MAX_PAGES });
      if (WebAssembly.validate(bytes)) this.module = new WebAssembly.Module(bytes);
    } catch {
      // e.g. a browser main thread that will not compile synchronously: the JS kernel runs
    }
    return this.module;
  }
}

/**
 * Arena offsets for a call's small host inputs: copies in the arena's scratch region (or, when
 * it has no room yet, in blocks of their own), all given back by `release()` after the call.
 */
export class ArenaArgs {
  private readonly scratch: TypedArray[] = [];
  private readonly mark: number;

  constructor(private readonly arena: Arena) {
    this.mark = arena.scratchMark();
  }

  /** The offset of `a`: in place when it is an arena array, else of a copy in the arena. */
  input(a: Int32Array | Float32Array | Float64Array): number {
    const at = this.arena.offset(a);
    if (at >= 0) return at;
    const inScratch = this.arena.scratchCopy(a);
    if (inScratch >= 0) return inScratch;
    const dtype = a instanceof Int32Array ? 'int32' : a instanceof Float64Array ? 'float64' : 'float32';
    const copy = this.arena.allocInArena(dtype, a.length, false) as Int32Array | Float32Array | Float64Array | null;
    if (!copy) throw new Error('cpu: the WebAssembly arena is full'); // 4 GiB of live tensors
    copy.set(a);
    this.scratch.push(copy);
    return this.arena.offset(copy);
  }

  /** A zeroed scratch array in the arena (kernel outputs the caller reads back). */
  output(dtype: 'float32' | 'float64', length: number): { array: Float32Array | Float64Array; at: number } {
    const array = this.arena.allocInArena(dtype, length) as Float32Array | Float64Array | null;
    if (!array) throw new Error('cpu: the WebAssembly arena is full');
    this.scratch.push(array);
    return { array, at: this.arena.offset(array) };
  }

  release(): void {
    for (const s of this.scratch) this.arena.release(s);
    this.arena.scratchRelease(this.mark);
  }
}
