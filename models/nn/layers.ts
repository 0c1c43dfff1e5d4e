/** Basic layers: Embedding, Linear, activations, Sequential. */
import type { Tensor } from '../../core/tensor.js';
import { Module } from './module.js';
import { initTensor, type Init } from './init.js';
import { gather } from '../../ops/gather.js';
import { matmul } from '../../ops/matmul.js';
import { dense, type Activation } from '../../ops/dense.js';
import { add } from '../../ops/elementwise.js';
import { relu, sigmoid, tanh } from '../../ops/elementwise.js';
import { CSR } from '../../core/csr.js';
import { computeCast } from './autocast.js';
import { cast } from '../../ops/elementwise.js';
import { noGrad } from '../../core/engine.js';

export interface EmbeddingOptions {
  /** number of rows (ids 0 … num−1) */
  num: number;
  dim: number;
  /** RowSparse gradient (only the looked-up rows), default true; false = dense [num, dim] */
  sparseGrad?: boolean;
  init?: Init;
  seed?: number;
  /**
   * Storage of the table: 'float32' (default) or 'float16' (half the bytes; updates decode
   * only the touched rows to float32 and round back, so steps smaller than half precision's
   * resolution are lost — use float32 masters with `amp` when that matters).
   */
  dtype?: 'float32' | 'float16';
}

/**
 * A lookup table of `num` rows of size `dim`. forward(ids) returns [ids..., dim]. With
 * sparseGrad (the default) its gradient is RowSparse and optimizers update only those rows.
 */
export class Embedding extends Module {
  readonly num: number;
  readonly dim: number;
  sparseGrad: boolean;
  readonly weight: Tensor;

  constructor(opts: EmbeddingOptions) {
    super();
    if (!(Number.isInteger(opts.num) && opts.num > 0 && Number.isInteger(opts.dim) && opts.dim > 0)) {
      throw new Error(`Embedding: num and dim must be positive integers, got num=${opts.num}, dim=${opts.dim}`);
    }
    this.num = opts.num;
    this.dim = opts.dim;
    this.sparseGrad = opts.sparseGrad ?? true;
    const table = initTensor([opts.num, opts.dim], opts.init ?? { kind: 'normal', std: 0.01 }, opts.seed);
    this.weight = this.addParameter('weight', opts.dtype === 'float16' ? noGrad(() => cast(table, 'float16')) : table);
    if (opts.dtype === 'float16') table.dispose();
  }

  forward(ids: Tensor | Int32Array | number[]): Tensor {
    return computeCast(gather(this.weight, ids, { sparseGrad: this.sparseGrad }));
  }
}

export interface LinearOptions {
  bias?: boolean;
  init?: Init;
  seed?: number;
  /** for CSR inputs: RowSparse weight gradient over the input columns present */
  sparseGrad?: boolean;
  /** 'relu' applies relu to the output, fused with the product and bias (default 'linear') */
  activation?: Activation;
}

/**
 * y = act(x·W + b) with W [in, out], act = identity or relu. Accepts a dense [batch, in]
 * tensor (one fused `dense` op) or a CSR batch.
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  sparseGrad: boolean;
  readonly activation: Activation;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    if (!(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0)) {
      throw new Error(`Linear: feature sizes must be positive integers, got ${inFeatures} → ${outFeatures}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.sparseGrad = opts.sparseGrad ?? false;
    this.activation = opts.activation ?? 'linear';
    this.weight = this.addParameter('weight', initTensor([inFeatures, outFeatures], opts.init ?? { kind: 'glorot' }, opts.seed));
    this.bias = opts.bias === false ? null : this.addParameter('bias', initTensor([outFeatures], { kind: 'zeros' }));
  }

  forward(x: Tensor | CSR): Tensor {
    const w = computeCast(this.weight);
    const b = this.bias ? computeCast(this.bias) : null;
    if (!(x instanceof CSR)) {
      this.checkInput(`Linear(${this.inFeatures} → ${this.outFeatures})`, x, this.inFeatures);
      return dense(computeCast(x), w, b, this.activation);
    }
    if (x.cols !== this.inFeatures) throw new Error(`Linear(${this.inFeatures} → ${this.outFeatures}): CSR input has ${x.cols} columns`);
    const y = matmul(x, w, { sparseGrad: this.sparseGrad });
    const z = b ? add(y, b) : y;
    return this.activation === 'relu' ? relu(z) : z;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return relu(x); }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return sigmoid(x); }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return tanh(x); }
}

/** Applies modules in order; forward(x) = mN(…m2(m1(x))). */
export class Sequential extends Module {
  readonly layers: Module[];

  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.addModule(String(i), m));
  }

  forward(x: any): any {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
}
