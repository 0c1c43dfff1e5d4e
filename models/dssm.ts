/**
 * DSSM: the deep structured semantic model as a two-tower recommender (the seed talk's
 * "DSSM with cosine loss"). Each tower maps its side to a vector; the score is their cosine.
 *
 *   user tower:  [user id embedding] + [Linear(bag of the user's items, as CSR)] → tanh
 *                → Linear → tanh … → dim
 *   item tower:  [item id embedding] + [Linear(bag of words of title + genres, as CSR)] → tanh
 *                → Linear → tanh … → dim
 *   prediction:  cos(user, item), a differentiable op (ops/cosine.ts)
 *   loss:        cosineMarginLoss(cos, label): 1 − cos for positives (label 1),
 *                max(0, cos − margin) for sampled negatives (label 0)
 *
 * Cold start: an item's text goes through the same tower as everyone's, so an item nobody
 * has interacted with still gets a vector from its title and genres. With `textUntilSeen`
 * (default) an item's id embedding joins in only once the item has been a positive in
 * training; until then the item *is* its text — even when it is drawn as a sampled
 * negative, which would otherwise push its never-positive id row away from every user.
 * And `idDropout` (default 0.5) leaves the id out at random while training (DropoutNet,
 * Volkovs et al. 2017), so the text path learns to stand for an item on its own: without
 * it the id rows soak up what the data says about warm items and the text learns little.
 * `embedItems(features)` embeds brand-new items (not in the catalog) from text alone.
 *
 * The user's history is data, not a weight: pass it per batch (`inputs.history`, CSR rows
 * aligned with the batch) or attach the training matrix once with `setUserHistory(m)`.
 * During training a positive pair's item is taken out of that user's history row, so the
 * model cannot score an item by finding it in the input (the leave-one-out trick). The
 * item text features are part of the model: saved with it as buffers (with the mask of
 * items seen in training).
 *
 * Training pairs: `NegativeSamplingIterator` batches ({user, item}, label 0/1) through `fit`.
 */
import { CSR } from '../core/csr.js';
import { stream } from '../core/random.js';
import { noGrad, tidy } from '../core/engine.js';
import type { Tensor } from '../core/tensor.js';
import { add, mul, sub, tanh } from '../ops/elementwise.js';
import { gather } from '../ops/gather.js';
import { matmul } from '../ops/matmul.js';
import { tensor } from '../ops/creation.js';
import { cosineMarginLoss, cosineSimilarity } from '../ops/cosine.js';
import { float32 } from './nn/autocast.js';
import { Embedding, Linear } from './nn/layers.js';
import { Recommender } from './recommender.js';
import { normalizeRows } from './user-rows.js';
import { checkWidths } from './autoencoder.js';
import { denseLabels, idsInput } from './inputs.js';
import type { Batch, StepOutput } from './train/types.js';

export interface DSSMConfig {
  numUsers: number;
  numItems: number;
  /** columns of the item text features (words + genres) */
  vocabSize: number;
  /** user tower inputs: an id embedding and/or the bag of items the user has (defaults true, true) */
  userId?: boolean;
  userHistory?: boolean;
  /** add an item id embedding to the item's text (default true) */
  itemId?: boolean;
  /** use an item's id embedding only after it was a positive in training (default true) */
  textUntilSeen?: boolean;
  /**
   * in training, leave out an item's id embedding with this probability (default 0.5), so
   * the text path must carry the item alone — what cold items have (DropoutNet's trick)
   */
  idDropout?: number;
  /** hidden widths of both towers (default [128]) */
  hidden?: number[];
  /** output vector size (default 64) */
  dim?: number;
  /** negatives cost max(0, cos − margin) (default 0) */
  margin?: number;
  /** RowSparse gradients for the embeddings and the CSR-input layers (default true) */
  sparseGrad?: boolean;
  /** the feature columns' names (optional, for explanations) */
  vocab?: string[];
  /** entries of the item text features (set by the model, to rebuild from a checkpoint) */
  itemFeatureNnz?: number;
  seed?: number;
}

export interface DSSMData {
  /** [numItems, vocabSize] item text features (e.g. bag of words of titles and genres) */
  itemFeatures?: CSR;
  /** [numUsers, numItems] what each user has (the user tower's bag of items) */
  userHistory?: CSR;
}

