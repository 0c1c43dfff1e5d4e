/** recommend()/similarItems() results serialise as plain arrays with float32-shortest scores. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { shortestFloat32, topK } from '../../models/serving.js';

test('JSON.stringify of a TopK gives plain arrays', () => {
  const r = topK(Float32Array.from([0.1, 4.1, -2, 3.3333333]), 3, [0]);
  assert.is(JSON.stringify(r), '{"indices":[1,3,2],"scores":[4.1,3.3333333,-2]}');
  assert.is(r.length, 3);
  assert.instance(r.indices, Int32Array);
});

test('shortestFloat32 reads back as the same float32', () => {
  for (const x of [0, 1, 0.1, 1 / 3, 65504, 1e-38, 3.4028234663852886e38, -7.25, 123456.789]) {
    const f = Math.fround(x);
    const s = shortestFloat32(f);
    assert.is(Math.fround(s), f, `${x}`);
    assert.ok(String(s).replace(/^-|\.|e.*$/g, '').replace(/^0+/, '').length <= 9, `${s} has at most 9 digits`);
  }
  assert.is(shortestFloat32(Math.fround(0.1)), 0.1);
});

test.run();
