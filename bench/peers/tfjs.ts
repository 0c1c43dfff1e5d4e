/**
 * The TF.js side of the peers benchmark, in this process: @tensorflow/tfjs with the
 * WebAssembly backend (@tensorflow/tfjs-backend-wasm). Both are optional and not
 * dependencies of sparsegrad: they are looked up in node_modules, then in the folder
 * SPARSEGRAD_PEERS_DIR names, then in .cache/peers/ of the working directory — e.g.
 *
 *   npm install --no-save --prefix .cache/peers @tensorflow/tfjs @tensorflow/tfjs-backend-wasm
 *
 * and where none has them the benchmark skips TF.js.
 *
 * Embedding lookups: TF.js's own gather gradient is an UnsortedSegmentSum, which the wasm
 * backend does not have (and the cpu backend takes minutes per step at these table sizes),
 * so the tables use a custom gradient that scatters the rows' gradients with scatterND
 * (duplicates summed) into a dense table-sized gradient — what TF.js's optimizers update.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

// the few TF.js entry points used here (TF.js is not a dependency, so no types from it)
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Tf = any;

let loaded: Promise<Tf> | null = null;

function requireFrom(dir: string): NodeJS.Require {
  return createRequire(join(dir, 'package.json'));
}

async function load(): Promise<Tf> {
  const places = [process.cwd(), process.env.SPARSEGRAD_PEERS_DIR, join(process.cwd(), '.cache', 'peers')].filter((d): d is string => !!d);
  const tried: string[] = [];
  for (const dir of places) {
    const req = requireFrom(dir);
    try {
      const tf = req('@tensorflow/tfjs');
      req('@tensorflow/tfjs-backend-wasm');
      await tf.setBackend('wasm');
      await tf.ready();
      return tf;
    } catch (err) {
      tried.push(`${dir}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`TF.js (@tensorflow/tfjs + @tensorflow/tfjs-backend-wasm) not installed; looked in ${tried.join('; ')}`);
}

/** TF.js on its wasm backend (loaded on first call), or a rejection saying why not. */
export function tfjs(): Promise<Tf> {
  if (!loaded) {
    loaded = load();
    loaded.catch(() => {});
  }
  return loaded;
}

/** gather(table, ids) whose gradient is scatterND (dense, duplicates summed): see above. */
export function gatherRows(tf: Tf): (table: Tf, ids: Tf) => Tf {
  return tf.customGrad((table: Tf, ids: Tf, save: (ts: Tf[]) => void) => {
    save([ids]);
    return {
      value: tf.gather(table, ids),
      gradFunc: (dy: Tf, [saved]: Tf[]) => [tf.scatterND(saved.expandDims(1), dy, table.shape), tf.zerosLike(saved)],
    };
  });
}
