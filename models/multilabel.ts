/**
 * MultiLabel: the DSSTNE case (Amazon's sparse-input feed-forward recommender) and the seed's
 * "all content at once" user model. A user's item set goes in as a CSR row, one hidden layer
 * of 128 sigmoid units (by default), and a sigmoid per item comes out: each item is its own
 * binary label, trained with binary cross-entropy against the items the user has.
 *
 *   x (CSR) → Linear(items, 128) → sigmoid → logits = h·Wᵀ + b over all items
 *   loss = (1/B) Σ_u Σ_i softplus(z_ui) − z_ui·y_ui   (multiLabelBCE, CSR targets)
 *
 * The output layer is stored item-major, W [numItems, hidden] (like an embedding table), so
 * the same table serves two ways:
 *   - full output (default): logits = matmul(h, W, {transposeB}) for every item; W's gradient
 *     is dense [numItems, hidden] — cost O(batch · items · hidden) per step.
 *   - `sampledOutputs: n`: the loss covers only each user's positives plus n uniformly sampled
 *     negatives (from the run's 'multilabel/negatives' stream). Their rows of W and b are
 *     gathered, logits are row-wise dot products, and W's gradient is RowSparse over the
 *     candidate items — cost O(Σ_u (|items_u| + n) · hidden), independent of the catalog.
 *     Negatives are not re-weighted: the loss is a biased but standard estimate of the full
 *     one, and the ranking it learns is what matters.
 * With the input layer's `sparseGrad` (default) the largest matrices both get row-sparse
 * gradients, and a lazy optimizer touches only the rows a batch used.
 */
import type { CSR } from '../core/csr.js';
import { stream } from '../core/random.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul, sigmoid, tanh, relu } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { gather } from '../ops/gather.js';
import { sum } from '../ops/reduce.js';
import { tensor } from '../ops/creation.js';
import { bceWithLogits } from '../ops/losses.js';
import { multiLabelBCE } from '../ops/recsys-losses.js';
import { Linear } from './nn/layers.js';
import { initTensor } from './nn/init.js';
import { rowsInput, rowsTarget, UserRowModel } from './user-rows.js';
import { checkWidths } from './autoencoder.js';
import type { Batch, StepOutput } from './train/types.js';
import { float32 } from './nn/autocast.js';

export type HiddenActivation = 'sigmoid' | 'tanh' | 'relu';

export interface MultiLabelConfig {
  numItems: number;
  /** hidden widths (default [128], DSSTNE's) */
  hidden?: number[];
  activation?: HiddenActivation;
  /** 0 = loss over every item (default); n > 0 = positives plus n sampled negatives per user */
  sampledOutputs?: number;
  /** RowSparse gradient for the input layer (default true) */
  sparseGrad?: boolean;
  seed?: number;
}

/** The candidates of a sampled-output batch: flat lists over (user, item) pairs. */
interface SampledCandidates {
  /** item of each candidate */
  items: Int32Array;
  /** batch row of each candidate */
  rows: Int32Array;
  /** 1 for the user's items, 0 for sampled negatives */
  labels: Float32Array;
  batchSize: number;
}

export class MultiLabel extends UserRowModel {
  readonly config: Required<Omit<MultiLabelConfig, 'seed'>> & { seed?: number };
  readonly hiddenLayers: Linear[] = [];
  /** output table [numItems, last hidden] (item-major, so rows can be gathered) */
  readonly outWeight: Tensor;
  readonly outBias: Tensor;
  /** item → batch row that already has it as a candidate (−1: none); reset after each batch */
  private mark: Int32Array | null = null;

