/** IEEE binary16: exhaustive decode, exact round-to-nearest-even encode, float16 tensors. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { floatToHalf, halfToFloat, halfTable } from '../../core/float16.js';
import { randomStream } from '../../core/random.js';

/** Independent decode: build the float32 bit pattern of a half directly. */
function decodeViaBits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return (sign ? -1 : 1) * mant * 2 ** -24;
  const u = new Uint32Array(1);
  u[0] = exp === 31 ? sign | 0x7f800000 | (mant << 13) : sign | ((exp - 15 + 127) << 23) | (mant << 13);
  return new Float32Array(u.buffer)[0];
}

test('decode: all 65,536 half bit patterns', () => {
  const table = halfTable();
  for (let h = 0; h < 65536; h++) {
    const ref = decodeViaBits(h);
    if (Number.isNaN(ref)) assert.ok(Number.isNaN(table[h]), `h=${h}`);
    else if (table[h] !== ref) assert.unreachable(`decode(0x${h.toString(16)}) = ${table[h]}, expected ${ref}`);
  }
});

test('encode(decode(h)) = h for every non-NaN half (±0 included)', () => {
  for (let h = 0; h < 65536; h++) {
    const v = halfToFloat(h);
    if (Number.isNaN(v)) {
      assert.ok(Number.isNaN(halfToFloat(floatToHalf(v))));
      continue;
    }
    const back = floatToHalf(v);
    if (back !== h) assert.unreachable(`0x${h.toString(16)} → ${v} → 0x${back.toString(16)}`);
  }
});

test('encode: edge values, overflow, subnormals, ties to even', () => {
  const cases: [number, number][] = [
    [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [65504, 0x7bff], [65519.99, 0x7bff],
    [65520, 0x7c00], [1e6, 0x7c00], [-1e6, 0xfc00], [Infinity, 0x7c00], [-Infinity, 0xfc00],
    [2 ** -24, 0x0001], [2 ** -25, 0x0000], [1.5 * 2 ** -25, 0x0001], [3 * 2 ** -25, 0x0002],
    [2 ** -14, 0x0400], [2 ** -14 - 2 ** -25, 0x0400], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
    [1 + 2 ** -10, 0x3c01], [2048 + 1, 0x6800], [2048 + 3, 0x6802],
  ];
  for (const [v, h] of cases) assert.is(floatToHalf(v), h, `encode(${v})`);
  assert.ok(Number.isNaN(halfToFloat(floatToHalf(NaN))));
});

test('encode matches a brute-force nearest-half search on random float32 values', () => {
  // all finite non-negative halves, ascending
  const finite: number[] = [];
  for (let h = 0; h < 0x7c00; h++) finite.push(halfToFloat(h));
  const nearest = (x: number): number => {
    const a = Math.abs(x);
    if (a >= 65520) return x > 0 ? 0x7c00 : 0xfc00;
    let lo = 0;
    let hi = finite.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (finite[mid] <= a) lo = mid; else hi = mid;
    }
    const dl = a - finite[lo];
    const dh = finite[hi] - a;
    const pick = dl < dh ? lo : dh < dl ? hi : (lo % 2 === 0 ? lo : hi);
    return (x < 0 || Object.is(x, -0) ? 0x8000 : 0) | pick;
  };
  const r = randomStream('f16', 1);
  const f = new Float32Array(1);
  for (let i = 0; i < 200000; i++) {
    f[0] = (r.next() < 0.5 ? -1 : 1) * Math.pow(2, -28 + r.next() * 46) * (1 + r.next());
    const x = f[0];
    const got = floatToHalf(x);
    const want = nearest(x);
    if (got !== want) assert.unreachable(`encode(${x}) = 0x${got.toString(16)}, expected 0x${want.toString(16)}`);
  }
});

test('float16 tensors: storage, cast, and ops within half-precision tolerance of float32', () => {
  const a32 = sg.randn([17, 9], { seed: 1 });
  const b32 = sg.randn([9, 5], { seed: 2 });
  const a16 = a32.cast('float16');
  const b16 = b32.cast('float16');
  assert.is(a16.dtype, 'float16');
  assert.is(a16.bytes * 2, a32.bytes);
  const close = (x: sg.Tensor, y: sg.Tensor, tol: number) => {
    const u = x.dataSync();
    const v = y.dataSync();
    for (let i = 0; i < u.length; i++) {
      if (Math.abs(u[i] - v[i]) > tol * Math.max(1, Math.abs(v[i]))) assert.unreachable(`${u[i]} vs ${v[i]} at ${i}`);
    }
  };
  close(sg.matmul(a16, b16), sg.matmul(a32, b32), 1e-2);
  assert.is(sg.matmul(a16, b16).dtype, 'float16');
  close(sg.softmax(a16), sg.softmax(a32), 2e-3);
  close(sg.add(sg.tanh(a16), 1), sg.add(sg.tanh(a32), 1), 2e-3);
  close(sg.sum(a16, 0), sg.sum(a32, 0), 1e-2);
  close(sg.gather(a16, [3, 16, 3]), sg.gather(a32, [3, 16, 3]), 1e-3);
  // the gradient of a float16 variable arrives in float16
  const w = sg.variable(sg.ones([4], 'float16'));
  sg.sum(sg.mul(w, 3)).backward();
  assert.is((w.grad as sg.Tensor).dtype, 'float16');
  assert.equal(Array.from((w.grad as sg.Tensor).dataSync()), [3, 3, 3, 3]);
});

test('float16 embedding table: half the bytes, sparse updates touch only their rows', () => {
  const e16 = new sg.nn.Embedding({ num: 1000, dim: 8, dtype: 'float16', seed: 3 });
  const e32 = new sg.nn.Embedding({ num: 1000, dim: 8, seed: 3 });
  assert.is(e16.weight.bytes, e32.weight.bytes / 2);
  const before = e16.weight.rawSync().slice();
  const opt = new sg.optim.Adam([e16.weight], { lr: 0.01 });
  sg.mse(e16.forward([5, 7, 5]), sg.ones([3, 8])).backward();
  opt.step();
  const after = e16.weight.rawSync();
  for (let r = 0; r < 1000; r++) {
    const changed = after.slice(r * 8, r * 8 + 8).some((v, j) => v !== before[r * 8 + j]);
    assert.is(changed, r === 5 || r === 7, `row ${r}`);
  }
});

test.run();
