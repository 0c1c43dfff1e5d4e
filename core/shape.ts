/** Shape helpers: sizes, strides, NumPy broadcasting and axis normalisation. */

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function assertValidShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${where}: invalid shape ${JSON.stringify(shape)} (expected an array of non-negative integers)`);
  }
  return shape.slice();
}

/**
 * NumPy broadcasting: align shapes on the right; each pair of dims must be equal or one of
 * them 1. Throws naming the op and both shapes.
 */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every element of the broadcast output, the flat index of the input element it reads.
 * Returns null when the input already has the output's shape (identity map).
 */
export function broadcastIndexMap(inShape: Shape, outShape: Shape): Int32Array | null {
  if (shapesEqual(inShape, outShape)) return null;
  const n = outShape.length;
  const size = sizeOf(outShape);
  const map = new Int32Array(size);
  const inStrides = stridesOf(inShape);
  // stride 0 along broadcast (size-1 or missing) dims
  const strides = new Array<number>(n).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const oi = i + (n - inShape.length);
    strides[oi] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const counter = new Array<number>(n).fill(0);
  let src = 0;
  for (let i = 0; i < size; i++) {
    map[i] = src;
    // odometer increment from the last dim
    for (let d = n - 1; d >= 0; d--) {
      counter[d]++;
      src += strides[d];
      if (counter[d] < outShape[d]) break;
      src -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return map;
}

/** Normalises axes (negative allowed, number or list, undefined = all) to sorted unique. */
export function normalizeAxes(axes: number | readonly number[] | undefined | null, rank: number, op: string): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : Array.from(axes);
  const out = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new Error(`${op}: axis ${a} is out of range for a tensor of rank ${rank}`);
    }
    out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((x, y) => x - y);
}

/**
 * The axes along which a broadcast input was expanded to reach outShape; summing the
 * output gradient over them (then reshaping) gives the input's gradient.
 */
export function broadcastReduceAxes(inShape: Shape, outShape: Shape): number[] {
  const axes: number[] = [];
  const offset = outShape.length - inShape.length;
  for (let i = 0; i < outShape.length; i++) {
    const d = i < offset ? 1 : inShape[i - offset];
    if (i < offset || (d === 1 && outShape[i] !== 1)) axes.push(i);
  }
  return axes;
}