/** Sorted unique values of keys and where each key went. */
function dedupe(keys: Float64Array): { first: Int32Array; inverse: Int32Array } {
  const seen = new Map<number, number>();
  const first: number[] = [];
  const inverse = new Int32Array(keys.length);
  keys.forEach((k, i) => {
    let j = seen.get(k);
    if (j === undefined) {
      j = first.length;
      seen.set(k, j);
      first.push(i);
    }
    inverse[i] = j;
  });
  return { first: Int32Array.from(first), inverse };
}

export class DSSM extends Recommender {
  readonly config: Required<Omit<DSSMConfig, 'seed' | 'vocab'>> & { seed?: number; vocab?: string[] };
  readonly userEmbedding: Embedding | null = null;
  readonly historyLayer: Linear | null = null;
  readonly itemEmbedding: Embedding | null = null;
  readonly textLayer: Linear;
  readonly userLayers: Linear[] = [];
  readonly itemLayers: Linear[] = [];
  /** the attached user×item matrix (data: not saved) */
  userHistory: CSR | null = null;
  private itemText: CSR;
  /** 1 for items that have been a positive in training (saved as buffer 'itemSeen') */
  private seen: Float32Array;
  /** the catalog's item vectors, kept until the next training batch changes the weights */
  private itemCache: Float32Array | null = null;

  constructor(cfg: DSSMConfig, data: DSSMData = {}) {
    super();
    const feats = data.itemFeatures;
    this.config = {
      numUsers: cfg.numUsers, numItems: cfg.numItems, vocabSize: cfg.vocabSize, userId: cfg.userId ?? true,
      userHistory: cfg.userHistory ?? true, itemId: cfg.itemId ?? true, textUntilSeen: cfg.textUntilSeen ?? true, idDropout: cfg.idDropout ?? 0.5, hidden: cfg.hidden ?? [128], dim: cfg.dim ?? 64,
      margin: cfg.margin ?? 0, sparseGrad: cfg.sparseGrad ?? true, itemFeatureNnz: feats ? feats.nnz : cfg.itemFeatureNnz ?? -1,
      seed: cfg.seed, vocab: cfg.vocab,
    };
    const c = this.config;
    for (const k of ['numUsers', 'numItems', 'vocabSize', 'dim'] as const) {
      if (!(Number.isInteger(c[k]) && c[k] > 0)) throw new Error(`DSSM: ${k} must be a positive integer, got ${c[k]}`);
    }
    checkWidths('DSSM', 'hidden', c.hidden);
    if (!(c.idDropout >= 0 && c.idDropout < 1)) throw new Error(`DSSM: idDropout must be in [0, 1), got ${c.idDropout}`);
    if (!c.userId && !c.userHistory) throw new Error('DSSM: the user tower needs an input: set userId and/or userHistory');
    if (feats && (feats.rows !== c.numItems || feats.cols !== c.vocabSize)) {
      throw new Error(`DSSM: itemFeatures is ${feats.rows}×${feats.cols}, expected numItems × vocabSize = ${c.numItems}×${c.vocabSize}`);
    }
    if (!feats && c.itemFeatureNnz < 0) throw new Error('DSSM: give the item text features (new DSSM(config, {itemFeatures}))');
    const seed = (i: number) => (c.seed === undefined ? undefined : c.seed + i);
    const h0 = c.hidden[0];
    if (c.userId) this.userEmbedding = this.addModule('userEmbedding', new Embedding({ num: c.numUsers, dim: h0, sparseGrad: c.sparseGrad, init: { kind: 'normal', std: 0.1 }, seed: seed(0) }));
    if (c.userHistory) this.historyLayer = this.addModule('history', new Linear(c.numItems, h0, { sparseGrad: c.sparseGrad, seed: seed(1) }));
    // zeros: an item without interactions is its text
    if (c.itemId) this.itemEmbedding = this.addModule('itemEmbedding', new Embedding({ num: c.numItems, dim: h0, sparseGrad: c.sparseGrad, init: { kind: 'zeros' } }));
    this.textLayer = this.addModule('text', new Linear(c.vocabSize, h0, { sparseGrad: c.sparseGrad, seed: seed(2) }));
    const dims = [...c.hidden, c.dim];
    for (let i = 0; i + 1 < dims.length; i++) {
      this.userLayers.push(this.addModule(`user${i}`, new Linear(dims[i], dims[i + 1], { seed: seed(10 + i) })));
      this.itemLayers.push(this.addModule(`item${i}`, new Linear(dims[i], dims[i + 1], { seed: seed(20 + i) })));
    }
    // the text features travel with the model (three buffers)
    const nnz = c.itemFeatureNnz;
    const f = feats ?? new CSR(new Int32Array(c.numItems + 1), new Int32Array(nnz), new Float32Array(nnz), [c.numItems, c.vocabSize], false);
    this.addBuffer('itemText.indptr', tensor(f.indptr, [f.indptr.length], 'int32'));
    this.addBuffer('itemText.indices', tensor(f.indices, [Math.max(nnz, 0)], 'int32'));
    this.addBuffer('itemText.values', tensor(f.values, [Math.max(nnz, 0)], 'float32'));
    this.itemText = f;
    this.seen = new Float32Array(c.numItems);
    this.addBuffer('itemSeen', tensor(this.seen, [c.numItems]));
    if (data.userHistory) this.setUserHistory(data.userHistory);
  }

