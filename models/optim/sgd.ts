/** SGD with optional momentum and weight decay: g' = g + wd·w; v = μv + g'; w −= lr·v. */
import type { Backend } from '../../backends/backend.js';
import type { RowSparse } from '../../core/rowsparse.js';
import type { Tensor } from '../../core/tensor.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface SGDOptions extends OptimizerOptions {
  momentum?: number;
}

export class SGD extends Optimizer {
  momentum: number;

  constructor(params: Tensor[], opts: SGDOptions = {}) {
    super(params, opts, 0.01);
    this.momentum = opts.momentum ?? 0;
  }

  override hyperParameters() {
    return { ...super.hyperParameters(), momentum: this.momentum };
  }

  private opts() {
    return { lr: this.lr, momentum: this.momentum, weightDecay: this.weightDecay };
  }

  protected updateDense(p: Tensor, g: Tensor, backend: Backend): void {
    backend.sgdUpdate(p, g, this.momentum ? this.slot(p, 'velocity') : null, this.opts());
  }

  protected updateSparse(p: Tensor, g: RowSparse, backend: Backend): void {
    backend.sparseSgdUpdate(p, g.indices, g.values, this.momentum ? this.slot(p, 'velocity') : null, this.opts());
  }
}
