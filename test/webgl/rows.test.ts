/**
 * Row kernels and optimizer updates, WebGL vs CPU. The row-sparse updates must write ONLY
 * the given rows: the whole table is read back and every untouched row compared bit for
 * bit with its value before the update. Row widths wider than the texture (rows that wrap
 * across texture rows) and tables beyond MAX_TEXTURE_SIZE elements are included.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { TensorInfo } from '../../core/kernels.js';
import type { CpuBackend } from '../../backends/cpu/index.js';
import type { WebGLBackend } from '../../backends/webgl/index.js';
import { setMaxTextureWidth } from '../../backends/webgl/index.js';
import { rowRuns } from '../../backends/webgl/rows.js';
import type { Tex } from '../../backends/webgl/textures.js';
import type { DType } from '../../core/dtype.js';
import { backends, both, dispose, fmt, normError, randomInts, randomValues, run, valuesOf, type Both, type Pair } from './helpers.js';

const TOL = 1e-5;

/** [rows N, row width D, texture width]: one-element rows, odd widths, rows wider than the texture, > 16384 elements */
const TABLES: [number, number, number | null][] = [
  [1, 1, null], [7, 3, null], [50, 5, 64], [40, 100, 64], [20, 64, 64], [3000, 11, null], [1000, 25, 64],
];

test('gatherRows: rows of any width and rank', async () => {
  const p = await backends();
  for (const [N, D, width] of TABLES) {
    setMaxTextureWidth(width);
    const table = both(p, randomValues(N * D, N + D), [N, D]);
    for (const ids of [Int32Array.of(0), randomInts(9, D, N), randomInts(300, N, N)]) {
      const r = run(p, (b, s) => b.gatherRows(s === 'cpu' ? table.cpu : table.gl, ids), 'float32');
      assert.equal(Array.from(r.gl), Array.from(r.cpu), `gather [${N}, ${D}] with ${ids.length} ids`);
    }
    dispose(p, table);
  }
  setMaxTextureWidth(null);
  const t3 = both(p, randomValues(5 * 2 * 3, 1), [5, 2, 3]);
  const r = run(p, (b, s) => b.gatherRows(s === 'cpu' ? t3.cpu : t3.gl, Int32Array.of(4, 0, 4, 2)), 'float32');
  assert.equal(Array.from(r.gl), Array.from(r.cpu), 'rank-3 table');
  dispose(p, t3);
});

test('segmentSumRows sums duplicate ids in order; scatterAddRows adds in place', async () => {
  const p = await backends();
  for (const [N, D, width] of TABLES) {
    setMaxTextureWidth(width);
    const n = Math.min(3 * N, 500);
    const seg = randomInts(n, N + 7, N);
    const vals = both(p, randomValues(n * D, D), [n, D]);
    const r = run(p, (b, s) => b.segmentSumRows(s === 'cpu' ? vals.cpu : vals.gl, seg, N), 'float32');
    assert.ok(normError(r.gl, r.cpu) <= TOL, `segmentSum [${n}, ${D}] → ${N}`);

    const target = both(p, randomValues(N * D, 3), [N, D]);
    p.cpu.scatterAddRows(target.cpu, seg, vals.cpu);
    p.gl.scatterAddRows(target.gl, seg, vals.gl);
    const a = valuesOf(p.gl, target.gl.dataId, 'float32');
    const c = valuesOf(p.cpu, target.cpu.dataId, 'float32');
    assert.ok(normError(a, c) <= TOL, `scatterAdd [${N}, ${D}]: ${fmt(normError(a, c))}`);
    dispose(p, vals, target);
  }
  setMaxTextureWidth(null);
});

test('fused gatherDot and segmentSumScaledRows (the MF hot path) match the CPU', async () => {
  const p = await backends();
  for (const [N, D, width] of TABLES) {
    setMaxTextureWidth(width);
    const n = 257;
    const a = both(p, randomValues(N * D, 1), [N, D]);
    const b = both(p, randomValues((N + 3) * D, 2), [N + 3, D]);
    const ai = randomInts(n, 3, N);
    const bi = randomInts(n, 4, N + 3);
    const r = run(p, (be, s) => be.gatherDot(s === 'cpu' ? a.cpu : a.gl, s === 'cpu' ? b.cpu : b.gl, ai, bi), 'float32');
    assert.ok(normError(r.gl, r.cpu) <= TOL, `gatherDot [${N}, ${D}]`);
    const scale = both(p, randomValues(n, 5), [n]);
    const seg = randomInts(n, 6, N);
    const g = run(p, (be, s) => be.segmentSumScaledRows(s === 'cpu' ? scale.cpu : scale.gl, s === 'cpu' ? b.cpu : b.gl, bi, seg, N), 'float32');
    assert.ok(normError(g.gl, g.cpu) <= TOL, `segmentSumScaledRows [${N}, ${D}]`);
    dispose(p, a, b, scale);
  }
  setMaxTextureWidth(null);
});

