/**
 * Optimizer base: holds the parameters, per-parameter state tensors, and the update loop.
 * Subclasses supply the per-parameter update, dense and row-sparse (lazy).
 *
 * Lazy updates (MXNet's `lazy_update`): when a gradient is RowSparse only its rows are
 * updated — weight decay decays only those rows, momentum/Adam moments of absent rows stay
 * as they were. `lazy: false` densifies the gradient first and applies the exact dense
 * update to every row (what a framework without sparse gradients does).
 */
import type { Backend } from '../../backends/backend.js';
import { RowSparse } from '../../core/rowsparse.js';
import { Tensor } from '../../core/tensor.js';
import { engine } from '../../core/engine.js';
import { fmtShape, shapesEqual } from '../../core/shape.js';

export interface OptimizerOptions {
  lr?: number;
  weightDecay?: number;
  /** update only the rows of a RowSparse gradient (default true) */
  lazy?: boolean;
}

export abstract class Optimizer {
  readonly params: Tensor[];
  lr: number;
  weightDecay: number;
  lazy: boolean;
  /** number of step() calls so far */
  iterations = 0;
  protected readonly state = new Map<Tensor, Record<string, Tensor>>();

  constructor(params: Tensor[], opts: OptimizerOptions, defaultLr: number) {
    if (!Array.isArray(params) || params.length === 0) throw new Error(`${this.constructor.name}: no parameters given`);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor) || !p.requiresGrad) {
        throw new Error(`${this.constructor.name}: parameter ${i} is not a variable (use sg.variable or module.parameters())`);
      }
    });
    this.params = params;
    this.lr = opts.lr ?? defaultLr;
    this.weightDecay = opts.weightDecay ?? 0;
    this.lazy = opts.lazy ?? true;
    if (!(this.lr > 0)) throw new Error(`${this.constructor.name}: learning rate must be > 0, got ${this.lr}`);
  }

  /** A zero state tensor shaped like p, made once and kept. */
  protected slot(p: Tensor, name: string): Tensor {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    if (!s[name]) {
      const t = new Tensor(p.backend.zeros(p.size, 'float32'), p.shape, 'float32', p.backend);
      t.name = `${p.name ?? 'param'}.${name}`;
      s[name] = engine.keep(t);
    }
    return s[name];
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    this.iterations++;
    for (const p of this.params) {
      const g = p.grad;
      if (!g) continue;
      const gShape = g instanceof RowSparse ? g.denseShape : g.shape;
      if (!shapesEqual(gShape, p.shape)) {
        throw new Error(`${this.constructor.name}.step: gradient ${fmtShape(gShape)} does not match parameter ${p.describe()}`);
      }
      if (g instanceof RowSparse) {
        if (this.lazy) this.updateSparse(p, g, p.backend);
        else {
          const dense = g.toDense();
          this.updateDense(p, dense, p.backend);
          dense.dispose();
        }
      } else {
        this.updateDense(p, g, p.backend);
      }
    }
  }

  /** Drops every gradient (call before the next backward). */
  zeroGrad(): void {
    for (const p of this.params) {
      if (p.grad) {
        (p.grad instanceof RowSparse ? p.grad.values : p.grad).dispose();
        p.grad = null;
      }
    }
  }

  protected abstract updateDense(p: Tensor, g: Tensor, backend: Backend): void;
  protected abstract updateSparse(p: Tensor, g: RowSparse, backend: Backend): void;

  /** State tensors by `${paramIndex}.${slot}` (for checkpoints). */
  stateTensors(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    this.params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s) for (const [k, t] of Object.entries(s)) out.set(`${i}.${k}`, t);
    });
    return out;
  }

  /** Hyper-parameters, to rebuild this optimizer from a checkpoint. */
  hyperParameters(): Record<string, number | boolean> {
    return { lr: this.lr, weightDecay: this.weightDecay, lazy: this.lazy };
  }

  /** Everything besides the state tensors that a resumed run needs (step counts …). */
  extraState(): Record<string, unknown> {
    return { iterations: this.iterations };
  }

  loadExtraState(s: Record<string, unknown>): void {
    this.iterations = Number(s.iterations ?? 0);
  }

  /** Restores a state tensor saved under `${paramIndex}.${slot}`. */
  loadStateTensor(key: string, values: Float32Array): void {
    const [idx, slot] = [Number(key.slice(0, key.indexOf('.'))), key.slice(key.indexOf('.') + 1)];
    const p = this.params[idx];
    if (!p) throw new Error(`${this.constructor.name}: checkpoint state '${key}' names parameter ${idx}, but there are ${this.params.length}`);
    const t = this.slot(p, slot);
    if (values.length !== t.size) throw new Error(`${this.constructor.name}: state '${key}' has ${values.length} values, expected ${t.size}`);
    t.backend.overwrite(t.dataId, values);
  }

  /** Frees the state tensors. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }
}
