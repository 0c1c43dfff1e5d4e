/**
 * ImplicitMF: matrix factorization for implicit feedback ("clicked / did not"), the seed
 * talk's binary model. Same tables as MatrixFactorization, but the output is a logit:
 *
 *   P(user u interacts with item i) = σ(p_u · q_i + b_i + b_u + b)
 *
 * Two losses (`loss` in the config, saved with it):
 *
 *   'logistic' (default)  bceWithLogits(logits, labels), labels 1 for positives, 0 for sampled
 *                         negatives: batches from `sg.datasets.NegativeSamplingIterator(data,
 *                         {sampleRatio: 5})`, every positive followed by 5 items the user has
 *                         not touched, labelled 0.
 *   'bpr'                 Rendle et al. (2009), pairwise: for triples (u, i⁺, j⁻) from
 *                         `sg.datasets.PairwiseSamplingIterator`, bprLoss(s_ui, s_uj) = mean
 *                         −log σ(s_ui − s_uj) with s_ui = p_u · q_i + b_i. b_u and b cancel in
 *                         the difference, so they are not in the graph (they stay 0); the item
 *                         bias still learns popularity, since a popular item is more often i⁺
 *                         than j⁻.
 *
 * Either way the gradients are row-sparse: the dot products are gatherDot (the fused row
 * kernel), the item biases gathers with sparseGrad. Ranking is by the logit (σ is monotone).
 */
import type { Tensor } from '../core/tensor.js';
import { noGrad, tidy } from '../core/engine.js';
import { bceWithLogits } from '../ops/losses.js';
import { bprLoss } from '../ops/recsys-losses.js';
import { sigmoid, add, mul, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { matmul } from '../ops/matmul.js';
import { gather } from '../ops/gather.js';
import { gatherDot } from '../ops/fused.js';
import { reshape } from '../ops/layout.js';
import { tensor } from '../ops/creation.js';
import { MatrixFactorization, type MFConfig } from './mf.js';
import { checkLoss, denseLabels, tripleInputs } from './inputs.js';
import type { Batch, StepOutput } from './train/types.js';
import { autocastDtype, float32 } from './nn/autocast.js';

export const IMPLICIT_LOSSES = ['logistic', 'bpr'] as const;
export type ImplicitLoss = typeof IMPLICIT_LOSSES[number];

export interface ImplicitMFConfig extends MFConfig {
  /** 'logistic' (default: positives and sampled negatives, 0/1 labels) or 'bpr' (triples, pairwise) */
  loss?: ImplicitLoss;
}

export class ImplicitMF extends MatrixFactorization {
  declare readonly config: MatrixFactorization['config'] & { loss: ImplicitLoss };

  constructor(cfg: ImplicitMFConfig) {
    // defaults for implicit data: biases on (popularity), more factors, a larger init
    super({ dim: 32, biases: true, initStd: 0.05, ...cfg });
    const loss = cfg.loss ?? 'logistic';
    checkLoss('ImplicitMF', loss, IMPLICIT_LOSSES);
    this.config.loss = loss;
  }

  /**
   * Logistic: prediction the logits, loss bceWithLogits against 0/1 labels.
   * BPR: prediction s_ui − s_uj per triple (σ of it = P(i⁺ ranks above j⁻)), loss bprLoss.
   */
  override trainingStep(batch: Batch): StepOutput {
    if (this.config.loss === 'bpr') {
      const { users, pos, neg } = tripleInputs('ImplicitMF', batch);
      const sp = float32(this.rankScores(users, pos));
      const sn = float32(this.rankScores(users, neg));
      return { pred: sub(sp, sn), loss: bprLoss(sp, sn) };
    }
    const labels = denseLabels('ImplicitMF', batch);
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 0 && labels[i] !== 1) {
        throw new Error(`ImplicitMF: labels must be 0 or 1 (implicit feedback), found ${labels[i]} at row ${i}; use toImplicit/binaryLabels or NegativeSamplingIterator`);
      }
    }
    const pred = float32(this.forwardBatch(batch));
    return { pred, loss: bceWithLogits(pred, tensor(labels, [pred.size])) };
  }

  /** p_u · q_i (+ b_i): the part of the logit that differs between a user's items (BPR's score). */
  rankScores(users: Int32Array, items: Int32Array): Tensor {
    const sg = this.config.sparseGrad;
    const dot = autocastDtype()
      ? sum(mul(this.user.forward(users), this.item.forward(items)), 1)
      : gatherDot(this.user.weight, this.item.weight, users, items, { sparseGrad: sg });
    return this.itemBias ? add(dot, gather(this.itemBias, items, { sparseGrad: sg })) : dot;
  }

  /** P(interaction) per pair (logistic), P(i⁺ above j⁻) per triple (BPR's training predictions). */
  override predictionValues(pred: Tensor): Float32Array {
    return Float32Array.from(noGrad(() => sigmoid(pred)).dataSync());
  }

  /** Logits [users × numItems] for a batch of users (one matmul, for evaluateRanking). */
  scoreBatch(users: Int32Array): Float32Array {
    for (const u of users) this.checkUser(u);
    return noGrad(() => tidy(() => {
      let s = matmul(this.user.forward(users), this.item.weight, { transposeB: true });
      // the same score as scoreItems: with biases, item + user + global terms (the last two do not change a ranking)
      if (this.itemBias) s = add(add(add(s, this.itemBias), reshape(gather(this.userBias!, users), [users.length, 1])), this.globalBias!);
      return Float32Array.from(s.dataSync());
    }));
  }
}
