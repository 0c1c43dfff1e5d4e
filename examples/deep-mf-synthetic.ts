/**
 * Deep matrix factorization on the seed tutorial's synthetic data: embeddings of user and
 * item concatenated and fed to an MLP 64-relu-64-relu-1. On the random matrix it cannot
 * learn (there is nothing to learn); on the low-rank a·b matrix it learns, though less
 * directly than the dot product, which is exactly the structure of the data.
 *
 *   node scripts/run-example.mjs deep-mf-synthetic
 */
import * as sg from '../index.js';
import { lowRank, randomMatrix } from '../datasets/synthetic/matrix.js';
import { BatchIterator } from '../datasets/iterators/batch.js';
import type { InteractionData } from '../datasets/types.js';

function iter(d: InteractionData, lo: number, hi: number, shuffle: boolean) {
  return new BatchIterator({ inputs: { user: d.users.subarray(lo, hi), item: d.items.subarray(lo, hi) }, label: d.ratings.subarray(lo, hi), batchSize: 1000, shuffle, seed: 0 });
}

export async function runDeepMfSynthetic(opts: { epochs?: number; log?: (l: string) => void; batchNorm?: boolean } = {}) {
  const log = opts.log ?? console.log;
  const out: { name: string; valMse: number[] }[] = [];
  for (const [name, data] of [['random 250×250', randomMatrix()], ['low-rank a·b (k=25)', lowRank()]] as const) {
    sg.setSeed(0);
    log(`\n== DeepMF 64-64-1${opts.batchNorm ? ' + BatchNorm' : ''} on ${name} ==`);
    const model = new sg.models.DeepMF({ numUsers: 250, numItems: 250, userDim: 25, itemDim: 25, hidden: [64, 64], batchNorm: opts.batchNorm });
    const h = await sg.train.fit(model, iter(data, 0, 25000, true), {
      epochs: opts.epochs ?? 10, optimizer: { name: 'adam', lr: 0.005 }, metrics: ['mse'], evalData: iter(data, 25000, 35000, false), batchEndEvery: 0, log, progress: false,
    });
    out.push({ name, valMse: h.epochs.map((e) => e.values['val-mse']) });
  }
  log('\nValidation MSE, first epoch → last epoch:');
  for (const r of out) log(`  ${r.name.padEnd(24)} ${r.valMse[0].toFixed(3)} → ${r.valMse.at(-1)!.toFixed(3)}`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runDeepMfSynthetic({ batchNorm: process.argv.includes('--batchnorm') });
}
