/** What training consumes: batches of named typed-array inputs plus labels. */
import type { CSR } from '../../core/csr.js';
import type { Tensor } from '../../core/tensor.js';
import type { Module } from '../nn/module.js';

export type InputArray = Int32Array | Float32Array;

/** One batch: named inputs (ids, features, CSR rows) and labels, `size` real rows. */
export interface Batch {
  inputs: Record<string, InputArray | CSR>;
  label?: Float32Array | CSR;
  /** rows that are real samples (the rest, if any, is padding) */
  size?: number;
  pad?: number;
}

/** Something that yields batches, once per epoch (iterables are re-iterated each epoch). */
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch> | { reset(): void } & (Iterable<Batch> | AsyncIterable<Batch>);

/** The contract between a model and `fit`. */
export interface Trainable extends Module {
  /** Predictions (or logits) for a batch. */
  forwardBatch(batch: Batch): Tensor;
  /** The training loss for those predictions. */
  computeLoss(pred: Tensor, batch: Batch): Tensor;
  /** Predictions as values comparable to the labels (e.g. argmax class → rating). */
  predictionValues(pred: Tensor): Float32Array;
}
