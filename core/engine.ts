/**
 * The engine: which backend is active, the registry of backends, memory scopes (`tidy`),
 * live-tensor accounting (`memory`) and whether the autograd tape is recording (`noGrad`).
 * One engine per process; everything here is reachable from the top-level API.
 */
import type { Backend } from './kernels.js';

/**
 * What the engine needs of a tensor. core/tensor.ts's Tensor satisfies it; it is declared
 * here so the engine (the ground floor) does not import the Tensor class.
 */
export interface Tracked {
  readonly isTensor: true;
  readonly backend: { readonly name: string };
  /** logical bytes (size × bytes per element) */
  readonly bytes: number;
  /** kept tensors (variables, gradients, optimizer state) survive `tidy` */
  kept: boolean;
  readonly isDisposed: boolean;
  dispose(): void;
}

export type BackendFactory = (options?: unknown) => Backend | Promise<Backend>;

interface Registration {
  factory: BackendFactory;
  priority: number;
}

export interface MemoryReport {
  /** tensors created and not yet disposed, over all backends */
  numTensors: number;
  /** their logical bytes (size × bytes per element) */
  numBytes: number;
  /** per backend: live tensors, their bytes and what the backend itself holds */
  backends: Record<string, { numTensors: number; numBytes: number; numBuffers: number; bufferBytes: number; reservedBytes: number }>;
}

/** Anything `tidy` can return: tensors inside arrays and plain objects are kept. */
export type TensorContainer = Tracked | number | string | boolean | null | undefined | void
  | readonly TensorContainer[] | { [key: string]: TensorContainer } | object;

export class Engine {
  private registry = new Map<string, Registration>();
  private instances = new Map<string, Backend>();
  private current: Backend | null = null;
  private currentName = '';
  private scopes: Set<Tracked>[] = [];
  private live = new Map<string, { numTensors: number; numBytes: number }>();
  private gradDepth = 0;
  private nextTensorId = 0;

  registerBackend(name: string, factory: BackendFactory, priority = 0): void {
    this.registry.set(name, { factory, priority });
  }

  registeredBackends(): string[] {
    return [...this.registry.keys()];
  }

  /** Makes `name` the active backend, creating it on first use. */
  async setBackend(name: string, options?: unknown): Promise<Backend> {
    const reg = this.registry.get(name);
    if (!reg) {
      throw new Error(`setBackend: unknown backend '${name}' (registered: ${this.registeredBackends().join(', ')})`);
    }
    let backend = this.instances.get(name);
    if (!backend || options !== undefined) {
      backend = await reg.factory(options);
      this.instances.set(name, backend);
    }
    this.current = backend;
    this.currentName = name;
    return backend;
  }

  /** The backend called `name`, created on first use, without making it active. */
  async backendInstance(name: string): Promise<Backend> {
    const existing = this.instances.get(name);
    if (existing) return existing;
    const reg = this.registry.get(name);
    if (!reg) throw new Error(`unknown backend '${name}' (registered: ${this.registeredBackends().join(', ')})`);
    const made = await reg.factory();
    this.instances.set(name, made);
    return made;
  }

  /** Synchronous variant for backends whose factory is synchronous (cpu). */
  setBackendSync(name: string): Backend {
    const reg = this.registry.get(name);
    if (!reg) throw new Error(`setBackend: unknown backend '${name}'`);
    let backend = this.instances.get(name);
    if (!backend) {
      const made = reg.factory();
      if (made instanceof Promise) throw new Error(`setBackend: backend '${name}' must be set with await setBackend()`);
      backend = made;
      this.instances.set(name, backend);
    }
    this.current = backend;
    this.currentName = name;
    return backend;
  }

  get backend(): Backend {
    if (!this.current) this.setBackendSync('cpu');
    return this.current!;
  }

  get backendName(): string {
    if (!this.current) this.setBackendSync('cpu');
    return this.currentName;
  }

  /** An instantiated backend by name (creating synchronous ones on demand). */
  getBackendInstance(name: string): Backend | undefined {
    const existing = this.instances.get(name);
    if (existing) return existing;
    const reg = this.registry.get(name);
    if (!reg) return undefined;
    const made = reg.factory();
    if (made instanceof Promise) return undefined;
    this.instances.set(name, made);
    return made;
  }

