/**
 * Losses of the implicit-feedback and user-level recommenders, each with its backward.
 *
 *   cosineLoss(a, b, y, {margin})   two-tower (DSSM) loss on c = a·b / (‖a‖‖b‖), row by row:
 *                                   y = 1 (positive pair):   1 − c
 *                                   y ≤ 0 (sampled negative): max(0, c − margin)
 *                                   (PyTorch's CosineEmbeddingLoss with 0/−1 both negative;
 *                                   margin 0 pushes negatives to orthogonal or beyond)
 *                                   mean over rows.
 *   multinomialLogLikelihood(z, x)  Mult-VAE/DAE reconstruction: −(1/B) Σ_u Σ_i x_ui log softmax(z_u)_i.
 *                                   d/dz_u = (Σ_i x_ui) · softmax(z_u) − x_u   (times 1/B)
 *   gaussianKL(μ, logσ²)            KL(N(μ, σ²) ‖ N(0, I)) = (1/B) Σ_u Σ_j ½(−logσ² + σ² + μ² − 1)
 *                                   d/dμ = μ/B,  d/dlogσ² = ½(σ² − 1)/B
 *   multiLabelBCE(z, y)             multi-label logistic loss summed over labels, mean over rows:
 *                                   (1/B) Σ_u Σ_i softplus(z_ui) − z_ui·y_ui;  d/dz = (σ(z) − y)/B
 *   bprLoss(pos, neg)               BPR (Rendle et al. 2009), pairwise: for triples (u, i⁺, j⁻) with
 *                                   scores pos = s_ui, neg = s_uj, the mean of −log σ(s_ui − s_uj),
 *                                   computed as softplus(s_uj − s_ui) (no overflow either way);
 *                                   d/dpos = −σ(s_uj − s_ui)/B,  d/dneg = +σ(s_uj − s_ui)/B
 *
 * The targets of the last three may be a CSR batch (a user's items out of 20,000+): the loss
 * then reads only the stored entries (gathers them out of the dense logits at flat positions
 * u·N + i) and the backward adds −x at those positions with a scatter-add, so a dense
 * [batch, items] target is never built. Logits, by contrast, are dense: a full softmax or
 * sigmoid over all items needs every score.
 *
 * Per-row sums (not means over items) follow Liang et al. (2018): the loss of a user grows
 * with the number of items they have, as a likelihood should.
 */
import type { Backend } from '../core/kernels.js';
import { recordOp } from '../core/autograd.js';
import { CSR } from '../core/csr.js';
import { fmtShape, shapesEqual } from '../core/shape.js';
import type { Tensor } from '../core/tensor.js';
import { typed } from './typed.js';
import { backendOf, scalarOn, storageFor, wrap } from './util.js';
import { binaryRaw, unaryRaw } from './elementwise.js';
import { reduceRaw } from './reduce.js';
import { logSoftmaxRaw, softmaxRaw } from './nn.js';
import { scatterAddRaw } from './rows.js';

// ---- helpers -------------------------------------------------------------------------

function disposeAll(...ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

/** A reshaped copy (no gradient): the kernels broadcast by shape, so [B] labels become [B,1]. */
function viewAs(x: Tensor, shape: readonly number[]): Tensor {
  const b = x.backend;
  return wrap(b.copy(x), shape, x.dtype, b);
}

/** The scalar Σ of every element of x. */
function total(x: Tensor): Tensor {
  return reduceRaw('sum', x, x.shape.map((_, i) => i), false);
}

/** Flat positions r·N + c of a CSR's entries in a dense [rows, N] tensor, and their values. */
function flatPositions(op: string, x: CSR, logits: Tensor): { pos: Int32Array; vals: Float32Array } {
  if (logits.rank !== 2 || logits.shape[0] !== x.rows || logits.shape[1] !== x.cols) {
    throw new Error(`${op}: logits ${fmtShape(logits.shape)} and CSR targets ${fmtShape(x.shape)} must have the same shape`);
  }
  const N = x.cols;
  if (x.rows * N >= 2 ** 31) throw new Error(`${op}: ${fmtShape(x.shape)} has too many positions for int32 indexing`);
  const pos = new Int32Array(x.nnz);
  for (let r = 0; r < x.rows; r++) {
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) pos[p] = r * N + x.indices[p];
  }
  return { pos, vals: x.values };
}

