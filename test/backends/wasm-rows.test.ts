/**
 * The WebAssembly SIMD row kernels (gather-dot.ts, segment-sum-scaled.ts, adam.ts, spmm.ts in
 * backends/cpu/) on the backend's arena, against their JavaScript twins, and the arena
 * allocator itself (backends/cpu/memory.ts). Widths not a multiple of 4 exercise the scalar
 * tails; sizes big enough to be shared with the worker threads are included.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { Arena, ARENA_MAX_PAGES, FreeList } from '../../backends/cpu/memory.js';
import { memoryZeroer } from '../../backends/cpu/wasm/zero.js';
import { ArenaArgs } from '../../backends/cpu/wasm/modules.js';
import type { CpuBackend } from '../../backends/cpu/index.js';
import { gatherDot, gatherDotRows, wasm as gatherDotWasm } from '../../backends/cpu/gather-dot.js';
import { segmentSumScaled, segmentSumScaledSegments, wasm as segmentSumWasm } from '../../backends/cpu/segment-sum-scaled.js';
import { adamDense, adamSparse, adamSparseRows, wasm as adamWasm } from '../../backends/cpu/adam.js';
import { spmm, spmmInto, wasm as spmmWasm } from '../../backends/cpu/spmm.js';
import { gatherRows, gatherRowsInto, segmentSum, segmentSumInto, wasm as gatherRowsWasm } from '../../backends/cpu/rows.js';
import { uniqueSorted } from '../../core/unique.js';
import { randomStream } from '../../core/random.js';

const r = randomStream('wasm-rows-test', 1);
const arena = (sg.engine.getBackendInstance('cpu') as CpuBackend).arena;
/** a float32 array in the arena (≥ 64 KB ones land there by themselves; small ones are placed) */
function arenaF32(n: number, fill: () => number): Float32Array {
  const a = (arena.allocInArena('float32', n) ?? arena.alloc('float32', n)) as Float32Array;
  for (let i = 0; i < n; i++) a[i] = fill();
  return a;
}
const ids = (n: number, range: number) => Int32Array.from({ length: n }, () => r.int(range));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

test('the arena is in use on Node, big arrays live in it, and every row kernel is compiled on it', () => {
  assert.ok(arena.memory instanceof WebAssembly.Memory);
  for (const k of [gatherRowsWasm, gatherDotWasm, segmentSumWasm, adamWasm, spmmWasm]) assert.ok(k.on(arena), `${k.name} runs on WebAssembly`);
  const big = arena.alloc('float32', 1 << 16);
  assert.ok(arena.offset(big) >= 0, 'a 256 KB array is in the arena');
  assert.ok(big.buffer instanceof SharedArrayBuffer);
  assert.is(arena.offset(arena.alloc('float32', 10)), -1, 'small arrays are plain');
});

test('each backend owns its arena: blocks of one are never blocks of another', () => {
  const other = new Arena();
  const a = arena.alloc('float32', 1 << 16);
  const b = other.alloc('float32', 1 << 16);
  assert.ok(a.buffer !== b.buffer, 'two memories');
  assert.is(other.offset(a), -1, 'an array of one arena is not in the other');
  other.release(a); // not its block: ignored
  assert.is(arena.offset(a) >= 0, true);
  arena.release(a);
  other.release(b);
});

test('arena blocks are recycled zeroed, and live blocks never overlap', () => {
  const a = arena.alloc('float32', 30000) as Float32Array;
  a.fill(7);
  const offset = arena.offset(a);
  arena.release(a);
  const b = arena.alloc('float32', 30000) as Float32Array; // same size class: the same block
  assert.is(arena.offset(b), offset);
  assert.ok(b.every((x) => x === 0), 'a recycled block comes back zeroed');
  const live = [b, ...[20000, 30000, 40000, 100000].map((n) => arena.alloc('float32', n))];
  const spans = live.map((x) => [arena.offset(x), arena.offset(x) + x.byteLength]).sort((p, q) => p[0] - q[0]);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], 'blocks overlap');
  for (const x of live) arena.release(x);
});

