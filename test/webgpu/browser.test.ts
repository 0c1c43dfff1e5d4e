/**
 * The browser bundle on WebGPU in headless Chromium (SwiftShader, through navigator.gpu —
 * the same backend code as in Node):
 * - a cross-origin-isolated page gets the GPU worker: MF steps written with synchronous
 *   reads (`loss.item()`), whose losses equal the same steps on the CPU backend here; rows
 *   no batch touched stay bit-for-bit unchanged; float32 → float16 rounds like the CPU;
 * - a plain page runs WebGPU in its own thread: the same steps with `await loss.data()`
 *   give the same losses, and a synchronous read says what to do instead.
 * Skips, saying why, where there is no chromium; Chromium is killed after 60 s.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as sg from '../../index.js';
import { browserMFBatches, randomValues, type MFBatch } from './helpers.js';

const USERS = 60;
const ITEMS = 40;
const DIM = 8;
const STEPS = 12;

type Batch = MFBatch;

const batches = (): Batch[] => browserMFBatches(STEPS, USERS, ITEMS);

/** The training loop as page JavaScript (it runs verbatim in Node on the CPU too); READ is how the loss comes back. */
const TRAIN = (read: 'sync' | 'async') => `
  const user = new sg.nn.Embedding({ num: ${USERS}, dim: ${DIM}, seed: 1, init: { kind: 'normal', std: 0.5 } });
  const item = new sg.nn.Embedding({ num: ${ITEMS}, dim: ${DIM}, seed: 2, init: { kind: 'normal', std: 0.5 } });
  const before = Array.from(${read === 'sync' ? 'user.weight.dataSync()' : 'await user.weight.data()'});
  const opt = new sg.optim.Adam([...user.parameters(), ...item.parameters()], { lr: 0.05 });
  const losses = [];
  for (const b of BATCHES) {
    const loss = sg.tidy(() => {
      const pred = sg.sum(sg.mul(user.forward(Int32Array.from(b.u)), item.forward(Int32Array.from(b.i))), 1);
      const l = sg.mse(pred, sg.tensor(Float32Array.from(b.y)));
      l.backward(undefined, { checkFinite: false });
      opt.step();
      opt.zeroGrad();
      return l;
    });
    losses.push(${read === 'sync' ? 'loss.item()' : '(await loss.data())[0]'});
    loss.dispose();
  }
  const after = Array.from(${read === 'sync' ? 'user.weight.dataSync()' : 'await user.weight.data()'});
  let untouchedChanged = 0;
  for (let r = 1; r < ${USERS}; r += 2) for (let j = 0; j < ${DIM}; j++) if (!Object.is(after[r * ${DIM} + j], before[r * ${DIM} + j])) untouchedChanged++;
  const halfBits = ${read === 'sync' ? "Array.from(sg.tensor(Float32Array.from(HALF_VALUES)).cast('float16').rawSync())" : '[]'};
`;

const HALF_VALUES = [0, 1, -2.5, 65504, 65519, 6.1e-5, 5.96e-8, 0.1, 1 / 3, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 2049, ...randomValues(200, 5, -100, 100)];

async function cpuRun(data: Batch[]): Promise<{ losses: number[]; untouchedChanged: number; halfBits: number[] }> {
  await sg.setBackend('cpu');
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  const run = new AsyncFunction('sg', 'BATCHES', 'HALF_VALUES', `${TRAIN('sync')}; return { losses, untouchedChanged, halfBits };`);
  return run(sg, data, HALF_VALUES);
}

type Harness = {
  WEBGPU_ARGS: string[];
  buildBrowserBundle(): Promise<string>;
  runInChromium(o: { bundlePath: string; pageScript: string; timeoutMs?: number; chromiumArgs?: string[]; isolated?: boolean }): Promise<Record<string, unknown>>;
};

const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(chromium)) {
  console.log(`  test/webgpu/browser.test.ts: skipped — ${chromium} not found (apt-get install chromium; scripts/setup.sh --browser does)`);
} else {
  test('the browser bundle trains MF on WebGPU in headless Chromium: isolated page (GPU worker, synchronous reads) and plain page (asynchronous reads), both matching the CPU', async () => {
    const data = batches();
    const cpu = await cpuRun(data);
    const harness = await import(pathToFileURL(join(process.cwd(), 'scripts/browser-test.mjs')).href) as Harness;
    const bundlePath = await harness.buildBrowserBundle();
    try {
      const page = (read: 'sync' | 'async') => `
        try {
          const BATCHES = ${JSON.stringify(data)};
          const HALF_VALUES = ${JSON.stringify(HALF_VALUES)};
          await sg.setBackend('webgpu');
          ${TRAIN(read)}
          let syncError = null;
          try { sg.tensor([1, 2]).dataSync(); } catch (e) { syncError = String(e.message); }
          report({ backend: sg.getBackend(), isolated: self.crossOriginIsolated, info: sg.webgpuInfo(), losses, untouchedChanged, halfBits, syncError });
        } catch (e) {
          report({ error: String(e && e.stack || e) });
        }`;
      for (const read of ['sync', 'async'] as const) {
        const out = await harness.runInChromium({ bundlePath, timeoutMs: 60000, chromiumArgs: harness.WEBGPU_ARGS, isolated: read === 'sync', pageScript: page(read) });
        assert.ok(!out.error, `${read} page failed: ${out.error}\n${out.chromiumLog}`);
        assert.is(out.backend, 'webgpu');
        assert.is(out.isolated, read === 'sync');
        const info = out.info as { host: string; source: string; architecture: string; software: boolean };
        assert.is(info.source, 'navigator.gpu');
        assert.is(info.host, read === 'sync' ? 'worker' : 'inline', 'isolated pages get the GPU worker');
        const losses = out.losses as number[];
        assert.is(losses.length, STEPS);
        assert.ok(losses[8] < 0.8 * losses[0], `${read}: browser loss on batch 0: ${losses[0]} → ${losses[8]} did not fall`);
        for (let s = 0; s < STEPS; s++) {
          assert.ok(Math.abs(losses[s] - cpu.losses[s]) <= 1e-4 * cpu.losses[s], `${read} step ${s}: browser ${losses[s]} vs cpu ${cpu.losses[s]}`);
        }
        assert.is(out.untouchedChanged, 0, 'rows no batch touched stay bit-for-bit unchanged');
        if (read === 'sync') {
          assert.is(out.syncError, null, 'synchronous reads work with the worker');
          assert.equal(out.halfBits, cpu.halfBits, 'float16 rounding in the browser equals the CPU encoder');
        } else {
          assert.match(String(out.syncError), /await tensor\.data\(\)/, 'a synchronous read without the worker says what to do');
        }
      }
    } finally {
      rmSync(dirname(bundlePath), { recursive: true, force: true });
    }
  });
}

test.run();
