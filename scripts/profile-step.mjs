#!/usr/bin/env node
// CPU profile of the composed MF step (bench/benchmarks/composed-step.ts's sparse side: two
// Embedding lookups, mul, sum, sub, square, mean, backward, lazy Adam) on one thread, and where
// its time goes by function. Only the timed steps are profiled (not the tables' setup).
//
//   npm run build && node scripts/profile-step.mjs [--steps 2000] [--dim 25] [--batch 1000]
//       [--users 138493] [--items 131262] [--top 30] [--out step.cpuprofile]
//   node scripts/profile-step.mjs --summary file.cpuprofile [--top 30]   # any .cpuprofile
//
// Shares are of samples, not of the samples' time deltas: on a loaded machine the sampling
// thread wakes late, and a delta then charges the wait to whatever ran at the late sample.
// WebAssembly kernels show as wasm-function[i] of their module (the module's hash names it).
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const top = Number(arg('top', 30));

/** Self and inclusive shares by function (name, file:line). */
function summarise(profile, perStepMs) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = ({ callFrame: f }) => `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`.trim();
  const self = new Map(), incl = new Map();
  for (const id of profile.samples) {
    const stack = [];
    for (let p = id; p !== undefined; p = parent.get(p)) stack.push(key(byId.get(p)));
    self.set(stack[0], (self.get(stack[0]) ?? 0) + 1);
    for (const k of new Set(stack)) incl.set(k, (incl.get(k) ?? 0) + 1);
  }
  const total = profile.samples.length;
  for (const [title, m] of [['self', self], ['inclusive', incl]]) {
    console.log(`\n${title} (${total} samples)`);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      const us = perStepMs ? `${((1000 * perStepMs * v) / total).toFixed(0).padStart(5)} µs/step  ` : '';
      console.log(`${((100 * v) / total).toFixed(1).padStart(6)}%  ${us}${k}`);
    }
  }
}

if (arg('summary')) {
  summarise(JSON.parse(readFileSync(arg('summary'), 'utf8')));
  process.exit(0);
}

process.env.SPARSEGRAD_THREADS ??= '1'; // before the library loads: one thread, as the benchmark
const sg = await import('../dist/index.js');
const [steps, dim, batch, users, items] = [['steps', 2000], ['dim', 25], ['batch', 1000], ['users', 138493], ['items', 131262]]
  .map(([k, d]) => Number(arg(k, d)));
const init = { kind: 'uniform', scale: 0.05 };
const user = new sg.nn.Embedding({ num: users, dim, sparseGrad: true, init, seed: 1 });
const item = new sg.nn.Embedding({ num: items, dim, sparseGrad: true, init, seed: 2 });
const opt = new sg.optim.Adam([...user.parameters(), ...item.parameters()], { lr: 0.001 });
const r = sg.randomStream('bench-composed-step', 1);
const data = Array.from({ length: 4 }, () => ({
  user: sg.keep(sg.tensor(Int32Array.from({ length: batch }, () => r.int(users)), [batch], 'int32')),
  item: sg.keep(sg.tensor(Int32Array.from({ length: batch }, () => r.int(items)), [batch], 'int32')),
  label: sg.keep(sg.tensor(Float32Array.from({ length: batch }, () => 1 + 4 * r.next()))),
}));
const step = (u, i, y) => sg.tidy(() => {
  const pred = sg.sum(sg.mul(user.forward(u), item.forward(i)), 1);
  const loss = sg.mean(sg.square(sg.sub(pred, y)));
  loss.backward();
  opt.step();
  opt.zeroGrad();
});
// every row of the tables and of Adam's moments touched once, as the benchmark does
for (let s = 0; s < Math.max(users, items); s += 16384) {
  const len = Math.min(16384, Math.max(users, items) - s);
  step(Int32Array.from({ length: len }, (_, k) => (s + k) % users), Int32Array.from({ length: len }, (_, k) => (s + k) % items), sg.zeros([len]));
}
const run = (k) => step(data[k % 4].user, data[k % 4].item, data[k % 4].label);
for (let k = 0; k < 200; k++) run(k);

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
await session.post('Profiler.start');
const t0 = performance.now(), c0 = process.cpuUsage();
for (let k = 0; k < steps; k++) run(k);
const c = process.cpuUsage(c0), wall = (performance.now() - t0) / steps, cpu = (c.user + c.system) / 1000 / steps;
const { profile } = await session.post('Profiler.stop');
const out = arg('out');
if (out) writeFileSync(out, JSON.stringify(profile));
console.log(`${users} × ${items}, dim ${dim}, batch ${batch}: ${steps} steps, ${wall.toFixed(3)} ms/step wall, ${cpu.toFixed(3)} ms/step CPU (profiled)`);
summarise(profile, cpu);