  get numUsers(): number { return this.config.numUsers; }
  get numItems(): number { return this.config.numItems; }

  /** Attaches the user×item matrix the user tower reads (training pairs and scoreItems). */
  setUserHistory(m: CSR): this {
    if (m.rows !== this.numUsers || m.cols !== this.numItems) {
      throw new Error(`DSSM.setUserHistory: the matrix is ${m.rows}×${m.cols}, expected numUsers × numItems = ${this.numUsers}×${this.numItems}`);
    }
    this.userHistory = m;
    return this;
  }

  /** The seen-items mask travels with the weights. */
  override stateDict(): Map<string, Tensor> {
    const state = super.stateDict();
    const t = state.get('itemSeen')!;
    t.assign(this.seen);
    return state;
  }

  override loadStateDict(values: Map<string, Float32Array | Float64Array | Int32Array>): void {
    super.loadStateDict(values);
    this.itemCache = null;
    this.seen = Float32Array.from(values.get('itemSeen')!);
    const get = (k: string) => values.get(k)!;
    this.itemText = new CSR(Int32Array.from(get('itemText.indptr')), Int32Array.from(get('itemText.indices')),
      Float32Array.from(get('itemText.values')), [this.numItems, this.config.vocabSize]);
  }

  private mlp(h: Tensor, layers: Linear[]): Tensor {
    let x = tanh(h);
    for (const layer of layers) x = tanh(layer.forward(x));
    return x;
  }

  /** User vectors [B, dim] from user ids and their history rows (either may be unused). */
  userTower(users: Int32Array, history: CSR | null): Tensor {
    let h: Tensor | null = this.userEmbedding ? this.userEmbedding.forward(users) : null;
    if (this.historyLayer) {
      if (!history) throw new Error('DSSM: the user tower needs history rows (batch input \'history\' or setUserHistory(matrix))');
      const hh = this.historyLayer.forward(normalizeRows(history));
      h = h ? add(h, hh) : hh;
    }
    return this.mlp(h!, this.userLayers);
  }

  /**
   * The user tower for training pairs with the attached history, each user's row without
   * `drop[k]` (−1: nothing dropped). Copying a heavy user's history once per positive would
   * cost O(history) each; instead each user's row goes through the sparse product once,
   * S_u = Σ_j x_uj·W_j, and the leave-one-out row is corrected in O(hidden):
   *   (S_u − x_ud·W_d) / ‖x_u without d‖   (+ bias, + the id embedding)
   * which is exactly Linear(normalise(row without d)).
   */
  private leaveOneOutTower(users: Int32Array, drop: Int32Array): Tensor {
    const m = this.userHistory!;
    const layer = this.historyLayer!;
    const K = users.length;
    const { first, inverse } = dedupe(Float64Array.from(users));
    const S = matmul(m.selectRows(Int32Array.from(first, (i) => users[i])), layer.weight, { sparseGrad: this.config.sparseGrad });
    const v = new Float32Array(K);
    const inv = new Float32Array(K);
    const dropIds = new Int32Array(K);
    let anyDrop = false;
    for (let k = 0; k < K; k++) {
      let sq = 0;
      for (let p = m.indptr[users[k]]; p < m.indptr[users[k] + 1]; p++) {
        sq += m.values[p] * m.values[p];
        if (m.indices[p] === drop[k]) v[k] = m.values[p];
      }
      const norm = Math.sqrt(Math.max(0, sq - v[k] * v[k]));
      inv[k] = norm > 0 ? 1 / norm : 0;
      if (v[k] !== 0) { dropIds[k] = drop[k]; anyDrop = true; }
    }
    let pre = gather(S, inverse, { sparseGrad: false });
    if (anyDrop) pre = sub(pre, mul(gather(layer.weight, dropIds, { sparseGrad: this.config.sparseGrad }), tensor(v, [K, 1])));
    pre = mul(pre, tensor(inv, [K, 1]));
    if (layer.bias) pre = add(pre, layer.bias);
    if (this.userEmbedding) pre = add(pre, this.userEmbedding.forward(users));
    return this.mlp(pre, this.userLayers);
  }

