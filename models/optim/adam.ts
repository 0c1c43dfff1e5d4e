/**
 * Adam: m = β1·m + (1−β1)·g, v = β2·v + (1−β2)·g², w −= lr · m̂ / (√v̂ + ε) with the bias
 * corrections m̂ = m / (1−β1^t), v̂ = v / (1−β2^t).
 *
 * Lazy (row-sparse) Adam keeps a step count t per row: a row's moments have seen only the
 * updates that touched it, so its bias correction uses its own count. An item first seen at
 * step 1,000 then gets the same well-scaled first step it would have had at step 1, rather
 * than a step ~3× too large. For rows touched on every step this equals dense Adam exactly.
 */
import type { Backend } from '../../backends/backend.js';
import type { RowSparse } from '../../core/rowsparse.js';
import type { Tensor } from '../../core/tensor.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
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
  }

  private opts() {
    return { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected updateDense(p: Tensor, g: Tensor, backend: Backend): void {
    const t = (this.steps.get(p) ?? 0) + 1;
    this.steps.set(p, t);
    backend.adamUpdate(p, g, this.slot(p, 'm'), this.slot(p, 'v'), t, this.opts());
  }

  protected updateSparse(p: Tensor, g: RowSparse, backend: Backend): void {
    let counts = this.rowSteps.get(p);
    if (!counts) {
      counts = new Int32Array(p.shape[0]);
      this.rowSteps.set(p, counts);
    }
    const steps = new Int32Array(g.nnz);
    for (let i = 0; i < g.nnz; i++) steps[i] = ++counts[g.indices[i]];
    backend.sparseAdamUpdate(p, g.indices, g.values, this.slot(p, 'm'), this.slot(p, 'v'), steps, this.opts());
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
