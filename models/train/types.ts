/** What training consumes: batches (the one Batch type, from datasets) and the model contract. */
import type { Tensor } from '../../core/tensor.js';
import type { Module } from '../nn/module.js';
import type { Batch, Column } from '../../datasets/iterators/batch.js';

export type { Batch } from '../../datasets/iterators/batch.js';
/** @deprecated the same as sg.datasets' Column */
export type InputArray = Column;

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
