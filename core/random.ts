/**
 * Named random streams. Every source of randomness (initialisation, shuffling, negative
 * sampling, dropout, the VAE's noise) draws from its own named stream derived from one run
 * seed, so a whole run repeats bit for bit, and adding draws to one stream does not shift
 * another. Built on seedrandom's Alea generator (fast, good quality, serialisable state).
 */
import seedrandom from 'seedrandom';

export interface RandomStream {
  readonly name: string;
  /** uniform in [0, 1) */
  next(): number;
  /** uniform integer in [0, n) */
  int(n: number): number;
  /** standard normal (Box–Muller, both values used) */
  normal(): number;
  /** Fisher–Yates shuffle in place */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T;
  /** generator state (JSON), to save and resume: `randomStream(name, seed, state)` continues it */
  state(): object;
}

let runSeed: string = '0';

/** Sets the seed every later stream derives from. */
export function setSeed(seed: number | string): void {
  runSeed = String(seed);
  resetStreams();
}

export function getSeed(): string {
  return runSeed;
}

/** A stream called `name`, seeded from `seed` (default: the run seed) and the name. */
export function randomStream(name: string, seed?: number | string, state?: object): RandomStream {
  const base = seed === undefined ? runSeed : String(seed);
  // a saved state is {prng, spare} (the normal() value Box–Muller made but not yet handed out);
  // a bare Alea state (what state() returned before) still works
  const saved = state as { prng?: object; spare?: number | null } | undefined;
  const prngState = saved && 'prng' in saved ? saved.prng : state;
  const prng = seedrandom.alea(`${base}/${name}`, (prngState ? { state: prngState } : { state: true }) as { state: true }) as
    seedrandom.StatefulPRNG<seedrandom.State.Alea>;
  let spare: number | null = saved && 'prng' in saved && typeof saved.spare === 'number' ? saved.spare : null;
  return {
    name,
    next: () => prng(),
    int: (n: number) => Math.floor(prng() * n),
    normal(): number {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = prng();
      const v = prng();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(prng() * (i + 1));
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
      }
      return a;
    },
    state: () => ({ prng: prng.state(), spare }),
  };
}

const runStreams = new Map<string, RandomStream>();

/**
 * The run's persistent stream called `name` (e.g. 'init', 'shuffle', 'dropout'): every
 * call returns the same stream until `setSeed` starts a new run.
 */
export function stream(name: string): RandomStream {
  let s = runStreams.get(name);
  if (!s) {
    s = randomStream(name);
    runStreams.set(name, s);
  }
  return s;
}

/** The state of every run stream made so far, by name (what a checkpoint saves to resume a run). */
export function runStreamStates(): Record<string, object> {
  return Object.fromEntries([...runStreams].map(([name, s]) => [name, s.state()]));
}

/** Continues the run streams from saved states (the run seed must be the one they were made under). */
export function restoreRunStreams(states: Record<string, object>): void {
  for (const [name, st] of Object.entries(states)) runStreams.set(name, randomStream(name, undefined, st));
}

/** Forgets the run streams (called by setSeed). */
export function resetStreams(): void {
  runStreams.clear();
}
