/**
 * The webgpu backend through the public API: gradients of the op families equal the CPU's;
 * MF, DeepMF, ImplicitMF, Mult-VAE and DSSM train with every step's loss matching the CPU
 * backend's; a lazy-Adam MF step is a fixed handful of dispatches with no read-back
 * whatever the number of rows it touches; 500 steps keep memory flat; float16 round-trips;
 * info and errors say what is wrong (no adapter, synchronous read without a worker).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { heldOutUsers } from '../../datasets/heldout.js';
import { perUserHoldout } from '../../datasets/splits.js';
import { NegativeSamplingIterator } from '../../datasets/iterators/negative.js';
import { createWebGPUBackend, webgpuInfo, type WebGPUBackend } from '../../backends/webgpu/index.js';
import { batches, plantedLowRank } from '../helpers/data.js';
import { matrixOf, planted, topicText } from '../models/planted.js';
import { backendsOrSkip, fmt, normError, randomInts, randomValues } from './helpers.js';

const p = await backendsOrSkip('test/webgpu/training.test.ts');
const quiet = { verbose: false, progress: false } as const;

type Grads = Record<string, { indices?: number[]; values: Float64Array }>;

/** Variables from fixed values on `backend`; runs `graph`; returns the loss and gradients. */
async function gradsOn(backend: string, graph: (v: Record<string, sg.Tensor>) => sg.Tensor,
  vars: Record<string, [number[], Float32Array]>): Promise<{ loss: number; grads: Grads }> {
  await sg.setBackend(backend);
  const v: Record<string, sg.Tensor> = {};
  for (const [k, [shape, values]] of Object.entries(vars)) v[k] = sg.variable(sg.tensor(values, shape), k);
  const loss = graph(v);
  loss.backward();
  const grads: Grads = {};
  for (const [k, t] of Object.entries(v)) {
    const g = t.grad;
    if (!g) continue;
    grads[k] = g instanceof sg.RowSparse
      ? { indices: Array.from(g.indices), values: Float64Array.from(g.values.dataSync()) }
      : { values: Float64Array.from((g as sg.Tensor).dataSync()) };
  }
  const out = { loss: loss.item(), grads };
  for (const t of Object.values(v)) {
    if (t.grad) (t.grad instanceof sg.RowSparse ? t.grad.values : t.grad).dispose();
    t.dispose();
  }
  return out;
}

async function compareGrads(name: string, graph: (v: Record<string, sg.Tensor>) => sg.Tensor,
  vars: Record<string, [number[], Float32Array]>, tol = 1e-5): Promise<void> {
  const c = await gradsOn('cpu', graph, vars);
  const g = await gradsOn('webgpu', graph, vars);
  await sg.setBackend('cpu');
  assert.ok(Math.abs(c.loss - g.loss) <= tol * Math.max(1, Math.abs(c.loss)), `${name}: loss ${g.loss} vs ${c.loss}`);
  assert.equal(Object.keys(g.grads).sort(), Object.keys(c.grads).sort(), `${name}: same gradients exist`);
  for (const k of Object.keys(c.grads)) {
    assert.equal(g.grads[k].indices, c.grads[k].indices, `${name}: RowSparse indices of ${k}`);
    const err = normError(g.grads[k].values, c.grads[k].values);
    assert.ok(err <= tol, `${name}: grad of ${k} differs by ${fmt(err)}`);
  }
}

const r = (shape: number[], seed: number, lo = -1, hi = 1): [number[], Float32Array] =>
  [shape, randomValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi)];

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

