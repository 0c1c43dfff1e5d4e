/**
 * The browser bundle in headless Chromium (WebGL2 on SwiftShader): `setBackend('webgl')`,
 * a few MF steps (two Embeddings, gather, multiply, sum, MSE, backward, Adam) whose losses
 * fall and equal the same steps on the CPU backend here in Node; rows no batch touched are
 * bit-for-bit unchanged; float32 → float16 rounds like the CPU. Chromium is killed after 60 s.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as sg from '../../index.js';
import { browserMFBatches, randomValues, type MFBatch } from './helpers.js';

const USERS = 60;
const ITEMS = 40;
const DIM = 8;
const STEPS = 16;

type Batch = MFBatch;

const batches = (): Batch[] => browserMFBatches(STEPS, USERS, ITEMS);

/** The training loop, as page JavaScript (it runs verbatim in Node on the CPU too). */
const TRAIN = `
  const user = new sg.nn.Embedding({ num: ${USERS}, dim: ${DIM}, seed: 1, init: { kind: 'normal', std: 0.5 } });
  const item = new sg.nn.Embedding({ num: ${ITEMS}, dim: ${DIM}, seed: 2, init: { kind: 'normal', std: 0.5 } });
  const before = Array.from(user.weight.dataSync());
  const opt = new sg.optim.Adam([...user.parameters(), ...item.parameters()], { lr: 0.05 });
  const losses = [];
  for (const b of BATCHES) {
    losses.push(sg.tidy(() => {
      const pred = sg.sum(sg.mul(user.forward(Int32Array.from(b.u)), item.forward(Int32Array.from(b.i))), 1);
      const loss = sg.mse(pred, sg.tensor(Float32Array.from(b.y)));
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss.item();
    }));
  }
  const after = Array.from(user.weight.dataSync());
  let untouchedChanged = 0;
  for (let r = 1; r < ${USERS}; r += 2) for (let j = 0; j < ${DIM}; j++) if (!Object.is(after[r * ${DIM} + j], before[r * ${DIM} + j])) untouchedChanged++;
  const halfValues = Float32Array.from(HALF_VALUES);
  const halfBits = Array.from(sg.tensor(halfValues).cast('float16').rawSync());
`;

const HALF_VALUES = [0, 1, -2.5, 65504, 65519, 6.1e-5, 5.96e-8, 0.1, 1 / 3, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2049, ...randomValues(200, 5, -100, 100)];

function cpuRun(data: Batch[]): { losses: number[]; untouchedChanged: number; halfBits: number[] } {
  const run = new Function('sg', 'BATCHES', 'HALF_VALUES', `${TRAIN}; return { losses, untouchedChanged, halfBits };`);
  return run(sg, data, HALF_VALUES);
}

test('the browser bundle trains MF on WebGL2 in headless Chromium, matching the CPU backend', async () => {
  const data = batches();
  await sg.setBackend('cpu');
  const cpu = cpuRun(data);

  const harness = await import(pathToFileURL(join(process.cwd(), 'scripts/browser-test.mjs')).href) as {
    buildBrowserBundle(): Promise<string>;
    runInChromium(o: { bundlePath: string; pageScript: string; timeoutMs?: number }): Promise<Record<string, unknown>>;
  };
  const bundlePath = await harness.buildBrowserBundle();
  const out = await harness.runInChromium({
    bundlePath,
    timeoutMs: 60000,
    pageScript: `
      try {
        const BATCHES = ${JSON.stringify(data)};
        const HALF_VALUES = ${JSON.stringify(HALF_VALUES)};
        await sg.setBackend('webgl');
        ${TRAIN}
        report({ backend: sg.getBackend(), info: sg.webglInfo(), losses, untouchedChanged, halfBits, memory: sg.memory().backends.webgl });
      } catch (e) {
        report({ error: String(e && e.stack || e) });
      }`,
  }).finally(() => rmSync(dirname(bundlePath), { recursive: true, force: true }));
  assert.ok(!out.error, `page failed: ${out.error}\n${out.chromiumLog}`);
  const info = out.info as { extensions: string[]; unmaskedRenderer: string | null; renderer: string };
  assert.is(out.backend, 'webgl');
  assert.ok(info.extensions.includes('EXT_color_buffer_float'), 'WebGL2 with float render targets');
  const losses = out.losses as number[];
  assert.is(losses.length, STEPS);
  // the same batch three epochs later
  assert.ok(losses[12] < 0.7 * losses[0], `browser loss on batch 0: ${losses[0]} → ${losses[12]} did not fall`);
  for (let s = 0; s < STEPS; s++) {
    assert.ok(Math.abs(losses[s] - cpu.losses[s]) <= 1e-4 * cpu.losses[s], `step ${s}: browser ${losses[s]} vs cpu ${cpu.losses[s]}`);
  }
  assert.is(out.untouchedChanged, 0, 'rows no batch touched stay bit-for-bit unchanged');
  assert.is(cpu.untouchedChanged, 0);
  assert.equal(out.halfBits, cpu.halfBits, 'float16 rounding in the browser equals the CPU encoder');
});

test.run();
