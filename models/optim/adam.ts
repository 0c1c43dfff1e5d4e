/**
 * Adam: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², w −= lr · m̂ / (√v̂ + ε) with the bias
 * corrections m̂ = m / (1−β1^t), v̂ = v / (1−β2^t).
 *
 * Lazy (row-sparse) Adam keeps a step count t per row: a row's moments have seen only the
 * updates that touched it, so its bias correction uses its own count. An item first seen at
 * step 1,000 then gets the same well-scaled first step it would have had at step 1, rather
 * than a step ~3× too large. For rows touched on every step this equals dense Adam exactly.
 */
import type { RowSparse } from '../../core/rowsparse.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, mul, sqrt, square, sub } from '../../ops/elementwise.js';
import { tensorOn } from '../../ops/creation.js';
import { fusedAdam, type AdamOptions as AdamKernelOptions } from '../../ops/updates.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/**
 * Adam's arithmetic on matching tensors: the new weight and moments. The bias corrections
 * c1 = 1 − β1^t and c2 = 1 − β2^t are numbers (dense), or columns with one value per
 * touched row (lazy).
 */
export function adamMaths(w: Tensor, g: Tensor, m: Tensor, v: Tensor, c1: Tensor | number, c2: Tensor | number, o: AdamKernelOptions): Tensor[] {
  const gi = o.weightDecay ? add(g, mul(w, o.weightDecay)) : g;
  const m1 = add(mul(m, o.beta1), mul(gi, 1 - o.beta1));
  const v1 = add(mul(v, o.beta2), mul(square(gi), 1 - o.beta2));
  const mHat = div(m1, c1);
  const vHat = div(v1, c2);
  return [sub(w, div(mul(mHat, o.lr), add(sqrt(vHat), o.eps))), m1, v1];
}

export class Adam extends Optimizer {
  beta1: number;
  beta2: number;
  eps: number;
  /** dense step count per parameter */
  private steps = new Map<Tensor, number>();
  /** lazy step count per row, per parameter */
  private rowSteps = new Map<Tensor, Int32Array>();

  constructor(params: Tensor[], opts: AdamOptions = {}) {
    super(params, opts, 0.001);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    for (const [k, v] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(v >= 0 && v < 1)) throw new Error(`Adam: ${k} must be in [0, 1), got ${v}`);
    }
    if (!(this.eps > 0 && this.eps < Infinity)) throw new Error(`Adam: eps must be a finite number > 0, got ${this.eps}`);
  }

  private opts(): AdamKernelOptions {
    return { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected updateDense(p: Tensor, g: Tensor): void {
    const t = (this.steps.get(p) ?? 0) + 1;
    this.steps.set(p, t);
    const m = this.slot(p, 'm'), v = this.slot(p, 'v'), o = this.opts();
    if (fusedAdam(p, g, m, v, t, null, o)) return;
    this.applyMaths(p, g, [m, v], (w, gi, [mm, vv]) => adamMaths(w, gi, mm, vv, 1 - o.beta1 ** t, 1 - o.beta2 ** t, o));
  }

  protected updateSparse(p: Tensor, g: RowSparse): void {
    let counts = this.rowSteps.get(p);
    if (!counts) {
      counts = new Int32Array(p.shape[0]);
      this.rowSteps.set(p, counts);
    }
    const steps = new Int32Array(g.nnz);
    for (let i = 0; i < g.nnz; i++) steps[i] = ++counts[g.indices[i]];
    const m = this.slot(p, 'm'), v = this.slot(p, 'v'), o = this.opts();
    if (fusedAdam(p, g, m, v, 0, steps, o)) return;
    // one correction per touched row, as a column that broadcasts over the row
    const column = [g.nnz, ...p.shape.slice(1).map(() => 1)];
    const c1 = tensorOn(p, Array.from(steps, (t) => 1 - o.beta1 ** t), column);
    const c2 = tensorOn(p, Array.from(steps, (t) => 1 - o.beta2 ** t), column);
    this.applyMaths(p, g, [m, v], (w, gi, [mm, vv]) => adamMaths(w, gi, mm, vv, c1, c2, o));
    c1.dispose();
    c2.dispose();
  }

  override hyperParameters() {
    return { ...super.hyperParameters(), beta1: this.beta1, beta2: this.beta2, eps: this.eps };
  }

  /** Step counts (for checkpoints): dense count and per-row counts by parameter index. */
  override extraState(): Record<string, unknown> {
    return {
      ...super.extraState(),
      denseSteps: this.params.map((p) => this.steps.get(p) ?? 0),
      rowSteps: this.params.map((p) => {
        const r = this.rowSteps.get(p);
        return r ? Array.from(r) : null;
      }),
    };
  }

  override loadExtraState(s: Record<string, unknown>): void {
    super.loadExtraState(s);
    const dense = (s.denseSteps as number[] | undefined) ?? [];
    const rows = (s.rowSteps as (number[] | null)[] | undefined) ?? [];
    this.params.forEach((p, i) => {
      this.steps.set(p, dense[i] ?? 0);
      const r = rows[i];
      if (r) this.rowSteps.set(p, Int32Array.from(r));
    });
  }
}
