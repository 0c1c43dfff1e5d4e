/** Making tensors: from data, zeros/ones/full, random (seeded), variables. */
import { chargeAllocation } from '../core/budget.js';
import { assertDType, type DType } from '../core/dtype.js';
import { engine } from '../core/engine.js';
import { randomStream } from '../core/random.js';
import { assertValidShape, fmtShape, sizeOf } from '../core/shape.js';
import { Tensor } from '../core/tensor.js';
import { currentBackend, storageFor, wrap } from './util.js';

export type Nested = number | boolean | Nested[];

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

function flattenInto(data: Nested, shape: number[], dim: number, out: number[], path: number[]): void {
  if (dim === shape.length) {
    if (Array.isArray(data)) throw new Error(`tensor: ragged nested array at index [${path.join(', ')}]`);
    if (typeof data !== 'number' && typeof data !== 'boolean') {
      throw new TypeError(`tensor: the element at index [${path.join(', ')}] is ${describeValue(data)}, not a number`);
    }
    out.push(typeof data === 'boolean' ? Number(data) : data);
    return;
  }
  if (!Array.isArray(data) || data.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array at index [${path.join(', ')}] (expected ${shape[dim]} entries along axis ${dim})`);
  }
  data.forEach((d, i) => flattenInto(d, shape, dim + 1, out, [...path, i]));
}

/** A value as a message shows it: a string quoted and cut, an object by its kind. */
function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (v === null || v === undefined) return String(v);
  return typeof v === 'object' ? `an object (${Object.prototype.toString.call(v).slice(8, -1)})` : `${typeof v} ${String(v)}`;
}

/** int32 data that is not an Int32Array must hold integers in range (1.5 or 2^40 must not truncate or wrap). */
function checkInt32(flat: ArrayLike<number>, op: string): void {
  if (flat instanceof Int32Array) return;
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (!(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) throw new RangeError(`${op}: int32 value at position ${i} is ${v}, not an integer in the int32 range`);
  }
}

/** A dtype argument: its name, or an options object `{dtype}` like randn's. */
export type DTypeArg = DType | { dtype?: DType };

function dtypeOf(arg: unknown, op: string): DType {
  if (arg === undefined) return 'float32';
  if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) return assertDType((arg as { dtype?: unknown }).dtype ?? 'float32', op);
  return assertDType(arg, op);
}

/**
 * `tensor(data, shape?, dtype?)`: data is a nested array, a flat array or a typed array
 * (a typed array's type picks the dtype unless one is given).
 */
export function tensor(data: Nested | ArrayLike<number>, shape?: readonly number[], dtype?: DType): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(data)) {
    flat = data as unknown as ArrayLike<number>;
    inferred = [flat.length];
    dtype ??= data instanceof Int32Array ? 'int32' : data instanceof Float64Array ? 'float64' : 'float32';
  } else if (typeof data === 'number' || typeof data === 'boolean') {
    flat = [Number(data)];
    inferred = [];
  } else {
    inferred = inferShape(data as Nested);
    const out: number[] = [];
    flattenInto(data as Nested, inferred, 0, out, []);
    flat = out;
  }
  const d = assertDType(dtype ?? 'float32', 'tensor');
  if (d === 'int32') checkInt32(flat, 'tensor');
  const s = shape ? assertValidShape(shape, 'tensor') : inferred;
  if (sizeOf(s) !== flat.length) throw new Error(`tensor: ${flat.length} values do not fill shape ${fmtShape(s)}`);
  chargeAllocation(flat.length, 4, 'tensor');
  const b = currentBackend();
  return wrap(b.write(storageFor(flat, d), d), s, d, b);
}

export function zeros(shape: readonly number[], dtypeArg: DTypeArg = 'float32'): Tensor {
  const dtype = dtypeOf(dtypeArg, 'zeros');
  const s = assertValidShape(shape, 'zeros');
  chargeAllocation(sizeOf(s), 4, 'zeros');
  const b = currentBackend();
  return wrap(b.zeros(sizeOf(s), dtype), s, dtype, b);
}

export function full(shape: readonly number[], value: number, dtypeArg: DTypeArg = 'float32'): Tensor {
  const dtype = dtypeOf(dtypeArg, 'full');
  if (typeof value !== 'number') throw new TypeError(`full: the fill value is ${describeValue(value)}, not a number`);
  if (dtype === 'int32') checkInt32([value], 'full');
  const s = assertValidShape(shape, 'full');
  chargeAllocation(sizeOf(s), 4, 'full');
  const b = currentBackend();
  return wrap(b.write(storageFor(new Float64Array(sizeOf(s)).fill(value), dtype), dtype), s, dtype, b);
}

export const ones = (shape: readonly number[], dtype: DTypeArg = 'float32'): Tensor => full(shape, 1, dtype);
/** A tensor of `values` on the backend `like` lives on (which need not be the active one). */
export function tensorOn(like: Tensor, values: ArrayLike<number>, shape: readonly number[], dtype: DType = 'float32'): Tensor {
  if (sizeOf(shape) !== values.length) throw new Error(`tensorOn: ${values.length} values do not fill shape ${fmtShape(shape)}`);
  const b = like.backend;
  return wrap(b.write(storageFor(values, dtype), dtype), shape, dtype, b);
}

/** Zeros shaped like t, on t's backend (in t's dtype unless another is given). */
export function zerosLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  const b = t.backend;
  return wrap(b.zeros(t.size, dtype), t.shape, dtype, b);
}

/** Ones shaped like t, on t's backend (in t's dtype unless another is given). */
export function onesLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  const b = t.backend;
  return wrap(b.write(storageFor(new Float64Array(t.size).fill(1), dtype), dtype), t.shape, dtype, b);
}

export interface RandomOptions {
  seed?: number | string;
  /** stream name (default 'randn' / 'rand') */
  stream?: string;
  dtype?: DType;
  mean?: number;
  std?: number;
  min?: number;
  max?: number;
}

/** Normal(mean, std) values from a named, seeded stream. */
export function randn(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const s = assertValidShape(shape, 'randn');
  const rng = randomStream(opts.stream ?? 'randn', opts.seed);
  const values = new Float64Array(sizeOf(s));
  const m = opts.mean ?? 0;
  const sd = opts.std ?? 1;
  for (let i = 0; i < values.length; i++) values[i] = m + sd * rng.normal();
  return tensor(values, s, opts.dtype ?? 'float32');
}

/** Uniform [min, max) values from a named, seeded stream. */
export function rand(shape: readonly number[], opts: RandomOptions = {}): Tensor {
  const s = assertValidShape(shape, 'rand');
  const rng = randomStream(opts.stream ?? 'rand', opts.seed);
  const lo = opts.min ?? 0;
  const hi = opts.max ?? 1;
  const values = new Float64Array(sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = lo + (hi - lo) * rng.next();
  return tensor(values, s, opts.dtype ?? 'float32');
}

/** Marks a tensor as a trainable leaf: it records gradients and survives `tidy`. */
export function variable(t: Tensor, name?: string): Tensor {
  if (t.dtype === 'int32') throw new Error(`variable: ${t.describe()} is int32; only float tensors can have gradients`);
  t.requiresGrad = true;
  t.node = null;
  if (name) t.name = name;
  return engine.keep(t);
}
