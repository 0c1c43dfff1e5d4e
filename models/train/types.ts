/** What training consumes: batches (the one Batch type, from datasets) and the model contract. */
import type { Tensor } from '../../core/tensor.js';
import type { Module } from '../nn/module.js';
import type { Batch, Column } from '../../datasets/iterators/batch.js';

export type { Batch } from '../../datasets/iterators/batch.js';
/** @deprecated the same as sg.datasets' Column */
export type InputArray = Column;

/** Something that yields batches, once per epoch (iterables are re-iterated each epoch). */
export type BatchSource = Iterable<Batch> | AsyncIterable<Batch> | { reset(): void } & (Iterable<Batch> | AsyncIterable<Batch>);

/** One training forward pass: the loss and the predictions of a batch, from one call. */
export interface StepOutput {
  /** the scalar loss to minimise */
  loss: Tensor;
  /** the predictions it was computed from (the loop's metrics read them via predictionValues) */
  pred: Tensor;
  /**
   * What the step changes in the model once its update is applied — the VAE's β schedule
   * counts updates, DSSM marks its positive items as seen. The loop calls it after the
   * optimizer step, and not after a step mixed precision skipped.
   */
  afterUpdate?: () => void;
}

/**
 * The contract between a model and the training loop. A model keeps nothing between
 * calls: whatever the loss needs from the forward pass (μ and logσ², tower vectors, sampled
 * candidates) stays inside `trainingStep`.
 */
export interface Trainable extends Module {
  /** Predictions (or logits) for a batch; no labels needed (predict, evaluate, a custom loss). */
  forwardBatch(batch: Batch): Tensor;
  /** The training forward pass: the loss and the predictions of a batch. */
  trainingStep(batch: Batch): StepOutput;
  /** Predictions as values comparable to the labels (e.g. argmax class → rating). */
  predictionValues(pred: Tensor): Float32Array;
}