  /**
   * Item vectors [B, dim] from text feature rows, plus id embeddings when ids are given
   * (for seen items: those of the mask and of `alsoSeen`, with textUntilSeen).
   */
  itemTower(text: CSR, items: Int32Array | null, alsoSeen: ReadonlySet<number> | null = null): Tensor {
    if (text.cols !== this.config.vocabSize) throw new Error(`DSSM: item features have ${text.cols} columns, the model ${this.config.vocabSize}`);
    let h = this.textLayer.forward(normalizeRows(text));
    if (this.itemEmbedding && items) {
      const { textUntilSeen, idDropout } = this.config;
      let id = this.itemEmbedding.forward(items);
      if (textUntilSeen || (this.training && idDropout > 0)) {
        // per item: 1 = add its id row, 0 = the item is its text alone
        const rng = stream('dssm/idDropout');
        const seen = (i: number) => this.seen[i] !== 0 || (alsoSeen !== null && alsoSeen.has(i));
        const keep = Float32Array.from(items, (i) => (textUntilSeen && !seen(i)) || (this.training && rng.next() < idDropout) ? 0 : 1);
        id = mul(id, tensor(keep, [items.length, 1]));
      }
      h = add(h, id);
    }
    return this.mlp(h, this.itemLayers);
  }

  /**
   * The two towers' vectors [pairs, dim] for a batch's (user, item) pairs. With training
   * labels, a positive pair's item leaves its user's history (so the model cannot find it
   * there) and the batch's positive items count as seen: their id rows join in.
   */
  private pairVectors(batch: Batch, labels: Float32Array | null): { u: Tensor; v: Tensor; positives: Int32Array } {
    const users = idsInput('DSSM', batch, 'user');
    const items = idsInput('DSSM', batch, 'item', 'movie');
    for (const u of users) this.checkUser(u);
    for (const i of items) this.checkItem(i);
    if (this.training) this.itemCache = null; // the weights are about to change
    const positives = labels ? items.filter((_, k) => labels[k] > 0) : new Int32Array(0);
    // user vectors: one tower row per distinct key, spread back to the pairs by uInv
    let userVecs: Tensor;
    let uInv: Int32Array;
    const given = batch.inputs.history;
    if (given !== undefined) {
      if (!(given instanceof CSR) || given.rows !== users.length) throw new Error(`DSSM: input 'history' must be a CSR with one row per pair (${users.length})`);
      userVecs = this.userTower(users, given);
      uInv = Int32Array.from(users.keys());
    } else if (!this.historyLayer) {
      const d = dedupe(Float64Array.from(users));
      userVecs = this.userTower(Int32Array.from(d.first, (i) => users[i]), null);
      uInv = d.inverse;
    } else {
      if (!this.userHistory) throw new Error("DSSM: no user history: call setUserHistory(trainMatrix) or give a CSR input 'history'");
      // a positive's own item leaves the history; its negatives share that key, and so one tower row
      const drop = new Int32Array(users.length).fill(-1);
      if (labels) for (let i = 0; i < users.length; i++) if (labels[i] > 0) drop[i] = items[i];
      const d = dedupe(Float64Array.from(users, (u, i) => u * (this.numItems + 1) + drop[i] + 1));
      userVecs = this.leaveOneOutTower(Int32Array.from(d.first, (i) => users[i]), Int32Array.from(d.first, (i) => drop[i]));
      uInv = d.inverse;
    }
    const { first: iFirst, inverse: iInv } = dedupe(Float64Array.from(items));
    const uniqueItems = Int32Array.from(iFirst, (i) => items[i]);
    const itemVecs = this.itemTower(this.itemText.selectRows(uniqueItems), uniqueItems, new Set(positives));
    // back to one row per pair (dense gradients: these are activations, not tables)
    return { u: gather(userVecs, uInv, { sparseGrad: false }), v: gather(itemVecs, iInv, { sparseGrad: false }), positives };
  }

