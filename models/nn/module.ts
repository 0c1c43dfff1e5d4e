/**
 * Module: a layer or model. It owns named parameters (trainable variables), buffers
 * (state that is saved but not trained, like BatchNorm's running mean) and child modules,
 * and knows whether it is training (dropout on, batch statistics) or evaluating.
 */
import type { Tensor } from '../../core/tensor.js';
import { engine } from '../../core/engine.js';
import { variable } from '../../ops/creation.js';
import { fmtShape, shapesEqual } from '../../core/shape.js';

export abstract class Module {
  training = true;
  private readonly params = new Map<string, Tensor>();
  private readonly buffers = new Map<string, Tensor>();
  private readonly children = new Map<string, Module>();

  abstract forward(...args: any[]): any;

  /** Registers `t` as a trainable parameter called `name`. */
  protected addParameter(name: string, t: Tensor): Tensor {
    const v = variable(t, name);
    this.params.set(name, v);
    return v;
  }

  /** Registers saved, untrained state. */
  protected addBuffer(name: string, t: Tensor): Tensor {
    engine.keep(t);
    t.name = name;
    this.buffers.set(name, t);
    return t;
  }

  /** Replaces a buffer's tensor (e.g. a new running mean), disposing the old one. */
  protected setBuffer(name: string, t: Tensor): Tensor {
    const old = this.buffers.get(name);
    if (old && old !== t) old.dispose();
    return this.addBuffer(name, t);
  }

  protected addModule<M extends Module>(name: string, m: M): M {
    this.children.set(name, m);
    return m;
  }

  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, b] of this.buffers) out.push([prefix + n, b]);
    for (const [n, m] of this.children) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Every parameter and buffer by dotted name (what checkpoints store). */
  stateDict(): Map<string, Tensor> {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /** Copies values into this module's tensors; names and shapes must match exactly. */
  loadStateDict(values: Map<string, Float32Array | Float64Array | Int32Array>): void {
    const own = this.stateDict();
    for (const name of own.keys()) {
      if (!values.has(name)) throw new Error(`loadStateDict: missing tensor '${name}'`);
    }
    for (const [name, v] of values) {
      const t = own.get(name);
      if (!t) throw new Error(`loadStateDict: unexpected tensor '${name}' (model has: ${[...own.keys()].join(', ')})`);
      if (v.length !== t.size) throw new Error(`loadStateDict: '${name}' has ${v.length} values, the model's ${fmtShape(t.shape)} needs ${t.size}`);
      // values arrive as numbers; a float16 tensor stores encoded half bits
      t.assign(v);
    }
  }

  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [n, m] of this.children) {
      out.push([prefix + n, m]);
      out.push(...m.namedModules(`${prefix}${n}.`));
    }
    return out;
  }

  /** Training mode (dropout active, BatchNorm uses batch statistics). */
  train(mode = true): this {
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const [, t] of this.stateDict()) t.dispose();
  }

  /** Checks an input's trailing shape, naming the layer. */
  protected checkInput(layer: string, x: Tensor, lastDim: number): void {
    if (x.shape[x.rank - 1] !== lastDim) {
      throw new Error(`${layer}: input ${fmtShape(x.shape)} has last dimension ${x.shape[x.rank - 1]}, expected ${lastDim}`);
    }
  }

  static sameShape(a: readonly number[], b: readonly number[]): boolean {
    return shapesEqual(a, b);
  }
}
