/** Model classes by name, so a checkpoint can rebuild the model it was saved from. */
import type { Recommender } from './recommender.js';

export type Factory = (config: Record<string, unknown>) => Recommender;
const factories = new Map<string, Factory>();

export function registerModel(name: string, factory: Factory): void {
  factories.set(name, factory);
}

export function buildModel(name: string, config: Record<string, unknown>): Recommender {
  const f = factories.get(name);
  if (!f) throw new Error(`checkpoint: unknown model class '${name}' (known: ${[...factories.keys()].join(', ')})`);
  return f(config);
}

export function modelNames(): string[] {
  return [...factories.keys()];
}