/** Every step's loss on webgpu within `tol` (relative) of the CPU's, and the loss going down. */
async function assertSameTraining(what: string, tol: number, train: (callbacks: sg.train.Callback[]) => Promise<unknown>): Promise<void> {
  const cpu = await stepLosses('cpu', train);
  const gpu = await stepLosses('webgpu', train);
  assert.ok(cpu.length > 5, `${what}: ${cpu.length} steps`);
  assert.is(gpu.length, cpu.length, `${what}: same number of steps`);
  for (let i = 0; i < cpu.length; i++) {
    const rel = Math.abs(gpu[i] - cpu[i]) / Math.max(Math.abs(cpu[i]), 1e-6);
    assert.ok(rel <= tol, `${what} step ${i}: loss ${gpu[i]} (webgpu) vs ${cpu[i]} (cpu), relative ${rel.toExponential(2)}`);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(mean(gpu.slice(-3)) < mean(gpu.slice(0, 3)), `${what}: the loss goes down on webgpu`);
}

if (p) {
  test('gradients: dense layers, activations, reductions, softmax family, layout, gather, CSR matmul, losses', async () => {
    await compareGrads('mlp', (v) => {
      const h = sg.relu(sg.add(sg.matmul(v.x, v.w1), v.b1));
      const t = sg.tanh(sg.matmul(h, v.w2, { transposeB: true }));
      const s = sg.sigmoid(sg.mul(t, v.scale));
      return sg.add(sg.mean(sg.softplus(s)), sg.sum(sg.max(sg.square(t), 1)));
    }, { x: r([9, 7], 1), w1: r([7, 13], 2), b1: r([13], 3), w2: r([5, 13], 4), scale: r([1, 5], 5) });
    await compareGrads('unary and binary', (v) => {
      const a = sg.add(sg.exp(sg.mul(v.a, 0.5)), sg.log(sg.add(sg.abs(v.b), 1)));
      const b = sg.div(sg.sqrt(sg.add(sg.square(v.a), 1)), sg.add(sg.pow(sg.abs(v.b), 1.5), 2));
      const c = sg.maximum(v.a, v.b);
      const d = sg.where(sg.greater(v.a, 0), v.a, sg.neg(v.b));
      return sg.sum(sg.add(sg.add(a, b), sg.add(c, sg.min(d, 0, true))));
    }, { a: r([6, 11], 6), b: r([6, 11], 7) });
    await compareGrads('softmax family', (v) => {
      const pr = sg.softmax(v.x);
      const lp = sg.logSoftmax(v.x);
      return sg.add(sg.add(sg.sum(sg.mul(pr, v.t)), sg.mean(sg.mul(lp, v.t))), sg.sum(sg.logSumExp(v.x)));
    }, { x: r([4, 37], 8, -3, 3), t: r([4, 37], 9) });
    await compareGrads('layout', (v) => {
      const c = sg.concat([v.a, v.b], 1);
      const t = sg.transpose(sg.reshape(c, [3, 2, 9]), [2, 0, 1]);
      const s = sg.slice(t, [1, 0, 0], [5, 3, 2]);
      return sg.sum(sg.mul(s, s));
    }, { a: r([6, 4], 10), b: r([6, 5], 11) });
    const ids = [3, 0, 3, 7, 1, 3];
    await compareGrads('gather (row-sparse and dense)', (v) => {
      const u = sg.gather(v.table, ids);
      const d = sg.gather(v.dense, ids, { sparseGrad: false });
      return sg.mse(sg.sum(sg.mul(u, d), 1), sg.tensor([1, 0, 1, 0, 1, 0]));
    }, { table: r([8, 5], 12), dense: r([8, 5], 13) });
    const x = sg.csr(Int32Array.from([0, 2, 2, 5]), Int32Array.from([1, 4, 0, 2, 4]), Float32Array.from([1, 2, -1, 0.5, 3]), [3, 6]);
    await compareGrads('csr matmul', (v) => {
      const y = sg.add(sg.matmul(x, v.w, { sparseGrad: true }), sg.matmul(x, v.w2));
      return sg.bceWithLogits(sg.sum(y, 1), sg.tensor([1, 0, 1]));
    }, { w: r([6, 4], 14), w2: r([6, 4], 15) });
    await compareGrads('softmax cross-entropy', (v) => sg.softmaxCrossEntropy(sg.matmul(v.x, v.w), sg.tensor(Int32Array.from([0, 2, 1, 2]))),
      { x: r([4, 5], 16), w: r([5, 3], 17) });
  });

  test('MF (gatherDot, biases, lazy Adam) trains on webgpu with the CPU\'s losses', async () => {
    const data = plantedLowRank(60, 50, 3, 3000, 1);
    await assertSameTraining('MF', 1e-4, (callbacks) => {
      const model = new sg.models.MatrixFactorization({ numUsers: 60, numItems: 50, dim: 6, biases: true });
      return sg.train.fit(model, batches(data.train, 200, 2), { epochs: 3, optimizer: { name: 'adam', lr: 0.02 }, callbacks, ...quiet });
    });
  });

  test('DeepMF (embeddings, dense relu layers, dense Adam) trains on webgpu with the CPU\'s losses', async () => {
    const data = plantedLowRank(60, 50, 2, 2000, 4);
    await assertSameTraining('DeepMF', 1e-4, (callbacks) => {
      const model = new sg.models.DeepMF({ numUsers: 60, numItems: 50, userDim: 8, itemDim: 8, hidden: [16, 16] });
      return sg.train.fit(model, batches(data.train, 200, 5), { epochs: 2, optimizer: { name: 'adam', lr: 0.02 }, callbacks, ...quiet });
    });
  });

  test('ImplicitMF (negative sampling, logistic loss) trains on webgpu with the CPU\'s losses', async () => {
    const data = planted({ users: 120, items: 80, seed: 2 });
    const { train } = perUserHoldout(data, { fraction: 0.2, seed: 1 });
    await assertSameTraining('ImplicitMF', 1e-4, (callbacks) => {
      const model = new sg.models.ImplicitMF({ numUsers: data.numUsers, numItems: data.numItems, dim: 8 });
      const it = new NegativeSamplingIterator(train, { sampleRatio: 5, batchSize: 512, seed: 1 });
      return sg.train.fit(model, it, { epochs: 2, optimizer: { name: 'adam', lr: 0.01 }, metrics: [], callbacks, ...quiet });
    });
  });

  test('Mult-VAE (CSR input, tanh, multinomial likelihood, KL, dropout) trains on webgpu with the CPU\'s losses', async () => {
    const data = planted({ users: 160, items: 120, seed: 3 });
    const split = heldOutUsers(data, { heldOutUsers: 20, seed: 1 });
    await assertSameTraining('Mult-VAE', 1e-4, (callbacks) => {
      const model = new sg.models.MultVAE({ numItems: split.numItems, hidden: [32], latent: 8, totalAnnealSteps: 20 });
      return sg.train.fitRows(model, split.train, { epochs: 3, batchSize: 40, optimizer: { name: 'adam', lr: 3e-3 }, callbacks, ...quiet });
    });
  });

  test('DSSM (two towers, bag-of-words CSR, cosine loss) trains on webgpu with the CPU\'s losses', async () => {
    const data = planted({ users: 80, items: 60, seed: 4 });
    const text = topicText(data.itemTopic, 6);
    const { train } = perUserHoldout(data, { fraction: 0.2, seed: 1 });
    await assertSameTraining('DSSM', 2e-4, (callbacks) => {
      const model = new sg.models.DSSM({ numUsers: data.numUsers, numItems: data.numItems, vocabSize: text.cols, hidden: [16], dim: 8 },
        { itemFeatures: text, userHistory: matrixOf(train) });
      const it = new NegativeSamplingIterator(train, { sampleRatio: 3, batchSize: 512, seed: 1, numUsers: data.numUsers, numItems: data.numItems });
      return sg.train.fit(model, it, { epochs: 2, optimizer: { name: 'adam', lr: 0.01 }, metrics: [], callbacks, ...quiet });
    });
  });

  test('a lazy-Adam MF step is a fixed handful of dispatches, no read-back, whatever the rows it touches', async () => {
    await sg.setBackend('webgpu');
    const be = sg.engine.backend as unknown as WebGPUBackend;
    // without biases: gatherDot, the fused MSE and its gradient, gatherDot's backward for each
    // table, a lazy Adam update for each (7); biases add two gathers, three adds, the global
    // bias's sum, two segment sums and three Adam updates (18)
    const expected = { withoutBiases: 7, withBiases: 18 };
    for (const biases of [false, true]) {
      const work: Record<number, { dispatches: number; readbacks: number; uploads: number }> = {};
      for (const batch of [16, 256, 4096]) {
        const model = new sg.models.MatrixFactorization({ numUsers: 5000, numItems: 3000, dim: 16, biases });
        const opt = new sg.optim.Adam(model.parameters(), { lr: 0.01 });
        const b = { inputs: { user: randomInts(batch, 1, 5000), item: randomInts(batch, 2, 3000) }, label: randomValues(batch, 3, 1, 5), size: batch };
        const step = () => sg.tidy(() => {
          const { loss } = model.trainingStep(b);
          loss.backward(undefined, { checkFinite: false });
          opt.step();
          opt.zeroGrad();
        });
        step(); // warm: kernels compiled, Adam state made
        await be.finish();
        const before = be.stats();
        step();
        const after = be.stats();
        work[batch] = { dispatches: after.dispatches - before.dispatches, readbacks: after.readbacks - before.readbacks, uploads: after.uploads - before.uploads };
        for (const t of model.parameters()) t.dispose();
        opt.dispose();
      }
      const what = biases ? 'withBiases' : 'withoutBiases';
      for (const w of Object.values(work)) {
        assert.is(w.readbacks, 0, 'no read-back inside the step');
        assert.is(w.dispatches, expected[what], `dispatches per step ${what}: ${JSON.stringify(work)}`);
      }
      const counts = Object.values(work);
      assert.equal(counts.map((w) => w.uploads), new Array(counts.length).fill(counts[0].uploads), `same number of uploads ${what}`);
    }
    await sg.setBackend('cpu');
  });

  test('500 MF steps on webgpu keep GPU memory flat; the pool stops growing', async () => {
    await sg.setBackend('webgpu');
    const be = sg.engine.backend as unknown as WebGPUBackend;
    const run = (steps: number) => {
      const user = new sg.nn.Embedding({ num: 50, dim: 8, seed: 1 });
      const item = new sg.nn.Embedding({ num: 40, dim: 8, seed: 2 });
      const opt = new sg.optim.Adam([...user.parameters(), ...item.parameters()], { lr: 0.05 });
      for (let s = 0; s < steps; s++) {
        const u = randomInts(64, 100 + (s % 10), 50);
        const i = randomInts(64, 200 + (s % 10), 40);
        sg.tidy(() => {
          const l = sg.mse(sg.sum(sg.mul(user.forward(u), item.forward(i)), 1), sg.tensor(Float32Array.from(u, (x, k) => ((x + i[k]) % 5) / 2)));
          l.backward(undefined, { checkFinite: false });
          opt.step();
          opt.zeroGrad();
        });
      }
      for (const t of [...user.parameters(), ...item.parameters()]) t.dispose();
      opt.dispose();
    };
    const before = sg.memory().backends.webgpu ?? { numTensors: 0, bufferBytes: 0, reservedBytes: 0 };
    run(5);
    await be.finish();
    const warm = sg.memory().backends.webgpu;
    run(500);
    await be.finish();
    const after = sg.memory().backends.webgpu;
    assert.is(after.numTensors, before.numTensors, 'live tensors');
    assert.is(after.bufferBytes, warm.bufferBytes, 'bytes of live tensors');
    assert.is(after.reservedBytes, warm.reservedBytes, 'bytes held, pool included: nothing leaked');
    await sg.setBackend('cpu');
  });

  test('float16: exact half bits, and a float16 graph computes like the CPU', async () => {
    const values = Float32Array.from([0, -0, 1, -2.5, 65504, 65519, 65520, 6.1e-5, 5.96e-8, 2.9e-8, 0.1, 1 / 3, Infinity, -Infinity, NaN,
      1000.5, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2049, -2051, ...randomValues(1000, 77, -300, 300), ...randomValues(200, 78, -1e-4, 1e-4)]);
    await sg.setBackend('cpu');
    const cb = Array.from(sg.tensor(values).cast('float16').rawSync());
    await sg.setBackend('webgpu');
    assert.equal(Array.from(sg.tensor(values).cast('float16').rawSync()), cb, 'float32 → float16 on the GPU rounds to nearest even');
    const graph = async (backend: string) => {
      await sg.setBackend(backend);
      const x = sg.tensor(randomValues(64, 1), [8, 8]).cast('float16');
      const y = sg.tensor(randomValues(64, 2), [8, 8]).cast('float16');
      return Array.from(sg.softmax(sg.add(sg.matmul(x, y), sg.sum(x, 0))).dataSync());
    };
    const err = normError(await graph('webgpu'), await graph('cpu'));
    assert.ok(err <= 2e-3, `float16 graph differs by ${fmt(err)}`);
    await sg.setBackend('cpu');
  });

  test('info, and errors that say what is wrong', async () => {
    await sg.setBackend('webgpu');
    const info = webgpuInfo()!;
    assert.ok(info.host === 'worker', 'Node runs WebGPU in a worker (synchronous reads)');
    assert.ok(info.limits.maxStorageBufferBindingSize >= 128 * 2 ** 20);
    assert.match(await sg.info(), /webgpu: /);
    const t = sg.tensor([1, 2, 3]);
    t.dispose();
    assert.throws(() => t.dataSync(), /disposed/);
    assert.throws(() => sg.tensor([1], [1], 'float64'), /float64 is not supported on the GPU/);
    await sg.setBackend('cpu');
    // no adapter: the message says how to get one
    const none = { requestAdapter: async () => null };
    await createWebGPUBackend({ gpu: none }).then(() => assert.unreachable('no adapter'), (e: Error) => {
      assert.match(e.message, /no-adapter|no WebGPU adapter|offers no device/);
    });
    // WebGPU in this thread: asynchronous reads work, synchronous ones explain themselves
    const inline = await createWebGPUBackend({ worker: false });
    const id = inline.write(Float32Array.from([1, 2, 3]), 'float32');
    const y = inline.unary('exp', { dataId: id, shape: [3], dtype: 'float32' }, 'float32');
    assert.ok(Math.abs((await inline.read(y))[2] - Math.exp(3)) < 1e-5);
    assert.throws(() => inline.readSync(y), /await tensor\.data\(\)/);
    inline.destroy();
  });
}

test.run();
