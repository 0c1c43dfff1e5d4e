/**
 * ImplicitMF: matrix factorization for implicit feedback ("clicked / did not"), the seed
 * talk's binary model. Same tables as MatrixFactorization, but the output is a logit:
 *
 *   P(user u interacts with item i) = σ(p_u · q_i + b_i + b_u + b)
 *   loss = bceWithLogits(logits, labels)      labels 1 for positives, 0 for sampled negatives
 *
 * There are no observed negatives in implicit data, so training pairs come from
 * `sg.datasets.NegativeSamplingIterator(data, {sampleRatio: 5})`: every positive is followed
 * by 5 items the user has not touched, labelled 0. The item bias learns popularity; the
 * factors learn taste beyond it. Ranking is by the logit (σ is monotone).
 */
import type { Tensor } from '../core/tensor.js';
import { noGrad, tidy } from '../core/engine.js';
import { bceWithLogits } from '../ops/losses.js';
import { sigmoid, add } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { gather } from '../ops/gather.js';
import { reshape } from '../ops/layout.js';
import { tensor } from '../ops/creation.js';
import { MatrixFactorization, type MFConfig } from './mf.js';
import { denseLabels } from './inputs.js';
import type { Batch, StepOutput } from './train/types.js';
import { float32 } from './nn/autocast.js';

export interface ImplicitMFConfig extends MFConfig {}

export class ImplicitMF extends MatrixFactorization {
  constructor(cfg: ImplicitMFConfig) {
    // defaults for implicit data: biases on (popularity), more factors, a larger init
    super({ dim: 32, biases: true, initStd: 0.05, ...cfg });
  }

  /** Prediction: the logits; loss: logistic (bceWithLogits) against 0/1 labels. */
  override trainingStep(batch: Batch): StepOutput {
    const labels = denseLabels('ImplicitMF', batch);
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] !== 0 && labels[i] !== 1) {
        throw new Error(`ImplicitMF: labels must be 0 or 1 (implicit feedback), found ${labels[i]} at row ${i}; use toImplicit/binaryLabels or NegativeSamplingIterator`);
      }
    }
    const pred = float32(this.forwardBatch(batch));
    return { pred, loss: bceWithLogits(pred, tensor(labels, [pred.size])) };
  }

  /** P(interaction) per pair. */
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