  // ---- tensor accounting ------------------------------------------------------

  newTensorId(): number {
    return this.nextTensorId++;
  }

  /** Called by every Tensor constructor. */
  track(t: Tracked): void {
    const entry = this.live.get(t.backend.name) ?? { numTensors: 0, numBytes: 0 };
    entry.numTensors++;
    entry.numBytes += t.bytes;
    this.live.set(t.backend.name, entry);
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.add(t);
  }

  /** Called once by Tensor.dispose(). */
  untrack(t: Tracked): void {
    const entry = this.live.get(t.backend.name);
    if (entry) {
      entry.numTensors--;
      entry.numBytes -= t.bytes;
    }
    for (const scope of this.scopes) scope.delete(t);
  }

  /** Removes `t` from every open scope so `tidy` will not dispose it. */
  keep<T extends Tracked>(t: T): T {
    t.kept = true;
    for (const scope of this.scopes) scope.delete(t);
    return t;
  }

  /** Whether `t` was made inside the innermost open scope. */
  inCurrentScope(t: Tracked): boolean {
    const scope = this.scopes[this.scopes.length - 1];
    return scope !== undefined && scope.has(t);
  }

  memory(): MemoryReport {
    const report: MemoryReport = { numTensors: 0, numBytes: 0, backends: {} };
    for (const [name, entry] of this.live) {
      const backend = this.instances.get(name);
      const mem = backend ? backend.memory() : { numBuffers: 0, numBytes: 0 };
      report.backends[name] = {
        numTensors: entry.numTensors, numBytes: entry.numBytes,
        numBuffers: mem.numBuffers, bufferBytes: mem.numBytes, reservedBytes: mem.reservedBytes ?? mem.numBytes,
      };
      report.numTensors += entry.numTensors;
      report.numBytes += entry.numBytes;
    }
    return report;
  }

  // ---- scopes -----------------------------------------------------------------

  startScope(): void {
    this.scopes.push(new Set());
  }

  /** Disposes every tensor made in the innermost scope except `result`'s (which move up). */
  endScope(result?: unknown): void {
    const scope = this.scopes.pop();
    if (!scope) throw new Error('endScope: no open scope');
    const keepSet = new Set<Tracked>();
    collectTensors(result, keepSet);
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of scope) {
      if (keepSet.has(t)) {
        if (parent) parent.add(t);
      } else if (!t.kept && !t.isDisposed) {
        t.dispose();
      }
    }
  }

  tidy<T>(fn: () => T): T {
    this.startScope();
    let result: T;
    try {
      result = fn();
    } catch (err) {
      this.endScope();
      throw err;
    }
    if (result instanceof Promise) {
      this.endScope();
      throw new Error('tidy: the function returned a Promise; tidy only supports synchronous functions (await outside, tidy inside)');
    }
    this.endScope(result);
    return result;
  }

  // ---- gradient recording ---------------------------------------------------------

  get gradEnabled(): boolean {
    return this.gradDepth === 0;
  }

  noGrad<T>(fn: () => T): T {
    this.gradDepth++;
    try {
      return fn();
    } finally {
      this.gradDepth--;
    }
  }
}

/** Finds tensors inside arrays, plain objects, Maps and RowSparse-like {values} holders. */
function collectTensors(value: unknown, out: Set<Tracked>, depth = 0): void {
  if (value === null || value === undefined || depth > 8) return;
  if (typeof value !== 'object') return;
  if ((value as { isTensor?: boolean }).isTensor === true) {
    out.add(value as Tracked);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, depth + 1);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, out, depth + 1);
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  for (const v of Object.values(value as Record<string, unknown>)) collectTensors(v, out, depth + 1);
}

export const engine = new Engine();

export const tidy = <T>(fn: () => T): T => engine.tidy(fn);
export const noGrad = <T>(fn: () => T): T => engine.noGrad(fn);
export const memory = (): MemoryReport => engine.memory();
export const keep = <T extends Tracked>(t: T): T => engine.keep(t);
