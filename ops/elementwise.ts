/**
 * Elementwise ops and their gradients.
 *
 * Unary: y = f(x), so dx = dy · f'(x); where f' is easiest written with the output
 * (exp, sigmoid, tanh, sqrt) the backward reuses y instead of recomputing.
 * Binary ops broadcast NumPy-style; the gradient flowing to a broadcast input is summed
 * back over the broadcast axes (`reduceToShape`), so every input gets a gradient of its shape.
 *
 * Seven unary ops are kernel primitives (neg exp log sqrt abs sign isfinite); the others
 * (relu, sigmoid, tanh, …) are defined below as compositions of primitives — `COMPOSED`,
 * the reference — which a backend may compute in one pass with its `fusedUnary` kernel.
 */
import type { BinaryOp, FusedUnaryOp, UnaryOp } from '../core/kernels.js';
import { recordOp } from '../core/autograd.js';
import { upcast, type DType, assertDType } from '../core/dtype.js';
import { tidy } from '../core/engine.js';
import { broadcastShapes, fmtShape, shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { RowSparse } from '../core/rowsparse.js';
import { backendOf, reduceToShape, scalarOn, wrap } from './util.js';

function floatType(dtype: DType): DType {
  return dtype === 'int32' ? 'float32' : dtype;
}

const PRIMITIVE_UNARY: ReadonlySet<string> = new Set<UnaryOp>(['neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'isfinite']);

/**
 * The reference of each fused unary function, in primitives (and in each other). Numerically
 * these are the textbook forms: log1p as log(1 + x) loses the digits of a tiny x that a
 * fused kernel keeps, tanh near 0 is exact only to float32's absolute rounding.
 */
const COMPOSED: Record<FusedUnaryOp, (x: Tensor) => Tensor> = {
  /** max(x, 0) */
  relu: (x) => binaryRaw('maximum', x, asTensor(x, 0)),
  /** [x > 0]: relu's derivative */
  step: (x) => binaryRaw('greater', x, asTensor(x, 0)),
  /** 1 / (1 + e^−x) */
  sigmoid: (x) => binaryRaw('div', asTensor(x, 1), binaryRaw('add', unaryRaw('exp', unaryRaw('neg', x)), asTensor(x, 1))),
  /** 2·σ(2x) − 1 */
  tanh: (x) => binaryRaw('sub', binaryRaw('mul', unaryRaw('sigmoid', binaryRaw('mul', x, asTensor(x, 2))), asTensor(x, 2)), asTensor(x, 1)),
  /** log(1 + e^x) = max(x, 0) + log1p(e^−|x|): no overflow for large x */
  softplus: (x) => binaryRaw('add', unaryRaw('relu', x), unaryRaw('log1p', unaryRaw('exp', unaryRaw('neg', unaryRaw('abs', x))))),
  /** log(1 + x) */
  log1p: (x) => unaryRaw('log', binaryRaw('add', x, asTensor(x, 1))),
  /** x · x */
  square: (x) => binaryRaw('mul', x, x),
  /** 1 / x */
  reciprocal: (x) => binaryRaw('div', asTensor(x, 1), x),
};

/**
 * Runs a unary kernel — a primitive, or a fused function through the backend's `fusedUnary`
 * (else its composition above); no gradient recorded.
 */
export function unaryRaw(op: UnaryOp | FusedUnaryOp, x: Tensor): Tensor {
  const b = backendOf(op, x);
  const dtype = op === 'isfinite' ? 'float32' : floatType(x.dtype);
  if (PRIMITIVE_UNARY.has(op)) return wrap(b.unary(op as UnaryOp, x, dtype), x.shape, dtype, b);
  if (b.fusedUnary) return wrap(b.fusedUnary(op as FusedUnaryOp, x, dtype), x.shape, dtype, b);
  return tidy(() => COMPOSED[op as FusedUnaryOp](x));
}

/** Runs a binary kernel with broadcasting; no gradient recorded. */
export function binaryRaw(op: BinaryOp, a: Tensor, c: Tensor): Tensor {
  const b = backendOf(op, a, c);
  const outShape = broadcastShapes(a.shape, c.shape, op);
  let dtype = upcast(a.dtype, c.dtype);
  if (op === 'div' || op === 'pow') dtype = floatType(dtype);
  return wrap(b.binary(op, a, c, outShape, dtype), outShape, dtype, b);
}

function asTensor(like: Tensor, v: number): Tensor {
  return scalarOn(like.backend, v, like.dtype === 'int32' ? 'float32' : like.dtype);
}

// ---- unary ops -------------------------------------------------------------------

/** Defines a differentiable unary op: `grad(dy, x, y)` returns dx. */
function defineUnary(op: UnaryOp | FusedUnaryOp, grad: (dy: Tensor, x: Tensor, y: Tensor) => Tensor) {
  return typed(op, {
    Tensor: (x: Tensor): Tensor => {
      const y = unaryRaw(op, x);
      recordOp(op, [x], y, (dy) => [grad(dy, x, y)]);
      return y;
    },
  }) as (x: Tensor) => Tensor;
}

export const neg = defineUnary('neg', (dy) => unaryRaw('neg', dy));
export const exp = defineUnary('exp', (dy, _x, y) => binaryRaw('mul', dy, y));
export const log = defineUnary('log', (dy, x) => binaryRaw('div', dy, x));
export const log1p = defineUnary('log1p', (dy, x) => binaryRaw('div', dy, binaryRaw('add', x, asTensor(x, 1))));
export const sqrt = defineUnary('sqrt', (dy, _x, y) => binaryRaw('div', binaryRaw('mul', dy, asTensor(y, 0.5)), y));
export const abs = defineUnary('abs', (dy, x) => binaryRaw('mul', dy, unaryRaw('sign', x)));
export const square = defineUnary('square', (dy, x) => binaryRaw('mul', dy, binaryRaw('mul', x, asTensor(x, 2))));
export const reciprocal = defineUnary('reciprocal', (dy, _x, y) => unaryRaw('neg', binaryRaw('mul', dy, binaryRaw('mul', y, y))));
/** relu'(x) = 1 for x > 0, else 0 (the subgradient at 0 is taken as 0). */
export const relu = defineUnary('relu', (dy, x) => binaryRaw('mul', dy, unaryRaw('step', x)));
/** σ'(x) = σ(x)(1 − σ(x)) */
export const sigmoid = defineUnary('sigmoid', (dy, _x, y) =>
  binaryRaw('mul', dy, binaryRaw('mul', y, binaryRaw('sub', asTensor(y, 1), y))));
/** tanh'(x) = 1 − tanh²(x) */
export const tanh = defineUnary('tanh', (dy, _x, y) =>
  binaryRaw('mul', dy, binaryRaw('sub', asTensor(y, 1), binaryRaw('mul', y, y))));
/** softplus'(x) = σ(x) */
export const softplus = defineUnary('softplus', (dy, x) => binaryRaw('mul', dy, unaryRaw('sigmoid', x)));

/** Not differentiable (piecewise constant): sign, step, isfinite. */
export const sign = typed('sign', { Tensor: (x: Tensor) => unaryRaw('sign', x) }) as (x: Tensor) => Tensor;
export const isFinite = typed('isFinite', { Tensor: (x: Tensor) => unaryRaw('isfinite', x) }) as (x: Tensor) => Tensor;

// ---- binary ops ------------------------------------------------------------------

type BinaryGrad = (dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Tensor | null, Tensor | null];

function binaryTensor(op: BinaryOp, grad: BinaryGrad) {
  return (a: Tensor, b: Tensor): Tensor => {
    const y = binaryRaw(op, a, b);
    recordOp(op, [a, b], y, (dy) => {
      const [ga, gb] = grad(dy, a, b, y);
      return [
        ga && a.requiresGrad ? reduceToShape(ga, a.shape) : null,
        gb && b.requiresGrad ? reduceToShape(gb, b.shape) : null,
      ];
    });
    return y;
  };
}

/** Defines a differentiable binary op accepting tensors and plain numbers on either side. */
function defineBinary(op: BinaryOp, grad: BinaryGrad) {
  const fn = binaryTensor(op, grad);
  return typed(op, {
    'Tensor, Tensor': fn,
    'Tensor, number': (a: Tensor, v: number) => fn(a, asTensor(a, v)),
    'number, Tensor': (v: number, b: Tensor) => fn(asTensor(b, v), b),
  }) as ((a: Tensor, b: Tensor | number) => Tensor) & ((a: number, b: Tensor) => Tensor);
}

export const add = defineBinary('add', (dy) => [dy, dy]);
export const sub = defineBinary('sub', (dy, a, b) => [dy, b.requiresGrad ? unaryRaw('neg', dy) : null]);
export const mul = defineBinary('mul', (dy, a, b) => [
  a.requiresGrad ? binaryRaw('mul', dy, b) : null,
  b.requiresGrad ? binaryRaw('mul', dy, a) : null,
]);
/** d(a/b)/da = 1/b, d(a/b)/db = −a/b² = −y/b */
export const div = defineBinary('div', (dy, a, b, y) => [
  a.requiresGrad ? binaryRaw('div', dy, b) : null,
  b.requiresGrad ? unaryRaw('neg', binaryRaw('div', binaryRaw('mul', dy, y), b)) : null,
]);
/** d(a^b)/da = b·a^(b−1), d(a^b)/db = a^b·log a */
export const pow = defineBinary('pow', (dy, a, b, y) => [
  a.requiresGrad ? binaryRaw('mul', dy, binaryRaw('mul', b, binaryRaw('pow', a, binaryRaw('sub', b, asTensor(b, 1))))) : null,
  b.requiresGrad ? binaryRaw('mul', dy, binaryRaw('mul', y, unaryRaw('log', a))) : null,
]);
/** The gradient goes to whichever input was chosen (a on ties). */
export const maximum = defineBinary('maximum', (dy, a, b) => {
  const aWins = binaryRaw('equal', binaryRaw('maximum', a, b), a);
  return [binaryRaw('mul', dy, aWins), binaryRaw('mul', dy, binaryRaw('sub', asTensor(aWins, 1), aWins))];
});
export const minimum = defineBinary('minimum', (dy, a, b) => {
  const aWins = binaryRaw('equal', binaryRaw('minimum', a, b), a);
  return [binaryRaw('mul', dy, aWins), binaryRaw('mul', dy, binaryRaw('sub', asTensor(aWins, 1), aWins))];
});

/** Comparisons give 0/1 float tensors and no gradient. */
function defineCompare(op: BinaryOp) {
  return typed(op, {
    'Tensor, Tensor': (a: Tensor, b: Tensor) => binaryRaw(op, a, b),
    'Tensor, number': (a: Tensor, v: number) => binaryRaw(op, a, asTensor(a, v)),
  }) as (a: Tensor, b: Tensor | number) => Tensor;
}
export const equal = defineCompare('equal');
export const greater = defineCompare('greater');
export const less = defineCompare('less');

/** cond ? a : b, elementwise; gradient flows to the chosen side. */
export const where = typed('where', {
  'Tensor, Tensor, Tensor': (cond: Tensor, a: Tensor, b: Tensor): Tensor => {
    if (!shapesEqual(cond.shape, a.shape) || !shapesEqual(a.shape, b.shape)) {
      throw new Error(`where: shapes ${fmtShape(cond.shape)}, ${fmtShape(a.shape)}, ${fmtShape(b.shape)} must be equal`);
    }
    const be = backendOf('where', cond, a, b);
    const dtype = upcast(a.dtype, b.dtype);
    const y = wrap(be.where(cond, a, b, dtype), a.shape, dtype, be);
    recordOp('where', [a, b], y, (dy) => {
      const zeros = asTensor(dy, 0);
      const zerosFull = binaryRaw('mul', dy, zeros);
      return [
        wrap(be.where(cond, dy, zerosFull, dy.dtype), dy.shape, dy.dtype, be),
        wrap(be.where(cond, zerosFull, dy, dy.dtype), dy.shape, dy.dtype, be),
      ];
    });
    return y;
  },
}) as (cond: Tensor, a: Tensor, b: Tensor) => Tensor;

/** t.cast(dtype): a copy in another dtype; the gradient is cast back. */
export const cast = typed('cast', {
  'Tensor, string': (x: Tensor, dtype: string): Tensor => {
    const d = assertDType(dtype, 'cast');
    const be = backendOf('cast', x);
    const y = wrap(be.cast(x, d), x.shape, d, be);
    if (d !== 'int32') {
      recordOp('cast', [x], y, (dy) => [wrap(dy.dtype === x.dtype ? be.copy(dy) : be.cast(dy, x.dtype), dy.shape, x.dtype, be)]);
      // a row-sparse gradient stays row-sparse through a cast: cast just its rows
      if (y.node) {
        y.node.sparseBackward = (g) => [new RowSparse(g.indices, wrap(be.cast(g.values, x.dtype), g.values.shape, x.dtype, be), g.denseShape)];
      }
    }
    return y;
  },
}) as (x: Tensor, dtype: DType) => Tensor;
