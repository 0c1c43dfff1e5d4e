/**
 * A backend with only the primitives (core/kernels.ts `primitivesOnly`: the CPU backend with
 * every acceleration hidden) trains MF, DeepMF and Mult-VAE — and the other trained families
 * (ImplicitMF, EmbeddingModel with lazy SGD + weight decay, DSSM, MultiLabel, AutoEncoder) —
 * and every training step's loss matches the full CPU backend's to float32 rounding. Every
 * op then ran its reference composition instead of the fused kernel — gatherDot and its
 * backward, the dense layer, tanh and sigmoid, the softmax family, the multinomial
 * likelihood, the CSR scatter-add, lazy and dense Adam and SGD — so this checks the split and
 * is where a new backend starts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { ACCELERATIONS, PRIMITIVES, primitivesOnly, type Backend } from '../../core/kernels.js';
import { heldOutUsers } from '../../datasets/heldout.js';
import { perUserHoldout } from '../../datasets/splits.js';
import { NegativeSamplingIterator } from '../../datasets/iterators/negative.js';
import { batches, plantedLowRank } from '../helpers/data.js';
import { matrixOf, planted, topicText } from '../models/planted.js';

sg.engine.registerBackend('cpu-primitives', () => primitivesOnly(sg.engine.getBackendInstance('cpu')!));

const quiet = { verbose: false, progress: false } as const;

/** Runs `train` on a backend after resetting the seed; returns every step's loss. */
async function stepLosses(backend: string, train: (callbacks: sg.train.Callback[]) => Promise<unknown>): Promise<number[]> {
  await sg.setBackend(backend);
  sg.setSeed(7);
  const losses: number[] = [];
  try {
    await train([{ onBatchEnd: (_b, logs) => { losses.push(logs.loss); } }]);
  } finally {
    await sg.setBackend('cpu');
  }
  return losses;
}

