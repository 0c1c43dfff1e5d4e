// Is movielensLike learnable? Plain-JS biased MF with SGD on a 90/10 holdout, vs predicting the mean.
//   node test/datasets/perf/run.mjs learnable [preset=ml1m]
import { movielensLike } from '../../../datasets/synthetic/movielens.js';
import { holdout } from '../../../datasets/splits.js';
import { randomStream } from '../../../core/random.js';
import type { PresetName } from '../../../datasets/synthetic/presets.js';

const preset = (process.argv[2] ?? 'ml1m') as PresetName;
const ds = movielensLike({ preset, seed: 1 });
const { train, valid } = holdout(ds, { trainFraction: 0.9, seed: 1 });
let mu = 0;
for (const r of train.ratings) mu += r;
mu /= train.ratings.length;
const rmse = (pred: (u: number, i: number) => number) => {
  let se = 0;
  for (let e = 0; e < valid.ratings.length; e++) se += (valid.ratings[e] - pred(valid.users[e], valid.items[e])) ** 2;
  return Math.sqrt(se / valid.ratings.length);
};
console.log(`${ds.name}: mean predictor valid RMSE ${rmse(() => mu).toFixed(4)}`);
const k = 16;
const rng = randomStream('mf', 1);
const P = Float32Array.from({ length: ds.numUsers * k }, () => 0.1 * rng.normal());
const Q = Float32Array.from({ length: ds.numItems * k }, () => 0.1 * rng.normal());
const bu = new Float32Array(ds.numUsers);
const bi = new Float32Array(ds.numItems);
const predict = (u: number, i: number) => {
  let d = mu + bu[u] + bi[i];
  for (let f = 0; f < k; f++) d += P[u * k + f] * Q[i * k + f];
  return d;
};
const order = Int32Array.from({ length: train.ratings.length }, (_, e) => e);
const lr = 0.01;
const reg = 0.05;
for (let epoch = 0; epoch < 15; epoch++) {
  rng.shuffle(order);
  for (const e of order) {
    const u = train.users[e];
    const i = train.items[e];
    const err = train.ratings[e] - predict(u, i);
    bu[u] += lr * (err - reg * bu[u]);
    bi[i] += lr * (err - reg * bi[i]);
    for (let f = 0; f < k; f++) {
      const pu = P[u * k + f];
      const qi = Q[i * k + f];
      P[u * k + f] += lr * (err * qi - reg * pu);
      Q[i * k + f] += lr * (err * pu - reg * qi);
    }
  }
  if (epoch % 5 === 4) console.log(`epoch ${epoch + 1}: biased MF (k=${k}) valid RMSE ${rmse(predict).toFixed(4)}; biases only ${rmse((u, i) => mu + bu[u] + bi[i]).toFixed(4)}`);
}
