/**
 * Optimizer base: holds the parameters, per-parameter state tensors, and the update loop.
 * Subclasses supply the per-parameter update, dense and row-sparse (lazy).
 *
 * Lazy updates (MXNet's `lazy_update`): when a gradient is RowSparse only its rows are
 * updated — weight decay decays only those rows, momentum/Adam moments of absent rows stay
 * as they were. `lazy: false` densifies the gradient first and applies the exact dense
 * update to every row (what a framework without sparse gradients does).
 *
 * Each optimizer's arithmetic is written once as tensor maths over matching tensors (its
 * `…Maths` function): `applyMaths` runs it on whole tensors for a dense gradient, or on the
 * gathered touched rows for a RowSparse one and writes those rows back. That is the
 * reference; a backend's fused kernel (ops/updates.ts), where there is one, does the same
 * in place in one pass and is what normally runs.
 */
import { RowSparse } from '../../core/rowsparse.js';
import { Tensor } from '../../core/tensor.js';
import { engine, noGrad, tidy } from '../../core/engine.js';
import { fmtShape, shapesEqual } from '../../core/shape.js';
import { cast } from '../../ops/elementwise.js';
import { zerosLike } from '../../ops/creation.js';
import { gatherRowsRaw, withRows } from '../../ops/rows.js';

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
    if (!(this.lr > 0 && this.lr < Infinity)) throw new Error(`${this.constructor.name}: learning rate must be a finite number > 0, got ${this.lr}`);
    if (!(this.weightDecay >= 0 && this.weightDecay < Infinity)) throw new Error(`${this.constructor.name}: weightDecay must be a finite number ≥ 0, got ${this.weightDecay}`);
    if (typeof this.lazy !== 'boolean') throw new Error(`${this.constructor.name}: lazy must be true or false, got ${String(this.lazy)}`);
  }

  /** A zero state tensor shaped like p, made once and kept. */
  protected slot(p: Tensor, name: string): Tensor {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    if (!s[name]) {
      const t = zerosLike(p, 'float32');
      t.name = `${p.name ?? 'param'}.${name}`;
      s[name] = engine.keep(t);
    }
    return s[name];
  }

  /**
   * A named float32 state tensor of parameter p, zeros when first asked for, saved and
   * restored with the optimizer's other state (the training loop's weight average keeps its
   * sums here: models/train/ema.ts).
   */
  stateSlot(p: Tensor, name: string): Tensor {
    if (!this.params.includes(p)) throw new Error(`${this.constructor.name}.stateSlot: ${p.describe()} is not one of this optimizer's parameters`);
    return this.slot(p, name);
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
        if (this.lazy) this.updateSparse(p, g);
        else {
          const dense = g.toDense();
          this.updateDense(p, dense);
          dense.dispose();
        }
      } else {
        this.updateDense(p, g);
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

  protected abstract updateDense(p: Tensor, g: Tensor): void;
  protected abstract updateSparse(p: Tensor, g: RowSparse): void;

  /**
   * The reference update: `maths(w, g, state)` returns the new [w, ...state] for matching
   * tensors. A dense gradient runs it on the whole tensors; a RowSparse one on the touched
   * rows only (gathered), which are then written back — rows not in the gradient keep their
   * values exactly. float16 weights are computed in float32, as the fused kernels do.
   */
  protected applyMaths(p: Tensor, g: Tensor | RowSparse, state: Tensor[], maths: (w: Tensor, g: Tensor, state: Tensor[]) => Tensor[]): void {
    const f32 = (t: Tensor) => (t.dtype === 'float16' ? cast(t, 'float32') : t);
    noGrad(() => tidy(() => {
      if (!(g instanceof RowSparse)) {
        const [w, ...next] = maths(f32(p), f32(g), state);
        p.assign(w);
        next.forEach((t, i) => state[i].assign(t));
        return;
      }
      const rows = g.indices;
      const [w, ...next] = maths(f32(gatherRowsRaw(p, rows)), f32(g.values), state.map((s) => gatherRowsRaw(s, rows)));
      p.assign(withRows(p, rows, w));
      next.forEach((t, i) => state[i].assign(withRows(state[i], rows, t)));
    }));
  }

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
    t.assign(values);
  }

  /** Frees the state tensors. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }
}
