/**
 * `train --resume`: the CLI writes, after every completed epoch, a resumable checkpoint of
 * that epoch next to `--out` (`<out>.resume`: weights, optimizer, and the training state —
 * epoch, shuffle and random streams, early-stopping and best-checkpoint counters; see
 * models/train/resume.ts). `--out` itself holds the best epoch, which may be older; resuming
 * continues from the last one, so a run stopped after epoch k and resumed ends bit for bit
 * where the uninterrupted run would have.
 */
import * as sg from '../index.js';
import { UsageError, type OptionSpec } from './args.js';

export const RESUME_OPTION: OptionSpec = {
  name: 'resume', type: 'flag',
  help: 'continue the run whose last epoch is in <out>.resume (same data, model options and seed; --epochs counts the whole run)',
};

export const resumePath = (out: string): string => `${out}.resume`;

/** A callback writing `<out>.resume` after each epoch; put it after the others (their state is saved as it is then). */
export function resumeCheckpoint(model: () => sg.models.Recommender, out: string, extra: () => sg.SaveOptions = () => ({})): sg.train.Callback {
  return {
    onEpochEnd: (_logs, ctx) => {
      sg.save(model(), resumePath(out), { ...extra(), optimizer: ctx.optimizer, training: ctx.trainingState?.() });
    },
  };
}

/** The saved model to continue: checked to be the model these options build, with an optimizer and training state. */
export function resumeFrom(out: string, fresh: sg.models.Recommender, optimizer: string): sg.LoadedModel {
  const path = resumePath(out);
  let saved: sg.LoadedModel;
  try {
    saved = sg.load(path);
  } catch (e) {
    throw new Error(`train --resume: cannot resume from ${path}: ${(e as Error).message}`);
  }
  if (saved.constructor !== fresh.constructor || JSON.stringify(saved.config) !== JSON.stringify(fresh.config)) {
    saved.dispose();
    throw new UsageError(`train --resume: ${path} holds a ${saved.constructor.name} with config ${JSON.stringify(saved.config).slice(0, 300)}; ` +
      `these options make a ${fresh.constructor.name} with ${JSON.stringify(fresh.config).slice(0, 300)} (give the options of the saved run)`);
  }
  if (!saved.restoredOptimizer || saved.trainingState === undefined) {
    throw new UsageError(`train --resume: ${path} has no optimizer or training state to resume`);
  }
  const cls = { adam: sg.optim.Adam, sgd: sg.optim.SGD, adagrad: sg.optim.AdaGrad }[optimizer];
  if (!cls || !(saved.restoredOptimizer instanceof cls)) throw new UsageError(`train --resume: ${path} was trained with another optimizer than --optimizer ${optimizer}`);
  saved.meta = fresh.meta;
  fresh.dispose();
  return saved;
}

/** The first epoch a resumed run trains (its checkpoint's next epoch). */
export const resumedAt = (m: sg.LoadedModel): number => (m.trainingState as { epoch: number }).epoch;