/** Entries of a dense [B, N] tensor at flat positions, as a [nnz, 1] tensor (x seen as [B·N, 1] rows). */
function gatherFlat(be: Backend, x: Tensor, pos: Int32Array): Tensor {
  return wrap(be.gatherRows({ dataId: x.dataId, shape: [x.size, 1], dtype: x.dtype }, pos), [pos.length, 1], x.dtype, be);
}

/** x[pos[p]] += scale·v[p] for a dense tensor x, which it consumes (see scatterAddRaw). */
function scatterAddFlat(be: Backend, x: Tensor, pos: Int32Array, v: Float32Array, scale: number): Tensor {
  const vals = new Float32Array(v.length);
  for (let p = 0; p < v.length; p++) vals[p] = scale * v[p];
  const values = wrap(be.write(storageFor(vals, x.dtype), x.dtype), [v.length, 1], x.dtype, be);
  const out = scatterAddRaw(x, pos, values);
  values.dispose();
  return out;
}

/** Row sums of a CSR as a [rows, 1] tensor. */
function csrRowSums(be: Backend, x: CSR, dtype: Tensor['dtype']): Tensor {
  const s = new Float32Array(x.rows);
  for (let r = 0; r < x.rows; r++) {
    let acc = 0;
    for (let p = x.indptr[r]; p < x.indptr[r + 1]; p++) acc += x.values[p];
    s[r] = acc;
  }
  return wrap(be.write(storageFor(s, dtype), dtype), [x.rows, 1], dtype, be);
}

function checkDenseTargets(op: string, logits: Tensor, targets: Tensor): void {
  if (logits.rank !== 2) throw new Error(`${op}: logits must be [batch, items], got ${fmtShape(logits.shape)}`);
  if (!shapesEqual(logits.shape, targets.shape)) {
    throw new Error(`${op}: targets ${fmtShape(targets.shape)} must match logits ${fmtShape(logits.shape)}`);
  }
}

/** dy / B as a 0-d tensor. */
const perRow = (dy: Tensor, B: number): Tensor => binaryRaw('div', dy, scalarOn(dy.backend, B, dy.dtype));

// ---- cosine loss ------------------------------------------------------------------------

export interface CosineLossOptions {
  /** negatives cost max(0, cos − margin) (default 0) */
  margin?: number;
  /** added under the square roots of the norms, so a zero vector has a finite gradient */
  eps?: number;
}