test('recycled arena blocks are cleared by memory.fill: exactly the array, never its neighbours', () => {
  const a = new Arena();
  assert.ok(memoryZeroer(a.memory!, ARENA_MAX_PAGES), 'a memset module on the arena memory');
  assert.is(memoryZeroer(new WebAssembly.Memory({ initial: 1 }), ARENA_MAX_PAGES), null, 'an unshared memory: none (fill(0) then)');
  // kept arrays (up to 4 MB) and a free-list block (over 4 MB, not kept)
  for (const n of [30001, 32768, (5 << 20) / 4 + 3]) { // odd, exactly a block (the neighbour starts where it ends), over 4 MB
    const [p, x, q] = [n, n, n].map(() => a.alloc('float32', n) as Float32Array);
    for (const t of [p, x, q]) t.fill(7);
    const at = a.offset(x);
    a.release(x);
    const y = a.alloc('float32', n) as Float32Array;
    assert.is(a.offset(y), at, `length ${n}: the same block again`);
    assert.ok(y.every((v) => v === 0), `length ${n}: cleared`);
    assert.ok(p.every((v) => v === 7) && q.every((v) => v === 7), `length ${n}: the neighbours untouched`);
    for (const t of [p, y, q]) a.release(t);
  }
});

test('scratch region: kernel inputs are copied into one reused block, sized after the demand it saw', () => {
  const a = new Arena();
  const ids = Int32Array.from({ length: 3000 }, (_, i) => i * 7);
  const scales = Float32Array.from({ length: 100 }, (_, i) => i / 3);
  // no region yet: the copy is refused (the caller takes a block of its own), the demand noted
  assert.is(a.scratchCopy(ids), -1);
  a.scratchRelease(0);
  // now there is one, big enough; copies are exact and 16-byte aligned, nested marks stack
  const m0 = a.scratchMark();
  const at1 = a.scratchCopy(ids);
  const m1 = a.scratchMark();
  const at2 = a.scratchCopy(scales);
  const at3 = a.scratchCopy(Float64Array.from([1.5, -2]));
  assert.ok(at1 >= 0 && at2 >= 0 && at3 >= 0 && at1 % 16 === 0 && at2 % 16 === 0 && at3 % 16 === 0);
  assert.equal(Array.from(new Int32Array(a.memory!.buffer, at1, 3000)), Array.from(ids));
  assert.equal(Array.from(new Float32Array(a.memory!.buffer, at2, 100)), Array.from(scales));
  assert.equal(Array.from(new Float64Array(a.memory!.buffer, at3, 2)), [1.5, -2]);
  a.scratchRelease(m1);
  assert.is(a.scratchCopy(scales), at2, 'released scratch is reused');
  a.scratchRelease(m0);
  assert.is(a.scratchMark(), 0);
  // ArenaArgs goes through it and gives it back, and never overlaps a live tensor's block
  const args = new ArenaArgs(a);
  const at = args.input(ids);
  const live = a.alloc('float32', 1 << 16) as Float32Array;
  assert.ok(at + ids.byteLength <= a.offset(live) || a.offset(live) + live.byteLength <= at);
  args.release();
  assert.is(a.scratchMark(), 0);
});

test('released arrays are handed out again as they are (same type and length), and merge back before the arena grows', () => {
  const a = new Arena();
  const x = a.alloc('float32', 50000) as Float32Array;
  x.fill(3);
  a.release(x);
  const y = a.alloc('float32', 50000) as Float32Array;
  assert.ok(y === x, 'the same array object again');
  assert.ok(y.every((v) => v === 0), 'zeroed when asked');
  a.release(y);
  // small plain arrays too (over 64 bytes, whole buffers only)
  const small = a.alloc('float32', 1000) as Float32Array;
  small.fill(5);
  a.release(small);
  const small2 = a.alloc('float32', 1000);
  assert.ok(small2 === small && small2.every((v) => v === 0), 'a small array again, zeroed');
  const tiny = a.alloc('float32', 4);
  a.release(tiny);
  assert.ok(a.alloc('float32', 4) !== tiny, 'arrays of 64 bytes or less are not kept (V8 makes them cheaply on its heap)');
  const view = new Float32Array(new ArrayBuffer(8000), 4000, 1000);
  a.release(view);
  assert.ok(a.alloc('float32', 1000) !== view, 'a view into a bigger buffer is never handed out');
  const z = a.alloc('int32', 50000);
  assert.ok(z instanceof Int32Array && (z as unknown) !== x, 'another type gets its own array');
  a.release(z);
  // a dozen 1 MB arrays released, then one 12 MB array: served by merging them, not by growing
  const parts = Array.from({ length: 12 }, () => a.alloc('float32', 1 << 18));
  const size = a.bytes;
  for (const p of parts) a.release(p);
  const big = a.alloc('float32', 3 << 20);
  assert.ok(a.offset(big) >= 0);
  assert.is(a.bytes, size, 'the arena did not grow');
});