type Slots = Record<string, Both>;
type AnyBackend = CpuBackend | WebGLBackend;

function snapshot(b: AnyBackend, x: TensorInfo): Float32Array {
  return Float32Array.from(valuesOf(b, x.dataId, x.dtype));
}

/** Runs the same update on both backends; checks results and that untouched rows kept their exact bits. */
function checkUpdate(p: Pair, what: string, slots: Slots, touched: Int32Array | null, N: number, D: number,
  update: (b: AnyBackend, side: 'cpu' | 'gl') => void, tol = TOL): void {
  const before = Object.fromEntries(Object.entries(slots).map(([k, t]) => [k, snapshot(p.gl, t.gl)]));
  update(p.cpu, 'cpu');
  update(p.gl, 'gl');
  const isTouched = new Uint8Array(N);
  if (touched) for (const r of touched) isTouched[r] = 1;
  for (const [k, t] of Object.entries(slots)) {
    const g = snapshot(p.gl, t.gl);
    const c = snapshot(p.cpu, t.cpu);
    const err = normError(g, c);
    assert.ok(err <= tol, `${what}: ${k} differs from the CPU by ${fmt(err)}`);
    if (touched) {
      const old = before[k];
      for (let r = 0; r < N; r++) {
        if (isTouched[r]) continue;
        for (let j = 0; j < D; j++) {
          if (!Object.is(g[r * D + j], old[r * D + j])) {
            assert.unreachable(`${what}: untouched row ${r} of ${k} changed at column ${j}: ${old[r * D + j]} → ${g[r * D + j]}`);
          }
        }
      }
      let changed = 0;
      for (const r of touched) for (let j = 0; j < D; j++) if (g[r * D + j] !== old[r * D + j]) changed++;
      if (k === 'w') assert.ok(changed > 0, `${what}: no touched row of w changed`);
    }
  }
}

function sortedUnique(ids: Int32Array): Int32Array {
  return Int32Array.from(new Set(ids)).sort();
}

function makeSlots(p: Pair, N: number, D: number, names: string[], wDtype: DType): Slots {
  const out: Slots = {};
  names.forEach((name, i) => {
    const vals = name === 'w' ? randomValues(N * D, 11 + N) : name === 'v' || name === 'h' ? randomValues(N * D, 12 + i, 0, 0.5) : randomValues(N * D, 13 + i, -0.1, 0.1);
    out[name] = both(p, vals, [N, D], name === 'w' ? wDtype : 'float32');
  });
  return out;
}

const SGD = { lr: 0.1, momentum: 0, weightDecay: 0.01 };
const SGDM = { lr: 0.05, momentum: 0.9, weightDecay: 0.001 };
const ADAM = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.001 };
const ADAGRAD = { lr: 0.1, eps: 1e-10, weightDecay: 0.002 };

