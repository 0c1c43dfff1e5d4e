/** AdaGrad: h += g², w −= lr·g / (√h + ε). Per-coordinate rates; lazy on RowSparse grads. */
import type { Backend } from '../../backends/backend.js';
import type { RowSparse } from '../../core/rowsparse.js';
import type { Tensor } from '../../core/tensor.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface AdaGradOptions extends OptimizerOptions {
  eps?: number;
}

export class AdaGrad extends Optimizer {
  eps: number;

  constructor(params: Tensor[], opts: AdaGradOptions = {}) {
    super(params, opts, 0.01);
    this.eps = opts.eps ?? 1e-7;
  }

  override hyperParameters() {
    return { ...super.hyperParameters(), eps: this.eps };
  }

  private opts() {
    return { lr: this.lr, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected updateDense(p: Tensor, g: Tensor, backend: Backend): void {
    backend.adagradUpdate(p, g, this.slot(p, 'h'), this.opts());
  }

  protected updateSparse(p: Tensor, g: RowSparse, backend: Backend): void {
    backend.sparseAdagradUpdate(p, g.indices, g.values, this.slot(p, 'h'), this.opts());
  }
}
