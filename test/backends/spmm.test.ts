/**
 * The grouped CSR × dense kernel (backends/cpu/spmm.ts) against its JavaScript twin (float64
 * sums): widths around the vector and group sizes, rows with 0–20 entries (every group path),
 * an output full of garbage beforehand (every element must be written), column windows of
 * wider matrices (the strided form gather-concat.ts uses), and the same bits with the worker
 * threads as without.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import type { CpuBackend } from '../../backends/cpu/index.js';
import { spmm, spmmInto, spmmStrided, wasm } from '../../backends/cpu/spmm.js';
import { setBackoff, setThreads } from '../../backends/cpu/threads.js';
import { randomStream } from '../../core/random.js';


// a busy machine must not make the threads tests run on one thread
setBackoff(false);
const r = randomStream('spmm-test', 1);
const arena = (sg.engine.getBackendInstance('cpu') as CpuBackend).arena;
const inArena = (n: number, f: () => number) => { const a = arena.allocInArena('float32', n) as Float32Array; for (let i = 0; i < n; i++) a[i] = f(); return a; };

/** M rows over K columns, row i with i mod 21 entries (0 … 20: every group size), distinct columns */
function csr(M: number, K: number) {
  const indptr = new Int32Array(M + 1), indices: number[] = [], values: number[] = [];
  for (let i = 0; i < M; i++) {
    const cols = new Set<number>();
    while (cols.size < Math.min(K, i % 21)) cols.add(r.int(K));
    for (const c of [...cols].sort((a, b) => a - b)) { indices.push(c); values.push(r.normal()); }
    indptr[i + 1] = indices.length;
  }
  return { indptr, indices: Int32Array.from(indices), values: Float32Array.from(values), shape: [M, K] as [number, number] };
}
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };

test('spmm kernel = JavaScript twin on every width and group path, over garbage', () => {
  assert.ok(wasm.on(arena), 'the WebAssembly kernel is compiled on the arena');
  for (const N of [1, 3, 4, 7, 8, 33, 64, 600]) {
    const x = csr(63, 300);
    const b = inArena(300 * N, () => r.normal());
    const out = inArena(63 * N, () => NaN);
    spmm(arena, x, b, N, out);
    const ref = new Float32Array(63 * N).fill(NaN);
    spmmInto(x, b, N, ref);
    assert.ok(maxAbsDiff(out, ref) < 1e-5, `N=${N}: differs by ${maxAbsDiff(out, ref)}`);
    assert.ok(out.subarray(0, N).every((v) => v === 0) && out.subarray(21 * N, 22 * N).every((v) => v === 0), `N=${N}: empty rows are written as zeros`);
  }
});

test('the strided form reads a column window of b and writes a column window of out', () => {
  const x = csr(40, 50), N = 5, ldb = 12, ldo = 9;
  const b = inArena(50 * ldb, () => r.normal());
  const out = inArena(40 * ldo, () => -7);
  assert.ok(spmmStrided(arena, x.indptr, x.indices, x.values, b, 4, ldb, N, out, 2, ldo));
  for (let i = 0; i < 40; i++) {
    for (let j = 0; j < ldo; j++) {
      let want = -7;
      if (j >= 2 && j < 2 + N) {
        want = 0;
        for (let p = x.indptr[i]; p < x.indptr[i + 1]; p++) want += x.values[p] * b[x.indices[p] * ldb + 4 + j - 2];
      }
      assert.ok(Math.abs(out[i * ldo + j] - want) < 1e-5, `out[${i}, ${j}] = ${out[i * ldo + j]}, want ${want}`);
    }
  }
});

test('spmm kernel: the same bits with the worker threads as on one thread', () => {
  const x = csr(3000, 2000), N = 96;
  const b = inArena(2000 * N, () => r.normal());
  const shared = inArena(3000 * N, () => 0), alone = inArena(3000 * N, () => 0);
  spmm(arena, x, b, N, shared);
  const before = setThreads(1);
  try {
    spmm(arena, x, b, N, alone);
  } finally {
    setThreads(before);
  }
  assert.equal(Array.from(shared), Array.from(alone));
});

test.run();
