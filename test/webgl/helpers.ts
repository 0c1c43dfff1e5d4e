/**
 * Shared by the webgl tests: both backends, tensors made on both from the same values,
 * and error measures. Kernels are called directly on the backends (TensorInfo in, DataId
 * out) so each test pins one kernel; model-level tests go through the public API.
 */
import * as sg from '../../index.js';
import type { Backend, DataId, TensorInfo } from '../../core/kernels.js';
import type { CpuBackend } from '../../backends/cpu/index.js';
import type { WebGLBackend } from '../../backends/webgl/index.js';
import type { DType, TypedArray } from '../../core/dtype.js';
import { decodeHalfArray, encodeHalfArray } from '../../core/float16.js';
import { sizeOf } from '../../core/shape.js';

/** The two backends, as their classes: every acceleration is there to call. */
export interface Pair {
  cpu: CpuBackend;
  gl: WebGLBackend;
}

let pair: Pair | null = null;

/** The cpu and webgl backend instances (webgl created on first call). */
export async function backends(): Promise<Pair> {
  if (pair) return pair;
  await sg.setBackend('webgl');
  const gl = sg.engine.backend as WebGLBackend;
  await sg.setBackend('cpu');
  const cpu = sg.engine.backend as CpuBackend;
  pair = { cpu, gl };
  return pair;
}

/** A small deterministic generator (tests must not depend on Math.random). */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

export function randomValues(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * r();
  return out;
}

export function randomInts(n: number, seed: number, max: number): Int32Array {
  const r = rng(seed);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * max);
  return out;
}

export interface Both {
  cpu: TensorInfo;
  gl: TensorInfo;
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
    gl: { dataId: p.gl.write(s, dtype), shape, dtype },
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
    p.gl.dispose(x.gl.dataId);
  }
}

/** max_i |a_i − b_i| / max(|b_i|, floor): elementwise relative error; NaN/∞ must match exactly. */
export function elementError(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-6): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (!Object.is(x, y) && !(Number.isNaN(x) && Number.isNaN(y))) return Infinity;
      continue;
    }
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(y), floor));
  }
  return worst;
}

/** ‖a − b‖∞ / ‖b‖∞: relative error of the whole result (sums, products). */
export function normError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
    if (Number.isNaN(b[i])) continue;
    if (!Number.isFinite(b[i]) || !Number.isFinite(a[i])) {
      if (a[i] !== b[i]) return Infinity;
      continue;
    }
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs `kernel` on both backends and returns both results' values. */
export function run(p: Pair, kernel: (b: CpuBackend | WebGLBackend, side: 'cpu' | 'gl') => DataId, dtype: DType): { cpu: Float64Array; gl: Float64Array } {
  const c = kernel(p.cpu, 'cpu');
  const g = kernel(p.gl, 'gl');
  const out = { cpu: valuesOf(p.cpu, c, dtype), gl: valuesOf(p.gl, g, dtype) };
  p.cpu.dispose(c);
  p.gl.dispose(g);
  return out;
}

export function fmt(x: number): string {
  return x.toExponential(2);
}

/** A batch of the browser tests' MF steps, as plain arrays (it crosses into the page as JSON). */
export interface MFBatch { u: number[]; i: number[]; y: number[] }

/** The browser tests' batches: four, cycled; only even user ids appear, so odd user rows must never change. */
export function browserMFBatches(steps: number, users: number, items: number): MFBatch[] {
  return Array.from({ length: steps }, (_, s) => {
    const u = Array.from(randomInts(48, 10 + (s % 4), users / 2), (x) => 2 * x);
    const i = Array.from(randomInts(48, 50 + (s % 4), items));
    return { u, i, y: u.map((x, k) => ((x * 7 + i[k] * 3) % 5) / 2) };
  });
}
