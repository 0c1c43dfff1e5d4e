/** SGD with optional momentum and weight decay: g' = g + wd·w; v = μv + g'; w −= lr·v. */
import type { RowSparse } from '../../core/rowsparse.js';
import type { Tensor } from '../../core/tensor.js';
import { add, mul, sub } from '../../ops/elementwise.js';
import { fusedSgd, type SGDOptions as SGDKernelOptions } from '../../ops/updates.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
}

/**
 * SGD's arithmetic on matching tensors (whole, or the touched rows): the new weight and,
 * with momentum, the new velocity.
 */
export function sgdMaths(w: Tensor, g: Tensor, velocity: Tensor | null, o: SGDKernelOptions): Tensor[] {
  const gi = o.weightDecay ? add(g, mul(w, o.weightDecay)) : g;
  if (!velocity) return [sub(w, mul(gi, o.lr))];
  const v = add(mul(velocity, o.momentum), gi);
  return [sub(w, mul(v, o.lr)), v];
}

export class SGD extends Optimizer {
  momentum: number;

  constructor(params: Tensor[], opts: SGDOptions = {}) {
    super(params, opts, 0.01);
    this.momentum = opts.momentum ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new Error(`SGD: momentum must be in [0, 1), got ${this.momentum}`);
  }

  override hyperParameters() {
    return { ...super.hyperParameters(), momentum: this.momentum };
  }

  private opts(): SGDKernelOptions {
    return { lr: this.lr, momentum: this.momentum, weightDecay: this.weightDecay };
  }

  private update(p: Tensor, g: Tensor | RowSparse): void {
    const velocity = this.momentum ? this.slot(p, 'velocity') : null;
    const o = this.opts();
    if (fusedSgd(p, g, velocity, o)) return;
    this.applyMaths(p, g, velocity ? [velocity] : [], (w, gi, [v]) => sgdMaths(w, gi, v ?? null, o));
  }

  protected updateDense(p: Tensor, g: Tensor): void {
    this.update(p, g);
  }

  protected updateSparse(p: Tensor, g: RowSparse): void {
    this.update(p, g);
  }
}
