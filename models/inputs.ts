/** Reading named inputs out of a batch (ids, CSR rows, labels, BPR triples), with errors that name the model and the input; checking a loss name. */
import type { CSR } from '../core/csr.js';
import type { Batch } from './train/types.js';

export function idsInput(model: string, batch: Batch, ...names: string[]): Int32Array {
  for (const name of names) {
    const v = batch.inputs[name];
    if (v === undefined) continue;
    if (!(v instanceof Int32Array)) throw new Error(`${model}: input '${name}' must be an Int32Array of indices`);
    return v;
  }
  throw new Error(`${model}: the batch has no input ${names.map((n) => `'${n}'`).join(' or ')} (it has: ${Object.keys(batch.inputs).join(', ')})`);
}

export function csrInput(model: string, batch: Batch, name: string): CSR {
  const v = batch.inputs[name] as CSR | undefined;
  if (!v || (v as { isCSR?: boolean }).isCSR !== true) {
    throw new Error(`${model}: the batch needs a CSR input '${name}' (it has: ${Object.keys(batch.inputs).join(', ')})`);
  }
  return v;
}

export function denseLabels(model: string, batch: Batch): Float32Array {
  if (!(batch.label instanceof Float32Array)) throw new Error(`${model}: the batch has no Float32Array label`);
  return batch.label;
}

/** Throws unless `loss` is one of `valid` (the error names the model). */
export function checkLoss(model: string, loss: unknown, valid: readonly string[]): void {
  if (typeof loss !== 'string' || !valid.includes(loss)) {
    throw new Error(`${model}: unknown loss '${String(loss)}' (valid: ${valid.join(', ')})`);
  }
}

/** The items of a BPR batch's triples: the positive ('item') and the sampled negative ('negative'). */
export function tripleInputs(model: string, batch: Batch): { users: Int32Array; pos: Int32Array; neg: Int32Array } {
  if (batch.inputs.negative === undefined) {
    throw new Error(`${model}: the BPR loss needs triples, a batch with inputs 'user', 'item' and 'negative' (sg.datasets.PairwiseSamplingIterator); ` +
      `this one has: ${Object.keys(batch.inputs).join(', ')}`);
  }
  const users = idsInput(model, batch, 'user', 'customer');
  const pos = idsInput(model, batch, 'item', 'movie', 'song');
  const neg = idsInput(model, batch, 'negative');
  if (pos.length !== users.length || neg.length !== users.length) {
    throw new Error(`${model}: a triple batch needs as many users as items and negatives, got ${users.length}, ${pos.length} and ${neg.length}`);
  }
  return { users, pos, neg };
}
