/**
 * Model classes by name, so a checkpoint can rebuild the model it was saved from.
 *
 * A checkpoint stores the model's *registered* name, found from its class, never the class's
 * `constructor.name`: bundlers and minifiers rename classes (esbuild compiles a class that
 * names itself as `class _MultVAE`), and a renamed class would write a checkpoint nothing can
 * load. `registerModel('MyModel', (config) => new MyModel(config), MyModel)` makes a model of
 * your own saveable and loadable; without the class, saving falls back to its constructor's
 * name (what checkpoints stored before names were registered).
 */
import type { Recommender } from './recommender.js';

export type Factory = (config: Record<string, unknown>) => Recommender;
const factories = new Map<string, Factory>();
const names = new Map<Function, string>();

export function registerModel(name: string, factory: Factory, cls?: abstract new (...args: never[]) => Recommender): void {
  factories.set(name, factory);
  if (cls) names.set(cls, name);
}

export function buildModel(name: string, config: Record<string, unknown>): Recommender {
  const f = factories.get(name);
  if (!f) throw new Error(`checkpoint: unknown model class '${name}' (known: ${[...factories.keys()].join(', ')})`);
  return f(config);
}

/** The name a model is saved under: its class's registered name (else its constructor's name). */
export function registeredName(model: object): string {
  return names.get(model.constructor) ?? model.constructor.name;
}

export function modelNames(): string[] {
  return [...factories.keys()];
}
