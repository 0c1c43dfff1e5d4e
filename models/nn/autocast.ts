/**
 * Autocast: while active, layers compute in float16. Weights stay float32 (the masters);
 * each layer casts what it uses — the rows an embedding gathered, a Linear's weight — to
 * float16 for the forward pass. The cast op's backward casts the gradient back to
 * float32, so the optimizer updates float32 masters. An embedding casts only the gathered
 * rows, so the float16 working copy of a 1M-row table costs O(batch·dim) per step.
 */
import type { DType } from '../../core/dtype.js';
import type { Tensor } from '../../core/tensor.js';
import { cast } from '../../ops/elementwise.js';

let active: DType | null = null;

/** Runs fn with layers computing in `dtype` (float16 for mixed precision). */
export function autocast<T>(dtype: DType | null, fn: () => T): T {
  const prev = active;
  active = dtype;
  try {
    return fn();
  } finally {
    active = prev;
  }
}

export function autocastDtype(): DType | null {
  return active;
}

/** `t` in the autocast dtype when autocast is on and t is float32; otherwise t itself. */
export function computeCast(t: Tensor): Tensor {
  return active && t.dtype === 'float32' && active !== 'float32' ? cast(t, active) : t;
}

/**
 * A model's output in float32, for its loss (a no-op unless autocast made it float16).
 * Losses are computed in float32: a float16 loss loses digits, and the loss scale (2^15)
 * would overflow float16's 65504 at once.
 */
export function float32(t: Tensor): Tensor {
  return t.dtype === 'float16' ? cast(t, 'float32') : t;
}
