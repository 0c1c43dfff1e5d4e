/**
 * The webgl backend through the public API: gradients of every op family equal the CPU
 * backend's, MF and DeepMF training give the same losses, 500 MF steps keep GPU memory
 * flat, and float16 tensors round-trip and compute like the CPU's.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { webglInfo, type WebGLBackend } from '../../backends/webgl/index.js';
import { fmt, normError, randomInts, randomValues } from './helpers.js';

type Grads = Record<string, { indices?: number[]; values: Float64Array }>;

/** Builds variables from fixed values on `backend`, runs `graph`, returns loss and grads. */
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
  const g = await gradsOn('webgl', graph, vars);
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

test('gradients: dense layers, activations and reductions', async () => {
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
    const p = sg.softmax(v.x);
    const lp = sg.logSoftmax(v.x);
    const lse = sg.logSumExp(v.x);
    return sg.add(sg.add(sg.sum(sg.mul(p, v.t)), sg.mean(sg.mul(lp, v.t))), sg.sum(lse));
  }, { x: r([4, 37], 8, -3, 3), t: r([4, 37], 9) });
});

test('gradients: layout ops, gather (row-sparse and dense), CSR matmul, losses', async () => {
  await compareGrads('layout', (v) => {
    const c = sg.concat([v.a, v.b], 1);
    const t = sg.transpose(sg.reshape(c, [3, 2, 9]), [2, 0, 1]);
    const s = sg.slice(t, [1, 0, 0], [5, 3, 2]);
    return sg.sum(sg.mul(s, s));
  }, { a: r([6, 4], 10), b: r([6, 5], 11) });
  const ids = [3, 0, 3, 7, 1, 3];
  await compareGrads('gather', (v) => {
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

interface MFRun {
  losses: number[];
}

/** The seed tutorial's MF: two embeddings, gather, multiply, sum over the dim, MSE, Adam. */
async function trainMF(backend: string, steps: number, readLoss: boolean): Promise<MFRun> {
  await sg.setBackend(backend);
  const [users, items, dim, batch] = [50, 40, 8, 64];
  const user = new sg.nn.Embedding({ num: users, dim, seed: 1, init: { kind: 'normal', std: 0.5 } });
  const item = new sg.nn.Embedding({ num: items, dim, seed: 2, init: { kind: 'normal', std: 0.5 } });
  const opt = new sg.optim.Adam([...user.parameters(), ...item.parameters()], { lr: 0.05 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const u = randomInts(batch, 100 + (s % 10), users);
    const i = randomInts(batch, 200 + (s % 10), items);
    const labels = Float32Array.from(u, (x, k) => ((x * 7 + i[k] * 3) % 5) / 2);
    const loss = sg.tidy(() => {
      const pred = sg.sum(sg.mul(user.forward(u), item.forward(i)), 1);
      const l = sg.mse(pred, sg.tensor(labels));
      l.backward();
      opt.step();
      opt.zeroGrad();
      return readLoss ? l.item() : 0;
    });
    losses.push(loss);
  }
  for (const p of [...user.parameters(), ...item.parameters()]) p.dispose();
  opt.dispose();
  return { losses };
}

test('MF training: the loss falls and equals the CPU backend step by step', async () => {
  const cpu = await trainMF('cpu', 30, true);
  const gl = await trainMF('webgl', 30, true);
  await sg.setBackend('cpu');
  assert.ok(gl.losses[29] < 0.5 * gl.losses[0], `loss ${gl.losses[0]} → ${gl.losses[29]} did not fall`);
  for (let s = 0; s < 30; s++) {
    const rel = Math.abs(gl.losses[s] - cpu.losses[s]) / cpu.losses[s];
    assert.ok(rel <= 1e-4, `step ${s}: webgl ${gl.losses[s]} vs cpu ${cpu.losses[s]}`);
  }
});

async function deepMFLosses(backend: string, steps: number): Promise<number[]> {
  await sg.setBackend(backend);
  const user = new sg.nn.Embedding({ num: 30, dim: 15, seed: 3 });
  const item = new sg.nn.Embedding({ num: 25, dim: 25, seed: 4 });
  const l1 = new sg.nn.Linear(40, 64, { seed: 5 });
  const l2 = new sg.nn.Linear(64, 1, { seed: 6 });
  const params = [user, item, l1, l2].flatMap((m) => m.parameters());
  const opt = new sg.optim.Adam(params, { lr: 0.01 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const u = randomInts(33, 300 + s, 30);
    const i = randomInts(33, 400 + s, 25);
    const labels = Float32Array.from(u, (x, k) => 1 + ((x + i[k]) % 5));
    losses.push(sg.tidy(() => {
      const h = sg.concat([user.forward(u), item.forward(i)], 1);
      const y = l2.forward(sg.relu(l1.forward(h)));
      const loss = sg.mse(y, sg.tensor(labels));
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss.item();
    }));
  }
  for (const p of params) p.dispose();
  opt.dispose();
  return losses;
}

test('DeepMF (Embedding → concat → Linear → relu → Linear) gives the CPU losses', async () => {
  const cpu = await deepMFLosses('cpu', 8);
  const gl = await deepMFLosses('webgl', 8);
  await sg.setBackend('cpu');
  for (let s = 0; s < cpu.length; s++) {
    assert.ok(Math.abs(gl[s] - cpu[s]) <= 1e-4 * cpu[s], `step ${s}: webgl ${gl[s]} vs cpu ${cpu[s]}`);
  }
  assert.ok(gl[gl.length - 1] < gl[0], 'DeepMF loss falls');
});

test('500 MF steps on webgl keep texture memory flat', async () => {
  await sg.setBackend('webgl');
  const backend = sg.engine.backend as WebGLBackend;
  const before = sg.memory().backends.webgl ?? { numTensors: 0, bufferBytes: 0 };
  const warm = await trainMF('webgl', 5, false);
  const afterWarm = sg.memory().backends.webgl;
  const run = await trainMF('webgl', 500, false);
  const after = sg.memory().backends.webgl;
  assert.is(run.losses.length, 500);
  assert.is(warm.losses.length, 5);
  assert.is(after.numTensors, before.numTensors, 'live tensors');
  assert.is(after.bufferBytes, afterWarm.bufferBytes, 'texture bytes of live tensors');
  assert.is(after.bufferBytes, before.bufferBytes, 'texture bytes back to where they started');
  // the pool settles too: a steady loop allocates the same sizes every step
  const pooled = backend.stats().allocatedTextures;
  await trainMF('webgl', 20, false);
  assert.is(backend.stats().allocatedTextures, pooled, 'no new textures once the pool is warm');
  await sg.setBackend('cpu');
});

test('float16: textures round-trip the exact half bits and compute like the CPU', async () => {
  // ties (1 + 2^-11 → 1, 1 + 3·2^-11 → up, 2049 → 2048), subnormals, overflow, and random values
  const values = Float32Array.from([0, -0, 1, -2.5, 65504, 65519, 65520, 6.1e-5, 5.96e-8, 2.9e-8, 0.1, 1 / 3, Infinity, -Infinity, NaN,
    1000.5, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2049, -2051, ...randomValues(1000, 77, -300, 300), ...randomValues(200, 78, -1e-4, 1e-4)]);
  await sg.setBackend('cpu');
  const c = sg.tensor(values).cast('float16');
  const cb = Array.from(c.rawSync());
  await sg.setBackend('webgl');
  const g = sg.tensor(values).cast('float16');
  assert.equal(Array.from(g.rawSync()), cb, 'float32 → float16 rounding on the GPU equals round-to-nearest-even');
  // written half bits come back unchanged
  const direct = sg.engine.backend.write(Uint16Array.from(cb), 'float16');
  assert.equal(Array.from(sg.engine.backend.readSync(direct)), cb);
  sg.engine.backend.dispose(direct);

  // a small float16 graph: same results as the CPU to half precision
  const run = async (backend: string) => {
    await sg.setBackend(backend);
    const x = sg.tensor(randomValues(64, 1), [8, 8]).cast('float16');
    const y = sg.tensor(randomValues(64, 2), [8, 8]).cast('float16');
    const z = sg.softmax(sg.add(sg.matmul(x, y), sg.sum(x, 0)));
    return Array.from(z.dataSync());
  };
  const zc = await run('cpu');
  const zg = await run('webgl');
  const err = normError(zg, zc);
  assert.ok(err <= 2e-3, `float16 graph differs by ${fmt(err)}`);
  await sg.setBackend('cpu');
});

test('info and errors name what is wrong', async () => {
  await sg.setBackend('webgl');
  const info = webglInfo()!;
  assert.ok(info.extensions.includes('EXT_color_buffer_float'));
  assert.ok(info.maxTextureSize >= 4096);
  const t = sg.tensor([1, 2, 3]);
  t.dispose();
  assert.throws(() => t.dataSync(), /disposed/);
  await sg.setBackend('cpu');
});

test.run();