  /** The cosine [pairs] of each (user, item) pair of a batch. */
  forwardBatch(batch: Batch): Tensor {
    const { u, v } = this.pairVectors(batch, null);
    return cosineSimilarity(u, v);
  }

  /**
   * Prediction: the pairs' cosines; loss: the cosine margin loss on them (1 − cos for
   * positives, max(0, cos − margin) for negatives). Once the update is applied, the batch's
   * positive items are marked as seen in training.
   */
  trainingStep(batch: Batch): StepOutput {
    const labels = denseLabels('DSSM', batch);
    const { u, v, positives } = this.pairVectors(batch, this.training ? labels : null);
    const pred = float32(cosineSimilarity(u, v));
    const loss = cosineMarginLoss(pred, tensor(labels, [labels.length]), { margin: this.config.margin });
    return { pred, loss, afterUpdate: () => { for (const i of positives) this.seen[i] = 1; } };
  }

  /** The cosine of each pair. */
  predictionValues(pred: Tensor): Float32Array {
    return Float32Array.from(pred.dataSync());
  }

  private inEval<T>(fn: () => T): T {
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => tidy(fn));
    } finally {
      this.train(wasTraining);
    }
  }

  /**
   * Unit-norm item vectors [numItems, dim] of the catalog (text + id). Cached until the next
   * training batch (or loadStateDict); do not modify the returned array.
   */
  itemMatrix(): Float32Array {
    if (this.itemCache) return this.itemCache;
    const N = this.numItems;
    const D = this.config.dim;
    const out = new Float32Array(N * D);
    for (let a = 0; a < N; a += 4096) {
      const b = Math.min(N, a + 4096);
      const ids = Int32Array.from({ length: b - a }, (_, i) => a + i);
      out.set(this.inEval(() => this.itemTower(this.itemText.sliceRows(a, b), ids).dataSync()), a * D);
    }
    this.itemCache = unitRows(out, D);
    return this.itemCache;
  }

  /** Unit-norm vectors [rows, dim] of items that are not (or not yet) in the catalog, from text alone. */
  embedItems(features: CSR): Float32Array {
    return unitRows(this.inEval(() => Float32Array.from(this.itemTower(features, null).dataSync())), this.config.dim);
  }

  /** Unit-norm user vectors [users, dim]; `history` defaults to the attached matrix's rows. */
  embedUsers(users: Int32Array, history: CSR | null = null): Float32Array {
    for (const u of users) this.checkUser(u);
    let h = history;
    if (!h && this.historyLayer) {
      if (!this.userHistory) throw new Error('DSSM: no history rows given and none attached (setUserHistory)');
      h = this.userHistory.selectRows(users);
    }
    const rows = h;
    return unitRows(this.inEval(() => Float32Array.from(this.userTower(users, rows).dataSync())), this.config.dim);
  }

  /** Cosine scores [users × numItems] (for evaluateRanking: `input` is the users' history). */
  scoreBatch(users: Int32Array, input: CSR | null = null): Float32Array {
    const U = this.embedUsers(users, input);
    const V = this.itemMatrix();
    return noGrad(() => tidy(() => {
      const s = matmul(tensor(U, [users.length, this.config.dim]), tensor(V, [this.numItems, this.config.dim]), { transposeB: true });
      return Float32Array.from(s.dataSync());
    }));
  }

  scoreItems(userIndex: number): Float32Array {
    return this.scoreBatch(Int32Array.of(userIndex));
  }

  itemVectors() {
    return { values: this.itemMatrix(), dim: this.config.dim };
  }
}

/** Rows scaled to unit length (zero rows stay zero). */
function unitRows(v: Float32Array, dim: number): Float32Array {
  for (let r = 0; r < v.length / dim; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += v[r * dim + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < dim; j++) v[r * dim + j] *= inv;
  }
  return v;
}
