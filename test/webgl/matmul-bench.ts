/**
 * Not a test: measures the WebGL backend against the CPU backend (matmul GFLOP/s, an
 * embedding gather, MF training steps). Run under a display:
 *   npx esbuild test/webgl/matmul-bench.ts --bundle --platform=node --format=esm \
 *     --packages=external --outfile=.bench/matmul-bench.mjs && xvfb-run -a node .bench/matmul-bench.mjs
 * Numbers on a machine without a GPU come from a software rasterizer (Mesa llvmpipe).
 */
import * as sg from '../../index.js';
import type { Backend, TensorInfo } from '../../core/kernels.js';
import type { WebGLBackend } from '../../backends/webgl/index.js';
import type { CpuBackend } from '../../backends/cpu/index.js';
import { randomInts, randomValues } from './helpers.js';

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median ms of `fn` (which must finish its GPU work before returning). */
function time(fn: () => void, reps: number): number {
  fn();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

async function backend(name: string): Promise<Backend> {
  await sg.setBackend(name);
  return sg.engine.backend;
}

const cpu = (await backend('cpu')) as CpuBackend;
const gl = (await backend('webgl')) as unknown as WebGLBackend;
const finish = () => gl.gpu.gl.finish();
const info = gl.info();
console.log(`webgl renderer: ${info.unmaskedRenderer ?? info.renderer}`);

const t = (b: Backend, values: Float32Array, shape: number[]): TensorInfo => ({ dataId: b.write(values, 'float32'), shape, dtype: 'float32' });

console.log('\nmatmul [n,n]·[n,n]            cpu GFLOP/s   webgl GFLOP/s (kernel)   webgl (with read-back)   webgl/cpu');
for (const n of [256, 512, 1024, 2048]) {
  const reps = n >= 1024 ? 2 : 4;
  const av = randomValues(n * n, 1);
  const bv = randomValues(n * n, 2);
  const flop = 2 * n * n * n;
  const ac = t(cpu, av, [n, n]);
  const bc = t(cpu, bv, [n, n]);
  const ag = t(gl, av, [n, n]);
  const bg = t(gl, bv, [n, n]);
  const cpuMs = n <= 1024 ? time(() => cpu.dispose(cpu.matmul(ac, bc, false, false)), n >= 1024 ? 1 : reps) : NaN;
  const glMs = time(() => { const o = gl.matmul(ag, bg, false, false); finish(); gl.dispose(o); }, reps);
  const glReadMs = time(() => { const o = gl.matmul(ag, bg, false, false); gl.readSync(o); gl.dispose(o); }, reps);
  const g = (ms: number) => (flop / ms / 1e6).toFixed(2);
  console.log(`  n=${String(n).padEnd(5)}                     ${Number.isNaN(cpuMs) ? '   -' : g(cpuMs).padStart(6)}        ${g(glMs).padStart(6)}                   ${g(glReadMs).padStart(6)}            ${Number.isNaN(cpuMs) ? '-' : (cpuMs / glMs).toFixed(2)}×`);
  for (const x of [ac, bc]) cpu.dispose(x.dataId);
  for (const x of [ag, bg]) gl.dispose(x.dataId);
}

// transposes at 512
{
  const n = 512;
  const ag = t(gl, randomValues(n * n, 3), [n, n]);
  const bg = t(gl, randomValues(n * n, 4), [n, n]);
  const parts: string[] = [];
  for (const [ta, tb] of [[false, true], [true, false], [true, true]]) {
    const ms = time(() => { const o = gl.matmul(ag, bg, ta, tb); finish(); gl.dispose(o); }, 3);
    parts.push(`tA=${ta} tB=${tb}: ${(2 * n ** 3 / ms / 1e6).toFixed(2)}`);
  }
  console.log(`  n=512 with transposes (GFLOP/s): ${parts.join(', ')}`);
  gl.dispose(ag.dataId);
  gl.dispose(bg.dataId);
}

// embedding gather: 131,262 × 64 table, batch 25,000 ids
{
  const [N, D, B] = [131262, 64, 25000];
  const table = randomValues(N * D, 5);
  const ids = randomInts(B, 6, N);
  const tc = t(cpu, table, [N, D]);
  const tg = t(gl, table, [N, D]);
  const cMs = time(() => cpu.dispose(cpu.gatherRows(tc, ids)), 5);
  const gMs = time(() => { const o = gl.gatherRows(tg, ids); finish(); gl.dispose(o); }, 5);
  console.log(`\ngather [131262,64] at 25,000 ids: cpu ${cMs.toFixed(2)} ms, webgl ${gMs.toFixed(2)} ms (webgl/cpu speedup ${(cMs / gMs).toFixed(2)}×)`);
  const rows = Int32Array.from(new Set(ids)).sort();
  const gc = t(cpu, randomValues(rows.length * D, 7), [rows.length, D]);
  const gg = t(gl, randomValues(rows.length * D, 7), [rows.length, D]);
  const mc = t(cpu, new Float32Array(N * D), [N, D]);
  const vc = t(cpu, new Float32Array(N * D), [N, D]);
  const mg = t(gl, new Float32Array(N * D), [N, D]);
  const vg = t(gl, new Float32Array(N * D), [N, D]);
  const steps = new Int32Array(rows.length).fill(1);
  const opts = { lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
  const cA = time(() => cpu.sparseAdamUpdate(tc, rows, gc, mc, vc, steps, opts), 3);
  const gA = time(() => { gl.sparseAdamUpdate(tg, rows, gg, mg, vg, steps, opts); finish(); }, 3);
  const gD = time(() => { gl.adamUpdate(tg, tg, mg, vg, 1, opts); finish(); }, 2);
  console.log(`lazy Adam on ${rows.length} rows of it: cpu ${cA.toFixed(2)} ms, webgl ${gA.toFixed(2)} ms (${(cA / gA).toFixed(2)}×); dense Adam on webgl ${gD.toFixed(2)} ms (lazy is ${(gD / gA).toFixed(1)}× faster)`);
}

// MF training step (the public API): batch 25,000, dim 25, ML-20M-shaped tables
async function mfStep(name: string): Promise<number> {
  await sg.setBackend(name);
  const [U, I, D, B] = [138493, 131262, 25, 25000];
  const user = new sg.nn.Embedding({ num: U, dim: D, seed: 1 });
  const item = new sg.nn.Embedding({ num: I, dim: D, seed: 2 });
  const opt = new sg.optim.Adam([user.weight, item.weight], { lr: 0.001 });
  const u = randomInts(B, 8, U);
  const i = randomInts(B, 9, I);
  const y = randomValues(B, 10, 0.5, 5);
  const step = () => sg.tidy(() => {
    const loss = sg.mse(sg.sum(sg.mul(user.forward(u), item.forward(i)), 1), sg.tensor(y));
    loss.backward();
    opt.step();
    opt.zeroGrad();
    return loss.item();
  });
  const ms = time(step, 3);
  user.weight.dispose();
  item.weight.dispose();
  opt.dispose();
  return ms;
}
const mfC = await mfStep('cpu');
const mfG = await mfStep('webgl');
console.log(`MF step (batch 25,000, dim 25, ML-20M tables, lazy Adam): cpu ${mfC.toFixed(1)} ms, webgl ${mfG.toFixed(1)} ms (webgl/cpu speedup ${(mfC / mfG).toFixed(2)}×)`);
gl.destroy();
