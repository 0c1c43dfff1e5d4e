/**
 * Row-wise cosine similarity — the score of a two-tower model (DSSM) — as a differentiable
 * op, and the margin loss on it:
 *
 *   cosineSimilarity(a, b)           c_r = a_r·b_r / (‖a_r‖‖b_r‖)   for [B, D] a and b → [B]
 *                                    ‖x‖ = √(Σx² + eps), so a zero row has a finite gradient
 *                                    ∂c/∂a = b/(‖a‖‖b‖) − c·a/‖a‖²   (and a ↔ b for ∂c/∂b)
 *   cosineMarginLoss(c, y, {margin}) mean over rows of  1 − c        for positives (y > 0)
 *                                                       max(0, c − margin) for negatives
 *
 * The loss is composed of elementwise ops, so autograd derives its gradient (−1 for a
 * positive, [c > margin] for a negative, over B). Split this way, a model's prediction *is*
 * the cosine its loss reads: `cosineLoss(a, b, y)` of recsys-losses.ts computes the same
 * value in one fused op, but its cosine never leaves it.
 */
import { recordOp } from '../core/autograd.js';
import { fmtShape, shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, scalarOn } from './util.js';
import { add, binaryRaw, div, greater, mul, relu, sub, unaryRaw } from './elementwise.js';
import { broadcastTo, reduceRaw, sum } from './reduce.js';

export interface CosineOptions {
  /** added under the square roots of the norms (default 1e-12) */
  eps?: number;
}

function cosineSimilarityImpl(a: Tensor, b: Tensor, opts: CosineOptions = {}): Tensor {
  if (a.rank !== 2 || !shapesEqual(a.shape, b.shape)) {
    throw new Error(`cosineSimilarity: both inputs must be [batch, dim] of the same shape, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const be = backendOf('cosineSimilarity', a, b);
  const B = a.shape[0];
  const eps = scalarOn(be, opts.eps ?? 1e-12, a.dtype);
  const norm = (x: Tensor) => unaryRaw('sqrt', binaryRaw('add', reduceRaw('sum', unaryRaw('square', x), [1], false), eps));
  const na = norm(a); // [B]
  const nb = norm(b);
  const nab = binaryRaw('mul', na, nb);
  const cos = binaryRaw('div', reduceRaw('sum', binaryRaw('mul', a, b), [1], false), nab);
  recordOp('cosineSimilarity', [a, b], cos, (dy) => {
    // per-row factors as [B, 1] columns, so they broadcast over the D entries of a row
    const col = (t: Tensor) => broadcastTo(t, [B, 1], [B, 1]);
    const g = col(dy);
    const grad = (x: Tensor, other: Tensor, nx: Tensor): Tensor => binaryRaw('mul', g,
      binaryRaw('sub', binaryRaw('div', other, col(nab)), binaryRaw('mul', col(binaryRaw('div', cos, binaryRaw('mul', nx, nx))), x)));
    return [a.requiresGrad ? grad(a, b, na) : null, b.requiresGrad ? grad(b, a, nb) : null];
  });
  return cos;
}

export const cosineSimilarity = typed('cosineSimilarity', {
  'Tensor, Tensor': (a: Tensor, b: Tensor) => cosineSimilarityImpl(a, b),
  'Tensor, Tensor, Object': (a: Tensor, b: Tensor, o: CosineOptions) => cosineSimilarityImpl(a, b, o),
}) as (a: Tensor, b: Tensor, opts?: CosineOptions) => Tensor;

export interface CosineMarginLossOptions {
  /** negatives cost max(0, c − margin) (default 0: pushed to orthogonal or beyond) */
  margin?: number;
}

function cosineMarginLossImpl(cos: Tensor, labels: Tensor, opts: CosineMarginLossOptions = {}): Tensor {
  if (cos.rank !== 1) throw new Error(`cosineMarginLoss: the cosines must be [batch], got ${fmtShape(cos.shape)}`);
  if (!shapesEqual(labels.shape, cos.shape)) {
    throw new Error(`cosineMarginLoss: labels ${fmtShape(labels.shape)} must match the cosines ${fmtShape(cos.shape)}`);
  }
  const pos = greater(labels, 0); // 1 for positives; 0 and −1 labels are both negatives
  const neg = sub(1, pos);
  const perPair = add(mul(pos, sub(1, cos)), mul(neg, relu(sub(cos, opts.margin ?? 0))));
  return div(sum(perPair), cos.shape[0]);
}

export const cosineMarginLoss = typed('cosineMarginLoss', {
  'Tensor, Tensor': (c: Tensor, y: Tensor) => cosineMarginLossImpl(c, y),
  'Tensor, Tensor, Object': (c: Tensor, y: Tensor, o: CosineMarginLossOptions) => cosineMarginLossImpl(c, y, o),
}) as (cos: Tensor, labels: Tensor, opts?: CosineMarginLossOptions) => Tensor;
