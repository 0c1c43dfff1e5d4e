/**
 * Resumable training: what a checkpoint must hold besides weights and optimizer state so
 * that a run stopped after epoch k and resumed gives **bit for bit** the weights of a run
 * that never stopped — even with shuffling, dropout and sampled negatives:
 *
 *   - the next epoch's number;
 *   - the data source's state (`state()` of a BatchIterator, NegativeSamplingIterator or
 *     UserRowIterator: its shuffle stream, so epoch k+1 gets the same order);
 *   - every run random stream (`sg.setSeed` streams: dropout, the VAE's noise, …);
 *   - the divergence guard's best and first loss, the callbacks' own state (EarlyStopping's
 *     patience count, a learning-rate schedule's base rate), keepBest's best value so far.
 *
 * `ctx.trainingState()` (in a callback's onEpochEnd) returns it as plain JSON; the CLI saves
 * it with `sg.save(model, path, {optimizer, training})`, and `fit(…, {resume:
 * loaded.trainingState, optimizer: loaded.restoredOptimizer})` continues. Checkpoints are
 * written at epoch ends, so runs resume at an epoch boundary.
 */
import { getSeed, restoreRunStreams, runStreamStates } from '../../core/random.js';
import type { DivergenceGuard, DivergenceState } from './divergence.js';
import type { WeightAverage, WeightAverageState } from './ema.js';

export const TRAINING_STATE_VERSION = 1;

/** Something whose state a checkpoint can carry (iterators, callbacks). */
export interface Stateful {
  state(): unknown;
  restore(state: unknown): void;
}

export const isStateful = (x: unknown): x is Stateful =>
  typeof x === 'object' && x !== null && typeof (x as Stateful).state === 'function' && typeof (x as Stateful).restore === 'function';

export interface TrainingState {
  version: number;
  /** the epoch a resumed run starts with */
  epoch: number;
  /** the run seed the streams were made under (sg.setSeed) */
  seed: string;
  streams: Record<string, object>;
  /** the data source's state(), when it has one */
  data?: unknown;
  guard?: DivergenceState | null;
  /** per callback (by position): its state(), or null */
  callbacks?: (unknown | null)[];
  /** keepBest's best value and epoch so far */
  best?: { value: number; epoch: number } | null;
  /** the weight average's update count (its sums are optimizer state), when the run averages */
  ema?: WeightAverageState;
}

export interface ResumeParts {
  source: unknown;
  guard: DivergenceGuard | null;
  callbacks: readonly unknown[];
  ema?: WeightAverage | null;
}

/** The state after `epoch` finished (the next run starts at epoch + 1). */
export function captureState(epoch: number, parts: ResumeParts, best: { value: number; epoch: number } | null): TrainingState {
  return {
    version: TRAINING_STATE_VERSION,
    epoch: epoch + 1,
    seed: getSeed(),
    streams: runStreamStates(),
    data: isStateful(parts.source) ? parts.source.state() : undefined,
    guard: parts.guard ? parts.guard.state() : null,
    callbacks: parts.callbacks.map((c) => (isStateful(c) ? c.state() : null)),
    best,
    ...(parts.ema ? { ema: parts.ema.state() } : {}),
  };
}

/**
 * Applies a saved state to a new run's parts: checks it first (it came from a file), then
 * restores streams, data source, guard and callbacks. Returns where to start.
 */
export function applyState(raw: unknown, parts: ResumeParts, caller: string, epochs: number): { epoch: number; best: TrainingState['best'] } {
  const fail = (why: string): never => { throw new Error(`${caller}: cannot resume: ${why}`); };
  if (typeof raw !== 'object' || raw === null) fail('the training state is missing or not an object (was the checkpoint saved with {training}?)');
  const s = raw as TrainingState;
  if (s.version !== TRAINING_STATE_VERSION) fail(`training state version ${JSON.stringify(s.version)}; this sparsegrad reads ${TRAINING_STATE_VERSION}`);
  if (!(Number.isSafeInteger(s.epoch) && s.epoch >= 1)) fail(`the saved next epoch ${JSON.stringify(s.epoch)} is not a positive integer`);
  if (s.epoch >= epochs) fail(`the checkpoint has finished ${s.epoch} epoch(s) already; ask for more than ${s.epoch} epochs in all`);
  if (typeof s.seed !== 'string' || s.seed !== getSeed()) {
    fail(`it was trained with seed ${JSON.stringify(s.seed)} but this run's seed is ${JSON.stringify(getSeed())} (set the same seed: sg.setSeed / --seed)`);
  }
  if (typeof s.streams !== 'object' || s.streams === null) fail('the random streams are missing');
  if (s.data !== undefined && s.data !== null) {
    if (!isStateful(parts.source)) fail('the checkpoint holds a data iterator state but this run\'s data has no restore() (use a BatchIterator or another sparsegrad iterator)');
    (parts.source as Stateful).restore(s.data);
  }
  if (parts.guard && s.guard) parts.guard.restore(s.guard);
  if (s.callbacks !== undefined) {
    if (!Array.isArray(s.callbacks)) fail('the callbacks\' state is not a list');
    parts.callbacks.forEach((c, i) => {
      const cs = s.callbacks![i];
      if (cs !== null && cs !== undefined && isStateful(c)) c.restore(cs);
    });
  }
  if (parts.ema) parts.ema.restore(s.ema, caller);
  else if (s.ema !== undefined && s.ema !== null) fail(`the checkpoint averaged the weights (ema ${JSON.stringify(s.ema.decay)}); give the same ema to continue it`);
  restoreRunStreams(s.streams);
  const best = s.best && Number.isFinite(s.best.value) && Number.isSafeInteger(s.best.epoch) ? s.best : null;
  return { epoch: s.epoch, best };
}