test('FreeList: best fit, split, merge with both neighbours and with the top', () => {
  const f = new FreeList();
  const [a, b, c, d] = [100, 200, 300, 400].map((n) => f.take(n));
  assert.equal([a, b, c, d], [0, 100, 300, 600]);
  f.give(b, 200);
  f.give(a, 100); // merges with b's block
  assert.equal(f.blocks(), [[0, 300]]);
  assert.is(f.take(250), 0); // best fit, split
  assert.equal(f.blocks(), [[250, 50]]);
  f.give(0, 250);
  f.give(c, 300); // 0..600 one block again
  assert.equal(f.blocks(), [[0, 600]]);
  f.give(d, 400); // touches the free block and the top: everything is free
  assert.equal(f.blocks(), []);
  assert.is(f.top, 0);
});

test('a long process with changing sizes reuses the arena instead of growing it', () => {
  const big = arena.alloc('float32', 16 << 20) as Float32Array; // 64 MB
  const before = arena.bytes;
  arena.release(big);
  for (let round = 0; round < 3; round++) {
    const parts = Array.from({ length: 7 }, (_, i) => arena.alloc('float32', (2 << 20) + i * 1000)); // 7 × ~8 MB
    for (const p of parts) arena.release(p);
  }
  assert.is(arena.bytes, before, 'the freed 64 MB served the smaller arrays');
});

test('sg.memory() reports the arena as reserved bytes, and live bytes drop on dispose', () => {
  const anchor = sg.zeros([1]); // so the report has a cpu entry before the big tensor
  const before = sg.memory().backends.cpu;
  const t = sg.zeros([1000, 1000]); // 4 MB: an arena block
  const during = sg.memory().backends.cpu;
  assert.is(during.bufferBytes - before.bufferBytes, 4_000_000);
  assert.ok(during.reservedBytes >= during.bufferBytes);
  t.dispose();
  const after = sg.memory().backends.cpu;
  assert.is(after.bufferBytes, before.bufferBytes);
  assert.is(after.reservedBytes, during.reservedBytes, 'the arena keeps its memory for reuse');
  anchor.dispose();
});

