/**
 * AutoEncoder (Mult-DAE of Liang et al. 2018): a user's item row goes in, a softmax over
 * every item comes out, trained to put probability mass on the user's items.
 *
 *   x (CSR row) → normalise (L2) → dropout(0.5) → 600 tanh → 200 tanh → 600 tanh → logits
 *   loss = −Σ_i x_i log softmax(logits)_i    (multinomial log-likelihood; mean over users)
 *
 * The first layer is `matmul(CSR, W)`: the [batch, items] input is never dense, and with
 * `sparseGrad` (default) W's gradient is RowSparse over the items the batch has, so a lazy
 * optimizer touches only those rows of the biggest matrix. Dropout removes input *items*
 * (CSR entries), which is what makes it a denoising autoencoder.
 *
 * Input order: Liang et al.'s code normalises the row first and then applies dropout
 * (rescaling survivors by 1/keep), `inputOrder: 'normalize-dropout'` (default);
 * 'dropout-normalize' drops items first and gives the remaining row unit norm.
 */
import type { CSR } from '../core/csr.js';
import type { Tensor } from '../core/tensor.js';
import { tanh } from '../ops/elementwise.js';
import { multinomialLogLikelihood } from '../ops/recsys-losses.js';
import { Linear } from './nn/layers.js';
import { Dropout } from './nn/dropout.js';
import { normalizeRows, rowsInput, rowsTarget, UserRowModel } from './user-rows.js';
import type { Batch, StepOutput } from './train/types.js';
import { float32 } from './nn/autocast.js';

export type InputOrder = 'normalize-dropout' | 'dropout-normalize';

export interface AutoEncoderConfig {
  numItems: number;
  /** encoder widths; the decoder mirrors them (default [600, 200]: items → 600 → 200 → 600 → items) */
  hidden?: number[];
  /** input dropout probability (default 0.5) */
  dropout?: number;
  /** L2-normalise each input row (default true) */
  normalize?: boolean;
  inputOrder?: InputOrder;
  /** RowSparse gradient for the first layer's weight (default true) */
  sparseGrad?: boolean;
  seed?: number;
}

/** The input pipeline both autoencoders share: normalise and drop items, all in CSR. */
export function prepareInput(x: CSR, normalize: boolean, order: InputOrder, dropout: Dropout): CSR {
  if (!normalize) return dropout.forward(x);
  return order === 'normalize-dropout' ? dropout.forward(normalizeRows(x)) : normalizeRows(dropout.forward(x));
}

/** Widths must be positive integers; errors name the model. */
export function checkWidths(model: string, what: string, dims: number[]): void {
  if (!Array.isArray(dims) || dims.length === 0 || dims.some((d) => !(Number.isInteger(d) && d > 0))) {
    throw new Error(`${model}: ${what} must be a non-empty list of positive integers, got ${JSON.stringify(dims)}`);
  }
}

export class AutoEncoder extends UserRowModel {
  readonly config: Required<Omit<AutoEncoderConfig, 'seed'>> & { seed?: number };
  readonly dropout: Dropout;
  readonly layers: Linear[] = [];

  constructor(cfg: AutoEncoderConfig) {
    super();
    this.config = {
      numItems: cfg.numItems, hidden: cfg.hidden ?? [600, 200], dropout: cfg.dropout ?? 0.5, normalize: cfg.normalize ?? true,
      inputOrder: cfg.inputOrder ?? 'normalize-dropout', sparseGrad: cfg.sparseGrad ?? true, seed: cfg.seed,
    };
    const c = this.config;
    if (!(Number.isInteger(c.numItems) && c.numItems > 0)) throw new Error(`AutoEncoder: numItems must be a positive integer, got ${c.numItems}`);
    checkWidths('AutoEncoder', 'hidden', c.hidden);
    this.dropout = this.addModule('dropout', new Dropout(c.dropout));
    // items → h1 → … → hk → … → h1 → items
    const dims = [c.numItems, ...c.hidden, ...c.hidden.slice(0, -1).reverse(), c.numItems];
    for (let i = 0; i + 1 < dims.length; i++) {
      const seed = c.seed === undefined ? undefined : c.seed + i;
      this.layers.push(this.addModule(`fc${i}`, new Linear(dims[i], dims[i + 1], { sparseGrad: i === 0 && c.sparseGrad, seed })));
    }
  }

  get numItems(): number { return this.config.numItems; }

  logits(input: CSR): Tensor {
    const c = this.config;
    // the first Linear sees a CSR batch: matmul(CSR, W), the input never becomes dense
    let h = this.layers[0].forward(prepareInput(input, c.normalize, c.inputOrder, this.dropout));
    for (let i = 1; i < this.layers.length; i++) h = this.layers[i].forward(tanh(h));
    return h;
  }

  /** Prediction: the logits; loss: the multinomial log-likelihood of the target rows. */
  trainingStep(batch: Batch): StepOutput {
    const x = rowsInput('AutoEncoder', batch);
    this.checkRows(x);
    const pred = float32(this.logits(x));
    return { pred, loss: multinomialLogLikelihood(pred, rowsTarget('AutoEncoder', batch, x)) };
  }

  /** Item vectors: the columns of the output layer's weight ([numItems, last hidden]). */
  itemVectors() {
    const w = this.layers[this.layers.length - 1].weight;
    return { values: transposed(w), dim: w.shape[0] };
  }
}

/** Row-major values of wᵀ for a [in, out] weight (item vectors live in its columns). */
export function transposed(w: Tensor): Float32Array {
  const [m, n] = w.shape;
  const v = w.dataSync();
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = v[i * n + j];
  return out;
}
