/** Reading named inputs out of a batch, with errors that name the model and the input. */
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
