/**
 * Dropout: in training, zero each element with probability p and scale the survivors by
 * 1/(1−p) so the expected activation is unchanged; in evaluation, the identity. Masks come
 * from the run's 'dropout' stream, so a seeded run repeats exactly. Works on dense tensors
 * and on CSR batches (dropping stored entries, as Mult-VAE drops input items).
 */
import type { Tensor } from '../../core/tensor.js';
import { CSR } from '../../core/csr.js';
import { Module } from './module.js';
import { stream } from '../../core/random.js';
import { tensor } from '../../ops/creation.js';
import { mul } from '../../ops/elementwise.js';

export class Dropout extends Module {
  readonly p: number;

  constructor(p = 0.5) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
    this.p = p;
  }

  forward(x: Tensor): Tensor;
  forward(x: CSR): CSR;
  forward(x: Tensor | CSR): Tensor | CSR {
    if (!this.training || this.p === 0) return x;
    const rng = stream('dropout');
    const keep = 1 - this.p;
    if (x instanceof CSR) {
      const values = new Float32Array(x.nnz);
      for (let i = 0; i < x.nnz; i++) values[i] = rng.next() < keep ? x.values[i] / keep : 0;
      return new CSR(x.indptr, x.indices, values, x.shape, false);
    }
    const mask = new Float32Array(x.size);
    for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < keep ? 1 / keep : 0;
    return mul(x, tensor(mask, x.shape, x.dtype === 'float64' ? 'float64' : 'float32'));
  }
}