for (const width of [25, 8, 3, 1]) {
  test(`gatherRows (width ${width}) copies exactly the rows the JavaScript kernel does, duplicates and the last row included`, () => {
    const rows = 3000;
    const table = arenaF32(rows * width, () => r.normal());
    // fewer ids than the read-ahead distance, a few, and many with repeats and both ends
    for (const n of [0, 1, 5, 4000]) {
      const picked = ids(n, rows);
      if (n >= 5) { picked[0] = rows - 1; picked[1] = 0; picked[2] = picked[3]; picked[n - 1] = rows - 1; }
      const out = gatherRows(arena, table, 'float32', picked, width);
      assert.ok(arena.offset(out) >= 0 || n === 0, 'the SIMD kernel wrote into the arena');
      const ref = new Float32Array(n * width);
      gatherRowsInto(table, picked, width, ref);
      assert.equal(Array.from(out), Array.from(ref), 'bit-exact copies');
      arena.release(out);
      // straight on the kernel, into a padded output: nothing is written past the last row
      const padded = arenaF32(n * width + 4, () => -7);
      const idsIn = arenaF32(Math.max(n, 1), () => 0);
      new Int32Array(idsIn.buffer, idsIn.byteOffset, n).set(picked);
      gatherRowsWasm.on(arena)!.run('gatherRows', [arena.offset(table), arena.offset(idsIn), width, arena.offset(padded)], n, false);
      assert.equal(Array.from(padded.subarray(0, n * width)), Array.from(ref));
      assert.equal(Array.from(padded.subarray(n * width)), [-7, -7, -7, -7], 'nothing written past the last row');
    }
    // int32 tables are copied the same way (4-byte values, bits untouched)
    const intTable = (arena.allocInArena('int32', rows * width) ?? arena.alloc('int32', rows * width)) as Int32Array;
    for (let i = 0; i < intTable.length; i++) intTable[i] = (i * 2654435761) | 0;
    const picked = ids(100, rows);
    const out = gatherRows(arena, intTable, 'int32', picked, width);
    const ref = new Int32Array(100 * width);
    gatherRowsInto(intTable, picked, width, ref);
    assert.equal(Array.from(out), Array.from(ref));
  });

  test(`segmentSum (width ${width}) adds exactly what the JavaScript loop adds, into zeros and into live rows`, () => {
    const n = 3000, segments = 700;
    const values = arenaF32(n * width, () => r.normal());
    const seg = ids(n, segments); // many repeats
    for (const start of [() => 0, () => r.normal()]) {
      const out = arenaF32(segments * width, start);
      const ref = Float32Array.from(out);
      assert.ok(gatherRowsWasm.on(arena), 'the SIMD kernel is there');
      segmentSum(arena, values, seg, width, out);
      segmentSumInto(values, seg, width, ref);
      assert.equal(Array.from(out), Array.from(ref), 'bit-exact float32 sums');
    }
    // float64 (gradient checks) and plain arrays take the loop, with the same result
    const v64 = Float64Array.from(values), o64 = new Float64Array(segments * width), r64 = new Float64Array(segments * width);
    segmentSum(arena, v64, seg, width, o64);
    segmentSumInto(v64, seg, width, r64);
    assert.equal(Array.from(o64), Array.from(r64));
  });

  test(`gatherDot and segmentSumScaled (width ${width}) equal the JavaScript kernels`, () => {
    const rowsA = 3000, rowsB = 500, n = 4000;
    const A = arenaF32(rowsA * width, () => r.normal());
    const B = arenaF32(rowsB * width, () => r.normal());
    const aIds = ids(n, rowsA), bIds = ids(n, rowsB);
    const out = arenaF32(n, () => 0);
    gatherDot(arena, A, B, aIds, bIds, width, out);
    const ref = new Float32Array(n);
    gatherDotRows(A, B, aIds, bIds, width, ref, 0, n);
    assert.ok(maxAbsDiff(out, ref) < 1e-5 * Math.sqrt(width), `gatherDot differs by ${maxAbsDiff(out, ref)}`);

    // the gradient of A: scale-weighted rows of B summed per unique id of A
    const scale = Float32Array.from({ length: n }, () => r.normal());
    const { unique, inverse } = uniqueSorted(aIds);
    const grad = arenaF32(unique.length * width, () => 0);
    segmentSumScaled(arena, scale, B, bIds, inverse, width, grad, unique.length);
    const gref = new Float32Array(unique.length * width);
    segmentSumScaledSegments(scale, B, bIds, inverse, width, gref, 0, unique.length);
    assert.ok(maxAbsDiff(grad, gref) < 1e-5, `segmentSumScaled differs by ${maxAbsDiff(grad, gref)}`);
  });

  test(`lazy Adam rows (width ${width}) equal the JavaScript kernel, touched rows only`, () => {
    const rows = 5000;
    const w = arenaF32(rows * width, () => r.normal());
    const m = arenaF32(rows * width, () => r.normal() * 0.01);
    const v = arenaF32(rows * width, () => r.next() * 1e-3);
    const [w0, m0, v0] = [w.slice(), m.slice(), v.slice()];
    const touched = uniqueSorted(ids(1500, rows)).unique;
    const steps = Int32Array.from(touched, () => 1 + r.int(50));
    const g = Float32Array.from({ length: touched.length * width }, () => r.normal() * 0.1);
    const [lr, b1, b2, eps, wd] = [0.01, 0.9, 0.999, 1e-8, 0.001];
    adamSparse(arena, w, { rows: touched, width, compactWeights: false }, g, m, v, steps, { lr, beta1: b1, beta2: b2, eps, weightDecay: wd });
    adamSparseRows(w0, g, m0, v0, touched, steps, width, lr, b1, b2, eps, wd, 0, touched.length);
    assert.ok(maxAbsDiff(w, w0) < 1e-6, `w differs by ${maxAbsDiff(w, w0)}`);
    assert.ok(maxAbsDiff(m, m0) < 1e-6, `m differs by ${maxAbsDiff(m, m0)}`);
    assert.ok(maxAbsDiff(v, v0) < 1e-7, `v differs by ${maxAbsDiff(v, v0)}`);
    // untouched rows are bit-for-bit unchanged (JS left them alone, so equality with w0 says it)
    const isTouched = new Uint8Array(rows);
    for (const t of touched) isTouched[t] = 1;
    for (let row = 0; row < rows; row++) {
      if (isTouched[row]) continue;
      for (let k = 0; k < width; k++) assert.is(w[row * width + k], w0[row * width + k]);
    }
  });
}

