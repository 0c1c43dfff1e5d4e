/** Weight initialisers, drawing from the run's 'init' stream unless a seed is given. */
import { chargeAllocation } from '../../core/budget.js';
import { randomStream, stream, type RandomStream } from '../../core/random.js';
import { sizeOf } from '../../core/shape.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../core/tensor.js';

export type Init =
  | { kind: 'normal'; std: number }
  | { kind: 'uniform'; scale: number }
  | { kind: 'glorot' }
  | { kind: 'zeros' };

function rng(seed?: number): RandomStream {
  return seed === undefined ? stream('init') : randomStream('init', seed);
}

export function initTensor(shape: readonly number[], init: Init, seed?: number): Tensor {
  const n = sizeOf(shape);
  chargeAllocation(n, 4, `initTensor ${JSON.stringify(shape)}`);
  const values = new Float32Array(n);
  if (init.kind !== 'zeros') {
    const r = rng(seed);
    if (init.kind === 'normal') for (let i = 0; i < n; i++) values[i] = init.std * r.normal();
    else {
      // Glorot/Xavier uniform: keeps activation variance stable across layers
      const scale = init.kind === 'uniform' ? init.scale : Math.sqrt(6 / (shape[0] + (shape[1] ?? 1)));
      for (let i = 0; i < n; i++) values[i] = (2 * r.next() - 1) * scale;
    }
  }
  return tensor(values, shape, 'float32');
}