function cosineLossImpl(a: Tensor, b: Tensor, labels: Tensor, opts: CosineLossOptions = {}): Tensor {
  const margin = opts.margin ?? 0;
  const eps = opts.eps ?? 1e-12;
  if (a.rank !== 2 || !shapesEqual(a.shape, b.shape)) {
    throw new Error(`cosineLoss: both towers must be [batch, dim] of the same shape, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const B = a.shape[0];
  if (labels.size !== B) throw new Error(`cosineLoss: ${labels.size} labels for ${B} pairs`);
  const be = backendOf('cosineLoss', a, b, labels);
  const dt = a.dtype;
  const y = viewAs(labels.dtype === dt ? labels : wrap(be.cast(labels, dt), labels.shape, dt, be), [B, 1]);
  // norms with eps inside the root: n = √(Σx² + eps), so ∂n/∂x = x/n exactly
  const epsT = scalarOn(be, eps, dt);
  const na = unaryRaw('sqrt', binaryRaw('add', reduceRaw('sum', unaryRaw('square', a), [1], true), epsT));
  const nb = unaryRaw('sqrt', binaryRaw('add', reduceRaw('sum', unaryRaw('square', b), [1], true), epsT));
  const dot = reduceRaw('sum', binaryRaw('mul', a, b), [1], true);
  const nab = binaryRaw('mul', na, nb);
  const cos = binaryRaw('div', dot, nab); // [B,1]
  const pos = binaryRaw('greater', y, scalarOn(be, 0, dt)); // 1 for positives, 0 for negatives
  const neg = binaryRaw('sub', scalarOn(be, 1, dt), pos);
  const over = binaryRaw('sub', cos, scalarOn(be, margin, dt)); // c − margin
  const perPair = binaryRaw('add',
    binaryRaw('mul', pos, binaryRaw('sub', scalarOn(be, 1, dt), cos)),
    binaryRaw('mul', neg, unaryRaw('relu', over)));
  const loss = binaryRaw('div', total(perPair), scalarOn(be, B, dt));
  recordOp('cosineLoss', [a, b], loss, (dy) => {
    // dl/dc = −1 for positives, [c > margin] for negatives
    const dldc = binaryRaw('sub', binaryRaw('mul', neg, unaryRaw('step', over)), pos);
    const g = binaryRaw('mul', dldc, perRow(dy, B)); // [B,1]
    // ∂c/∂a = b/(‖a‖‖b‖) − c·a/‖a‖²  (and the same with a and b swapped)
    const grad = (x: Tensor, other: Tensor, nx: Tensor): Tensor => binaryRaw('mul', g,
      binaryRaw('sub', binaryRaw('div', other, nab), binaryRaw('mul', binaryRaw('div', cos, binaryRaw('mul', nx, nx)), x)));
    return [a.requiresGrad ? grad(a, b, na) : null, b.requiresGrad ? grad(b, a, nb) : null];
  });
  return loss;
}

export const cosineLoss = typed('cosineLoss', {
  'Tensor, Tensor, Tensor': (a: Tensor, b: Tensor, y: Tensor) => cosineLossImpl(a, b, y),
  'Tensor, Tensor, Tensor, Object': (a: Tensor, b: Tensor, y: Tensor, o: CosineLossOptions) => cosineLossImpl(a, b, y, o),
}) as (a: Tensor, b: Tensor, labels: Tensor, opts?: CosineLossOptions) => Tensor;

/** Row-wise cosine similarity [B] of two [B, D] tensors (no gradient; for scoring). */
export function cosineSimilarityRows(a: ArrayLike<number>, b: ArrayLike<number>, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let d = 0, na = 0, nb = 0;
    for (let j = 0; j < dim; j++) {
      const x = a[r * dim + j];
      const y = b[r * dim + j];
      d += x * y; na += x * x; nb += y * y;
    }
    out[r] = na && nb ? d / Math.sqrt(na * nb) : 0;
  }
  return out;
}

// ---- multinomial log-likelihood ---------------------------------------------------------

function multinomialCSR(logits: Tensor, x: CSR): Tensor {
  const op = 'multinomialLogLikelihood';
  const be = backendOf(op, logits);
  if (be.multinomialNLL && be.multinomialNLLGrad && logits.dtype !== 'float16') {
    flatPositions(op, x, logits); // the same shape checks
    return multinomialFused(be, logits, x);
  }
  return multinomialComposed(logits, x);
}

/** One backend kernel forward (keeping per-row max and log-sum-exp) and one backward (backends/cpu/multinomial.ts). */
function multinomialFused(be: Backend, logits: Tensor, x: CSR): Tensor {
  const { loss, stats } = be.multinomialNLL!(logits, x);
  const out = wrap(loss, [], logits.dtype, be);
  const st = wrap(stats, [x.rows, 2], logits.dtype, be);
  recordOp('multinomialLogLikelihood', [logits], out, (dy) => [wrap(be.multinomialNLLGrad!(logits, st, x, dy), logits.shape, logits.dtype, be)]);
  if (!out.requiresGrad) st.dispose();
  return out;
}

/** The reference composition of primitives (and what backends without the fused kernel run). */
export function multinomialComposed(logits: Tensor, x: CSR): Tensor {
  const op = 'multinomialLogLikelihood';
  const { pos, vals } = flatPositions(op, x, logits);
  const be = backendOf(op, logits);
  const B = x.rows;
  const logp = logSoftmaxRaw(logits);
  const picked = gatherFlat(be, logp, pos); // log p at the user's items, [nnz, 1]
  const weights = wrap(be.write(storageFor(vals, logits.dtype), logits.dtype), [vals.length, 1], logits.dtype, be);
  const weighted = binaryRaw('mul', picked, weights);
  const s = total(weighted);
  const loss = binaryRaw('div', s, scalarOn(be, -B, logits.dtype));
  disposeAll(logp, picked, weights, weighted, s);
  recordOp(op, [logits], loss, (dy) => {
    // (Σx)·softmax(z) − x, built as softmax × row sums, then −x scattered into its entries
    const sums = csrRowSums(be, x, logits.dtype);
    const sm = softmaxRaw(logits);
    const g = scatterAddFlat(be, binaryRaw('mul', sm, sums), pos, vals, -1);
    disposeAll(sm, sums);
    const out = binaryRaw('mul', g, perRow(dy, B));
    g.dispose();
    return [out];
  });
  return loss;
}

function multinomialDense(logits: Tensor, x: Tensor): Tensor {
  const op = 'multinomialLogLikelihood';
  checkDenseTargets(op, logits, x);
  const be = backendOf(op, logits, x);
  const B = logits.shape[0];
  const logp = logSoftmaxRaw(logits);
  const prod = binaryRaw('mul', logp, x);
  const s = total(prod);
  const loss = binaryRaw('div', s, scalarOn(be, -B, logits.dtype));
  disposeAll(logp, prod, s);
  recordOp(op, [logits], loss, (dy) => {
    const sums = reduceRaw('sum', x, [1], true);
    const g = binaryRaw('sub', binaryRaw('mul', softmaxRaw(logits), sums), x);
    return [binaryRaw('mul', g, perRow(dy, B))];
  });
  return loss;
}

export const multinomialLogLikelihood = typed('multinomialLogLikelihood', {
  'Tensor, CSR': multinomialCSR,
  'Tensor, Tensor': multinomialDense,
}) as (logits: Tensor, targets: CSR | Tensor) => Tensor;

// ---- Gaussian KL ----------------------------------------------------------------------------

export const gaussianKL = typed('gaussianKL', {
  'Tensor, Tensor': (mu: Tensor, logvar: Tensor): Tensor => {
    if (mu.rank !== 2 || !shapesEqual(mu.shape, logvar.shape)) {
      throw new Error(`gaussianKL: mu and logvar must be [batch, latent] of the same shape, got ${fmtShape(mu.shape)} and ${fmtShape(logvar.shape)}`);
    }
    const be = backendOf('gaussianKL', mu, logvar);
    const dt = mu.dtype;
    const B = mu.shape[0];
    const varT = unaryRaw('exp', logvar);
    // ½(−logσ² + σ² + μ² − 1), summed over latent dims and rows
    const inner = binaryRaw('sub', binaryRaw('add', binaryRaw('sub', varT, logvar), unaryRaw('square', mu)), scalarOn(be, 1, dt));
    const s = total(inner);
    const loss = binaryRaw('div', s, scalarOn(be, 2 * B, dt));
    disposeAll(inner, s);
    recordOp('gaussianKL', [mu, logvar], loss, (dy) => {
      const g = perRow(dy, B);
      return [
        mu.requiresGrad ? binaryRaw('mul', mu, g) : null,
        logvar.requiresGrad ? binaryRaw('mul', binaryRaw('sub', varT, scalarOn(be, 1, dt)), binaryRaw('mul', g, scalarOn(be, 0.5, dt))) : null,
      ];
    });
    return loss;
  },
}) as (mu: Tensor, logvar: Tensor) => Tensor;

// ---- multi-label binary cross-entropy ---------------------------------------------------------

/** Σ softplus(z) over every element, computed as max(z,0) + log1p(e^−|z|) (no overflow). */
function softplusTotal(z: Tensor): Tensor {
  const tail = unaryRaw('log1p', unaryRaw('exp', unaryRaw('neg', unaryRaw('abs', z))));
  const sp = binaryRaw('add', unaryRaw('relu', z), tail);
  const s = total(sp);
  disposeAll(tail, sp);
  return s;
}

function multiLabelCSR(logits: Tensor, y: CSR): Tensor {
  const op = 'multiLabelBCE';
  const { pos, vals } = flatPositions(op, y, logits);
  const be = backendOf(op, logits);
  const B = y.rows;
  const dt = logits.dtype;
  const sp = softplusTotal(logits);
  const picked = gatherFlat(be, logits, pos);
  const weights = wrap(be.write(storageFor(vals, dt), dt), [vals.length, 1], dt, be);
  const zy = total(binaryRaw('mul', picked, weights));
  const loss = binaryRaw('div', binaryRaw('sub', sp, zy), scalarOn(be, B, dt));
  disposeAll(sp, picked, weights, zy);
  recordOp(op, [logits], loss, (dy) => {
    const g = scatterAddFlat(be, unaryRaw('sigmoid', logits), pos, vals, -1);
    const out = binaryRaw('mul', g, perRow(dy, B));
    g.dispose();
    return [out];
  });
  return loss;
}

function multiLabelDense(logits: Tensor, y: Tensor): Tensor {
  const op = 'multiLabelBCE';
  checkDenseTargets(op, logits, y);
  const be = backendOf(op, logits, y);
  const B = logits.shape[0];
  const sp = softplusTotal(logits);
  const zy = total(binaryRaw('mul', logits, y));
  const loss = binaryRaw('div', binaryRaw('sub', sp, zy), scalarOn(be, B, logits.dtype));
  disposeAll(sp, zy);
  recordOp(op, [logits], loss, (dy) => [binaryRaw('mul', binaryRaw('sub', unaryRaw('sigmoid', logits), y), perRow(dy, B))]);
  return loss;
}

export const multiLabelBCE = typed('multiLabelBCE', {
  'Tensor, CSR': multiLabelCSR,
  'Tensor, Tensor': multiLabelDense,
}) as (logits: Tensor, targets: CSR | Tensor) => Tensor;

// ---- BPR (pairwise) ---------------------------------------------------------------------------

/**
 * Bayesian personalised ranking: mean over triples of −log σ(pos − neg) = softplus(neg − pos).
 * `pos` and `neg` are the scores of each triple's positive and sampled negative item, same
 * shape (typically [B]); only their difference matters, so a per-user term cancels.
 */
function bprLossImpl(pos: Tensor, neg: Tensor): Tensor {
  const op = 'bprLoss';
  if (!shapesEqual(pos.shape, neg.shape)) {
    throw new Error(`${op}: positive scores ${fmtShape(pos.shape)} and negative scores ${fmtShape(neg.shape)} must have the same shape (one negative per triple)`);
  }
  if (pos.size === 0) throw new Error(`${op}: no triples (scores ${fmtShape(pos.shape)})`);
  const be = backendOf(op, pos, neg);
  const B = pos.size;
  const d = binaryRaw('sub', neg, pos); // s_uj − s_ui
  const s = softplusTotal(d);
  const loss = binaryRaw('div', s, scalarOn(be, B, pos.dtype));
  s.dispose();
  recordOp(op, [pos, neg], loss, (dy) => {
    const g = binaryRaw('mul', unaryRaw('sigmoid', d), perRow(dy, B)); // σ(s_uj − s_ui)/B
    return [pos.requiresGrad ? unaryRaw('neg', g) : null, neg.requiresGrad ? g : null];
  });
  if (!loss.requiresGrad) d.dispose();
  return loss;
}

export const bprLoss = typed('bprLoss', {
  'Tensor, Tensor': bprLossImpl,
}) as (pos: Tensor, neg: Tensor) => Tensor;