function assertClose(minimal: number[], full: number[], tol: number, what: string, fallsOverall = true): void {
  assert.ok(full.length > 5, `${what}: ${full.length} steps`);
  assert.is(minimal.length, full.length, `${what}: same number of steps`);
  for (let i = 0; i < full.length; i++) {
    const rel = Math.abs(minimal[i] - full[i]) / Math.max(Math.abs(full[i]), 1e-6);
    assert.ok(rel <= tol, `${what} step ${i}: loss ${minimal[i]} (primitives only) vs ${full[i]} (full CPU), relative ${rel.toExponential(2)}`);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [first, last] = [mean(full.slice(0, 5)), mean(full.slice(-5))];
  if (fallsOverall) assert.ok(last < first, `${what}: the loss goes down (${first} → ${last})`);
}

test('the view has exactly the primitives', () => {
  const view = primitivesOnly(sg.engine.getBackendInstance('cpu')!) as Backend & Record<string, unknown>;
  for (const k of PRIMITIVES) assert.type(view[k], 'function', k);
  for (const k of ACCELERATIONS) assert.is(view[k], undefined, k);
  // every acceleration but the fused MSE, which saves GPU dispatches: on the CPU its composition is a few passes over a batch
  const gpuOnly = new Set<string>(['mse', 'mseGrad']);
  for (const k of ACCELERATIONS.filter((a) => !gpuOnly.has(a))) {
    assert.type((sg.engine.getBackendInstance('cpu') as unknown as Record<string, unknown>)[k], 'function', `the CPU backend has ${k}`);
  }
});

test('MF (fused gatherDot, biases, lazy Adam) trains on primitives only, with the full backend\'s losses', async () => {
  const data = plantedLowRank(60, 50, 3, 3000, 1);
  const run = (backend: string) => stepLosses(backend, (callbacks) => {
    const model = new sg.models.MatrixFactorization({ numUsers: 60, numItems: 50, dim: 6, biases: true });
    return sg.train.fit(model, batches(data.train, 200, 2), { epochs: 3, optimizer: { name: 'adam', lr: 0.02 }, callbacks, ...quiet });
  });
  assertClose(await run('cpu-primitives'), await run('cpu'), 1e-5, 'MF');
});

test('DeepMF (embeddings, dense relu layers, dense Adam) trains on primitives only, with the full backend\'s losses', async () => {
  const data = plantedLowRank(60, 50, 2, 3000, 4);
  const run = (backend: string) => stepLosses(backend, (callbacks) => {
    const model = new sg.models.DeepMF({ numUsers: 60, numItems: 50, userDim: 8, itemDim: 8, hidden: [16, 16] });
    return sg.train.fit(model, batches(data.train, 200, 5), { epochs: 4, optimizer: { name: 'adam', lr: 0.02 }, callbacks, ...quiet });
  });
  assertClose(await run('cpu-primitives'), await run('cpu'), 1e-5, 'DeepMF');
});

test('Mult-VAE (CSR input, tanh, multinomial likelihood, KL, dropout) trains on primitives only, with the full backend\'s losses', async () => {
  const data = planted({ users: 200, items: 120, seed: 3 });
  const split = heldOutUsers(data, { heldOutUsers: 20, seed: 1 });
  const run = (backend: string) => stepLosses(backend, (callbacks) => {
    const model = new sg.models.MultVAE({ numItems: split.numItems, hidden: [32], latent: 8, totalAnnealSteps: 20 });
    return sg.train.fitRows(model, split.train, { epochs: 3, batchSize: 40, optimizer: { name: 'adam', lr: 3e-3 }, callbacks, ...quiet });
  });
  assertClose(await run('cpu-primitives'), await run('cpu'), 1e-5, 'Mult-VAE');
});

test('the implicit-feedback families train on primitives only, with the full backend\'s losses', async () => {
  const data = planted({ users: 120, items: 80, seed: 5 });
  const { train } = perUserHoldout(data, { fraction: 0.2, seed: 1 });
  const pairs = () => new NegativeSamplingIterator(train, { sampleRatio: 3, batchSize: 128, seed: 1, numUsers: data.numUsers, numItems: data.numItems });
  const text = topicText(data.itemTopic, 6);
  const families: [string, () => sg.train.Trainable, sg.train.FitOptions['optimizer']][] = [
    ['ImplicitMF', () => new sg.models.ImplicitMF({ numUsers: data.numUsers, numItems: data.numItems, dim: 8 }), { name: 'adam', lr: 0.01 }],
    ['EmbeddingModel (lazy SGD + weight decay)', () => new sg.models.EmbeddingModel({ numUsers: data.numUsers, numItems: data.numItems, dim: 8 }), { name: 'sgd', lr: 5, weightDecay: 1e-4 }],
    ['DSSM', () => new sg.models.DSSM({ numUsers: data.numUsers, numItems: data.numItems, vocabSize: text.cols, hidden: [16], dim: 8 },
      { itemFeatures: text, userHistory: matrixOf(train) }), { name: 'adam', lr: 0.01 }],
  ];
  for (const [name, make, optimizer] of families) {
    const run = (backend: string) => stepLosses(backend, (callbacks) => sg.train.fit(make(), pairs(), { epochs: 2, optimizer, metrics: [], callbacks, ...quiet }));
    assertClose(await run('cpu-primitives'), await run('cpu'), 1e-5, name, false);
  }
});

test('the user-row families (MultiLabel, AutoEncoder) train on primitives only, with the full backend\'s losses', async () => {
  const data = planted({ users: 160, items: 100, seed: 6 });
  const split = heldOutUsers(data, { heldOutUsers: 20, seed: 1 });
  const families: [string, () => Parameters<typeof sg.train.fitRows>[0]][] = [
    ['MultiLabel', () => new sg.models.MultiLabel({ numItems: split.numItems, hidden: [16] })],
    ['AutoEncoder', () => new sg.models.AutoEncoder({ numItems: split.numItems, hidden: [16] })],
  ];
  for (const [name, make] of families) {
    const run = (backend: string) => stepLosses(backend, (callbacks) => sg.train.fitRows(make(), split.train, { epochs: 3, batchSize: 40, optimizer: { name: 'adam', lr: 3e-3 }, callbacks, ...quiet }));
    assertClose(await run('cpu-primitives'), await run('cpu'), 1e-5, name, false);
  }
});

test.run();