for (const N of [600, 7, 1]) {
  test(`spmm (CSR · dense, N = ${N}) equals the JavaScript kernel, empty rows included`, () => {
    const M = 300, K = 2000;
    const x = sg.fromDense(Float32Array.from({ length: M * K }, (_, i) => (Math.floor(i / K) % 7 === 3 ? 0 : r.next() < 0.01 ? r.normal() : 0)), [M, K]);
    const b = arenaF32(K * N, () => r.normal());
    const out = arenaF32(M * N, () => 0);
    const csr = { indptr: x.indptr, indices: x.indices, values: x.values, shape: [M, K] as [number, number] };
    spmm(arena, csr, b, N, out);
    const ref = new Float32Array(M * N);
    spmmInto(csr, b, N, ref);
    assert.ok(maxAbsDiff(out, ref) < 1e-5, `spmm differs by ${maxAbsDiff(out, ref)}`);
    assert.ok(out.subarray(3 * N, 4 * N).every((v) => v === 0), 'an empty row stays zero');
  });
}

test('dense Adam on a big float32 tensor (the SIMD path) equals the JavaScript kernel', () => {
  const w = sg.variable(sg.randn([300, 256], { seed: 5 }));
  assert.ok(arena.offset(w.rawSync()) >= 0, '300 KB: an arena array, so the SIMD kernel runs');
  const ref = Float32Array.from(w.dataSync());
  const m = new Float32Array(ref.length), v = new Float32Array(ref.length);
  const opts = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.001 };
  const opt = new sg.optim.Adam([w], opts);
  for (let step = 1; step <= 3; step++) {
    const c = sg.randn([300, 256], { seed: 10 + step });
    sg.tidy(() => sg.sum(sg.mul(w, c)).backward());
    opt.step();
    opt.zeroGrad();
    adamDense(arena, ref, c.dataSync() as Float32Array, m, v, 256, step, opts); // plain arrays: the JavaScript loop
    c.dispose();
  }
  assert.ok(maxAbsDiff(w.dataSync(), ref) < 1e-6, `differs by ${maxAbsDiff(w.dataSync(), ref)}`);
  opt.dispose();
  w.dispose();
});

test('MF training at a size that uses the wasm row kernels learns like the JavaScript ones', () => {
  // 8000 users × 16 dims = 512 KB tables: in the arena, on the wasm kernels and split with the worker
  const numUsers = 8000, numItems = 2000, n = 20000;
  const truthU = Float32Array.from({ length: numUsers * 4 }, () => r.normal());
  const truthI = Float32Array.from({ length: numItems * 4 }, () => r.normal());
  const user = ids(n, numUsers), item = ids(n, numItems);
  const label = Float32Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let k = 0; k < 4; k++) s += truthU[user[i] * 4 + k] * truthI[item[i] * 4 + k];
    return s;
  });
  const model = new sg.models.MatrixFactorization({ numUsers, numItems, dim: 16, seed: 3 });
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.02 });
  const batch = { inputs: { user, item }, label };
  const losses: number[] = [];
  for (let step = 0; step < 60; step++) {
    sg.tidy(() => {
      const loss = model.trainingStep(batch).loss;
      losses.push(loss.item());
      loss.backward();
      opt.step();
      opt.zeroGrad();
    });
  }
  const variance = label.reduce((s, x) => s + x * x, 0) / n;
  assert.ok(losses[59] < 0.5 * variance, `MSE ${losses[59]} vs label variance ${variance}`);
  assert.ok(losses[59] < losses[0] / 2);
  model.dispose();
  opt.dispose();
});

test.run();
