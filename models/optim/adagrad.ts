/** AdaGrad: h += g², w −= lr·g / (√h + ε). Per-coordinate rates; lazy on RowSparse grads. */
import type { RowSparse } from '../../core/rowsparse.js';
import type { Tensor } from '../../core/tensor.js';
import { add, div, mul, sqrt, square, sub } from '../../ops/elementwise.js';
import { fusedAdagrad, type AdaGradOptions as AdaGradKernelOptions } from '../../ops/updates.js';
import { Optimizer, type OptimizerOptions } from './optimizer.js';

export interface AdaGradOptions extends OptimizerOptions {
  eps?: number;
}

/** AdaGrad's arithmetic on matching tensors: the new weight and accumulator. */
export function adagradMaths(w: Tensor, g: Tensor, h: Tensor, o: AdaGradKernelOptions): Tensor[] {
  const gi = o.weightDecay ? add(g, mul(w, o.weightDecay)) : g;
  const h1 = add(h, square(gi));
  return [sub(w, div(mul(gi, o.lr), add(sqrt(h1), o.eps))), h1];
}

export class AdaGrad extends Optimizer {
  eps: number;

  constructor(params: Tensor[], opts: AdaGradOptions = {}) {
    super(params, opts, 0.01);
    this.eps = opts.eps ?? 1e-7;
    if (!(this.eps > 0 && this.eps < Infinity)) throw new Error(`AdaGrad: eps must be a finite number > 0, got ${this.eps}`);
  }

  override hyperParameters() {
    return { ...super.hyperParameters(), eps: this.eps };
  }

  private opts(): AdaGradKernelOptions {
    return { lr: this.lr, eps: this.eps, weightDecay: this.weightDecay };
  }

  private update(p: Tensor, g: Tensor | RowSparse): void {
    const h = this.slot(p, 'h');
    const o = this.opts();
    if (fusedAdagrad(p, g, h, o)) return;
    this.applyMaths(p, g, [h], (w, gi, [hh]) => adagradMaths(w, gi, hh, o));
  }

  protected updateDense(p: Tensor, g: Tensor): void {
    this.update(p, g);
  }

  protected updateSparse(p: Tensor, g: RowSparse): void {
    this.update(p, g);
  }
}