for (const wDtype of ['float32', 'float16'] as DType[]) {
  test(`dense and row-sparse optimizer updates match the CPU, untouched rows bit-exact (w ${wDtype})`, async () => {
    const p = await backends();
    // float16 weights round on every store: compare at half precision
    const tol = wDtype === 'float16' ? 2e-3 : TOL;
    for (const [N, D, width] of TABLES) {
      setMaxTextureWidth(width);
      const rows = sortedUnique(randomInts(Math.max(1, Math.floor(N / 3)), N * 3 + D, N));
      const pick = (s: 'cpu' | 'gl', x: Both | undefined) => (x ? (s === 'cpu' ? x.cpu : x.gl) : null);
      const gradDense = both(p, randomValues(N * D, 21), [N, D]);
      const gradRows = both(p, randomValues(rows.length * D, 22), [rows.length, D]);
      const steps = Int32Array.from(rows, (r) => 1 + (r % 5));
      const cases: [string, string[], (b: AnyBackend, s: 'cpu' | 'gl', t: Slots) => void, (b: AnyBackend, s: 'cpu' | 'gl', t: Slots) => void][] = [
        ['sgd', ['w'],
          (b, s, t) => b.sgdUpdate(pick(s, t.w)!, pick(s, gradDense)!, null, SGD),
          (b, s, t) => b.sparseSgdUpdate(pick(s, t.w)!, rows, pick(s, gradRows)!, null, SGD)],
        ['sgd+momentum', ['w', 'vel'],
          (b, s, t) => b.sgdUpdate(pick(s, t.w)!, pick(s, gradDense)!, pick(s, t.vel), SGDM),
          (b, s, t) => b.sparseSgdUpdate(pick(s, t.w)!, rows, pick(s, gradRows)!, pick(s, t.vel), SGDM)],
        ['adam', ['w', 'm', 'v'],
          (b, s, t) => b.adamUpdate(pick(s, t.w)!, pick(s, gradDense)!, pick(s, t.m)!, pick(s, t.v)!, 3, ADAM),
          (b, s, t) => b.sparseAdamUpdate(pick(s, t.w)!, rows, pick(s, gradRows)!, pick(s, t.m)!, pick(s, t.v)!, steps, ADAM)],
        ['adagrad', ['w', 'h'],
          (b, s, t) => b.adagradUpdate(pick(s, t.w)!, pick(s, gradDense)!, pick(s, t.h)!, ADAGRAD),
          (b, s, t) => b.sparseAdagradUpdate(pick(s, t.w)!, rows, pick(s, gradRows)!, pick(s, t.h)!, ADAGRAD)],
      ];
      for (const [name, slotNames, dense, sparse] of cases) {
        const t1 = makeSlots(p, N, D, slotNames, wDtype);
        checkUpdate(p, `dense ${name} [${N}, ${D}]`, t1, null, N, D, (b, s) => dense(b, s, t1), tol);
        dispose(p, ...Object.values(t1));
        const t2 = makeSlots(p, N, D, slotNames, wDtype);
        checkUpdate(p, `sparse ${name} [${N}, ${D}] (${rows.length} rows)`, t2, rows, N, D, (b, s) => sparse(b, s, t2), tol);
        dispose(p, ...Object.values(t2));
      }
      dispose(p, gradDense, gradRows);
    }
    setMaxTextureWidth(null);
  });
}

test('a sparse update of a table bigger than MAX_TEXTURE_SIZE elements touches only its rows', async () => {
  const p = await backends();
  const [N, D] = [2000, 25]; // 50,000 elements: 4 texture rows at width 16384, rows straddle them
  const rows = Int32Array.from([0, 654, 655, 1310, 1999]); // rows 655 and 1310 cross texture-row boundaries
  const t = makeSlots(p, N, D, ['w', 'm', 'v'], 'float32');
  const g = both(p, randomValues(rows.length * D, 5), [rows.length, D]);
  const steps = new Int32Array(rows.length).fill(1);
  checkUpdate(p, 'sparse adam, big table', t, rows, N, D, (b, s) => b.sparseAdamUpdate(
    s === 'cpu' ? t.w.cpu : t.w.gl, rows, s === 'cpu' ? g.cpu : g.gl, s === 'cpu' ? t.m.cpu : t.m.gl, s === 'cpu' ? t.v.cpu : t.v.gl, steps, ADAM));
  dispose(p, ...Object.values(t), g);
});

test('row runs: consecutive rows merge, runs split at texture-row ends, big source indices stay exact', () => {
  const target = { width: 16384 } as Tex;
  const rows = Int32Array.from([0, 1, 2, 255, 256, 300000, 300001]);
  const runs = rowRuns(rows, 64, target);
  const decoded: number[][] = [];
  for (let k = 0; k < runs.length; k += 5) decoded.push([runs[k], runs[k + 1], runs[k + 2], runs[k + 3] * 65536 + runs[k + 4]]);
  // rows 0-2: one run; 255-256 cross from texture row 0 into row 1; 300000-300001 merge
  assert.equal(decoded, [[0, 192, 0, 0], [16320, 16384, 0, 192], [0, 64, 1, 256], [14336, 14464, 1171, 320]]);
  // a gathered index beyond 2^24 survives the float texture
  const far = rowRuns(Int32Array.from({ length: 300000 }, (_, i) => 2 * i), 64, target);
  const last = far.length - 5;
  assert.is(far[last + 3] * 65536 + far[last + 4], 299999 * 64);
  assert.ok(299999 * 64 > 2 ** 24);
});

test.run();
