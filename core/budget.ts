/**
 * An allocation budget for code that builds tensors from untrusted sizes. `load()` builds a
 * model from a checkpoint's config; a config edited to say `numUsers: 50000000` must fail at
 * once, not after minutes of initialising a 5 GB table. Inside `withAllocationBudget(bytes,
 * fn)` every tensor creation (ops/creation.ts, models/nn/init.ts) charges its bytes first
 * and throws `AllocationBudgetError` past the budget, before allocating anything.
 */

export class AllocationBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AllocationBudgetError';
  }
}

let budget: { left: number; what: string } | null = null;

/** Runs `fn` (synchronously) with at most `bytes` of new tensors allowed. */
export function withAllocationBudget<T>(bytes: number, what: string, fn: () => T): T {
  const outer = budget;
  budget = { left: bytes, what };
  try {
    return fn();
  } finally {
    budget = outer;
  }
}

/** The most elements one typed array holds in V8 (Node 20+: 2^32); beyond it `new Float32Array(n)` throws a bare RangeError. */
export const MAX_TENSOR_ELEMENTS = 2 ** 32;

/**
 * Charges `elements × bytesPerElement` against the budget, if one is set. Always refuses a
 * size no typed array can hold, naming the op, instead of V8's "Invalid typed array length".
 */
export function chargeAllocation(elements: number, bytesPerElement: number, op: string): void {
  if (!(elements <= MAX_TENSOR_ELEMENTS)) {
    throw new AllocationBudgetError(`${op}: ${elements.toLocaleString('en-US')} values (${(elements * bytesPerElement).toLocaleString('en-US')} bytes) `
      + `is more than one tensor can hold (${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} values)`);
  }
  if (!budget) return;
  const bytes = elements * bytesPerElement;
  if (!(bytes <= budget.left)) {
    throw new AllocationBudgetError(`${budget.what}: ${op} would allocate ${elements.toLocaleString('en-US')} values ` +
      `(${bytes.toLocaleString('en-US')} bytes), more than the ${budget.left.toLocaleString('en-US')} bytes left in its budget`);
  }
  budget.left -= bytes;
}
