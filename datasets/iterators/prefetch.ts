/**
 * prefetch: builds the next batch(es) while the current one trains.
 *
 *   for await (const b of prefetch(iterator)) await trainStep(b);
 *
 * JavaScript has one thread, so "while" means "while the training step waits": the next
 * batch is built in a macrotask queued as soon as the current one is handed out, and runs
 * whenever the consumer awaits something that really waits (a GPU readback, I/O, a
 * timer). A step that is synchronous CPU work from start to end leaves no gap, and then
 * prefetch cannot help (see the measurements in test/datasets/perf/prefetch.ts).
 */

const later: (f: () => void) => void =
  typeof setImmediate === 'function' ? (f) => setImmediate(f) : (f) => setTimeout(f, 0);

export interface PrefetchOptions {
  /** batches prepared ahead (default 1) */
  depth?: number;
}

export async function* prefetch<T>(source: Iterable<T> | AsyncIterable<T>, opts: PrefetchOptions = {}): AsyncGenerator<T, void, undefined> {
  const depth = Math.max(1, opts.depth ?? 1);
  const it: Iterator<T> | AsyncIterator<T> =
    Symbol.asyncIterator in source ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
  // pulls are chained so the source is always advanced one call at a time, in order
  let chain: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<IteratorResult<T>> => {
    const p = chain.then(() => new Promise<IteratorResult<T>>((resolve, reject) => {
      later(() => {
        try {
          Promise.resolve(it.next()).then(resolve, reject);
        } catch (e) {
          reject(e);
        }
      });
    }));
    chain = p.catch(() => {});
    return p;
  };
  const queue: Promise<IteratorResult<T>>[] = [];
  for (let k = 0; k < depth; k++) queue.push(pull());
  try {
    for (;;) {
      const r = await queue.shift()!;
      if (r.done) return;
      queue.push(pull());
      yield r.value;
    }
  } finally {
    // stop early (break, an error in the loop body): let pending pulls settle quietly
    for (const p of queue) p.catch(() => {});
    await it.return?.();
  }
}