  constructor(cfg: MultiLabelConfig) {
    super();
    this.config = {
      numItems: cfg.numItems, hidden: cfg.hidden ?? [128], activation: cfg.activation ?? 'sigmoid',
      sampledOutputs: cfg.sampledOutputs ?? 0, sparseGrad: cfg.sparseGrad ?? true, seed: cfg.seed,
    };
    const c = this.config;
    if (!(Number.isInteger(c.numItems) && c.numItems > 0)) throw new Error(`MultiLabel: numItems must be a positive integer, got ${c.numItems}`);
    checkWidths('MultiLabel', 'hidden', c.hidden);
    if (!(Number.isInteger(c.sampledOutputs) && c.sampledOutputs >= 0)) {
      throw new Error(`MultiLabel: sampledOutputs must be 0 (full output) or a positive number of negatives, got ${c.sampledOutputs}`);
    }
    if (!['sigmoid', 'tanh', 'relu'].includes(c.activation)) throw new Error(`MultiLabel: unknown activation '${c.activation}' (sigmoid, tanh, relu)`);
    const dims = [c.numItems, ...c.hidden];
    for (let i = 0; i + 1 < dims.length; i++) {
      const seed = c.seed === undefined ? undefined : c.seed + i;
      this.hiddenLayers.push(this.addModule(`fc${i}`, new Linear(dims[i], dims[i + 1], { sparseGrad: i === 0 && c.sparseGrad, seed })));
    }
    const last = dims[dims.length - 1];
    this.outWeight = this.addParameter('outWeight', initTensor([c.numItems, last], { kind: 'glorot' }, c.seed === undefined ? undefined : c.seed + 99));
    this.outBias = this.addParameter('outBias', initTensor([c.numItems], { kind: 'zeros' }));
  }

  get numItems(): number { return this.config.numItems; }

  private activate(x: Tensor): Tensor {
    const a = this.config.activation;
    return a === 'sigmoid' ? sigmoid(x) : a === 'tanh' ? tanh(x) : relu(x);
  }

  /** The hidden representation [batch, last hidden] of CSR input rows. */
  hidden(input: CSR): Tensor {
    let h: Tensor | CSR = input;
    for (const layer of this.hiddenLayers) h = this.activate(layer.forward(h));
    return h as Tensor;
  }

  /** Logits over every item [batch, numItems]. */
  logits(input: CSR): Tensor {
    return add(matmul(this.hidden(input), this.outWeight, { transposeB: true }), this.outBias);
  }

  /** Each user's items plus n sampled negatives that are not among them. */
  private sample(target: CSR, n: number): SampledCandidates {
    const N = this.numItems;
    const rng = stream('multilabel/negatives');
    let total = target.nnz;
    for (let r = 0; r < target.rows; r++) total += Math.min(n, N - (target.indptr[r + 1] - target.indptr[r]));
    const items = new Int32Array(total);
    const rows = new Int32Array(total);
    const labels = new Float32Array(total);
    // one marker array for the model's life, cleared entry by entry: no O(items) work per step
    if (!this.mark) this.mark = new Int32Array(N).fill(-1);
    const mark = this.mark;
    let k = 0;
    for (let r = 0; r < target.rows; r++) {
      const a = target.indptr[r];
      const b = target.indptr[r + 1];
      for (let p = a; p < b; p++) {
        mark[target.indices[p]] = r;
        items[k] = target.indices[p]; rows[k] = r; labels[k] = 1; k++;
      }
      const want = Math.min(n, N - (b - a));
      for (let j = 0; j < want;) {
        const i = rng.int(N);
        if (mark[i] === r) continue; // a positive, or already drawn for this user
        mark[i] = r;
        items[k] = i; rows[k] = r; labels[k] = 0; k++; j++;
      }
    }
    for (let j = 0; j < k; j++) mark[items[j]] = -1;
    return { items, rows, labels, batchSize: target.rows };
  }

  /**
   * Prediction: the logits over every item, loss: multi-label BCE against the target rows;
   * with sampledOutputs (in training) the logits [candidates] of each user's items and n
   * sampled negatives, and the logistic loss over them.
   */
  trainingStep(batch: Batch): StepOutput {
    const x = rowsInput('MultiLabel', batch);
    this.checkRows(x);
    const target = rowsTarget('MultiLabel', batch, x);
    const n = this.config.sampledOutputs;
    if (!this.training || n === 0) {
      const pred = float32(this.logits(x));
      return { pred, loss: multiLabelBCE(pred, target) };
    }
    const cand = this.sample(target, n);
    const h = this.hidden(x);
    // gather: RowSparse gradients for W and b over the candidate items only
    const hRows = gather(h, cand.rows, { sparseGrad: false });
    const w = gather(this.outWeight, cand.items);
    const b = gather(this.outBias, cand.items);
    const pred = float32(add(sum(mul(hRows, w), 1), b));
    // bceWithLogits averages over candidates; × candidates / users = per-user sum, batch mean
    const loss = mul(bceWithLogits(pred, tensor(cand.labels, [cand.labels.length])), cand.labels.length / cand.batchSize);
    return { pred, loss };
  }

  itemVectors() {
    return { values: this.outWeight.dataSync(), dim: this.outWeight.shape[1] };
  }
}
