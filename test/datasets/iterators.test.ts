import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  BatchIterator, NegativeSamplingIterator, UserRowIterator, buildCSR, prefetch, synthetic, type InteractionData,
} from '../../datasets/index.js';

function columns(n: number) {
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const label = new Float32Array(n);
  for (let e = 0; e < n; e++) {
    user[e] = e % 13;
    item[e] = e;
    label[e] = e / 2;
  }
  return { user, item, label };
}

test('BatchIterator covers every sample exactly once per epoch, inputs and labels aligned', () => {
  const { user, item, label } = columns(1003);
  const it = new BatchIterator({ inputs: { user, item }, label, batchSize: 100, shuffle: true, seed: 4 });
  assert.is(it.numBatches, 11);
  const orders: number[][] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    const seen: number[] = [];
    let batches = 0;
    for (const b of it) {
      batches++;
      assert.is(b.pad, 0);
      assert.is(b.inputs.item.length, b.size);
      for (let k = 0; k < b.size; k++) {
        const e = b.inputs.item[k];
        assert.is(b.inputs.user[k], user[e]);
        assert.is(b.label![k], label[e]);
        assert.is(b.index[k], e);
      }
      seen.push(...b.inputs.item);
    }
    assert.is(batches, 11);
    assert.equal([...seen].sort((a, b) => a - b), Array.from(item));
    orders.push(seen);
  }
  assert.is(it.epoch, 2);
  assert.not.equal(orders[0], orders[1], 'each epoch reshuffles');
  // same seed → same epochs
  const again = new BatchIterator({ inputs: { user, item }, label, batchSize: 100, shuffle: true, seed: 4 });
  assert.equal([...again].flatMap((b) => [...b.inputs.item]), orders[0]);
  assert.equal([...again].flatMap((b) => [...b.inputs.item]), orders[1]);
});

test('BatchIterator lastBatch: keep, discard, pad (MXNet style), no shuffle keeps order', () => {
  const { user, item, label } = columns(250);
  const sizes = (it: BatchIterator) => [...it].map((b) => [b.size, b.pad]);
  assert.equal(sizes(new BatchIterator({ inputs: { item }, label, batchSize: 100 })), [[100, 0], [100, 0], [50, 0]]);
  assert.equal(sizes(new BatchIterator({ inputs: { item }, label, batchSize: 100, lastBatch: 'discard' })), [[100, 0], [100, 0]]);
  const pad = new BatchIterator({ inputs: { user, item }, label, batchSize: 100, lastBatch: 'pad' });
  const batches = [...pad];
  assert.equal(batches.map((b) => [b.size, b.pad, b.inputs.item.length]), [[100, 0, 100], [100, 0, 100], [50, 50, 100]]);
  // padding wraps around to the start of the epoch
  assert.equal(Array.from(batches[2].inputs.item.subarray(48, 52)), [248, 249, 0, 1]);
  assert.equal(Array.from(batches[0].inputs.item.subarray(0, 3)), [0, 1, 2]);
  assert.is(new BatchIterator({ inputs: { item }, batchSize: 100, lastBatch: 'discard' }).numBatches, 2);
  assert.throws(() => new BatchIterator({ inputs: { user, item: item.subarray(1) }, batchSize: 10 }), /input 'item' has 249 rows but 'user' has 250/);
});

test('BatchIterator.fromRatings and next()/reset()', () => {
  const ds = synthetic.randomMatrix({ seed: 1, samples: 1000 });
  const it = BatchIterator.fromRatings(ds, { batchSize: 300 });
  const b = it.next()!;
  assert.equal(Object.keys(b.inputs), ['user', 'item']);
  assert.is(b.label![5], ds.ratings[5]);
  it.next(); it.next(); it.next();
  assert.is(it.next(), null);
  it.reset();
  assert.is(it.next()!.inputs.user[0], ds.users[0]);
});

test("NegativeSamplingIterator: the seed talk's example (2 users × 2 positives, 4 items)", () => {
  // user 0 likes items 0, 1; user 1 likes items 2, 3: every negative of a user must be one of the other's items
  const data: InteractionData = {
    numUsers: 2, numItems: 4,
    users: Int32Array.from([0, 0, 1, 1]), items: Int32Array.from([0, 1, 2, 3]), ratings: Float32Array.from([1, 1, 1, 1]),
  };
  for (const sampler of ['uniform', 'popularity'] as const) {
    const it = new NegativeSamplingIterator(data, { sampleRatio: 5, batchSize: 4, seed: 1, sampler });
    for (let epoch = 0; epoch < 20; epoch++) {
      for (const b of it) {
        assert.is(b.size, 4 * 6);
        for (let k = 0; k < b.size; k++) {
          const u = b.inputs.user[k];
          const j = b.inputs.item[k];
          if (b.label![k] === 1) assert.ok(u === 0 ? j < 2 : j >= 2);
          else assert.ok(u === 0 ? j >= 2 : j < 2, `user ${u} got negative ${j}`);
        }
        // layout: each positive followed by its 5 negatives
        for (let p = 0; p < 4; p++) assert.equal(Array.from(b.label!.subarray(p * 6, p * 6 + 6)), [1, 0, 0, 0, 0, 0]);
      }
    }
  }
});

test('NegativeSamplingIterator never returns a positive; users with nearly all / all items', () => {
  const ds = synthetic.movielensLike({ preset: 'tiny', seed: 2 });
  const pos = new Set(Array.from(ds.users, (u, e) => u * ds.numItems + ds.items[e]));
  for (const sampler of ['uniform', 'popularity'] as const) {
    const it = new NegativeSamplingIterator(ds, { sampleRatio: 3, batchSize: 4096, seed: 9, sampler });
    let negatives = 0;
    for (const b of it) {
      for (let k = 0; k < b.size; k++) {
        if (b.label![k] === 0) {
          negatives++;
          assert.ok(!pos.has(b.inputs.user[k] * ds.numItems + b.inputs.item[k]));
        }
      }
    }
    assert.is(negatives, 3 * ds.ratings.length);
  }
  // user 0 has 9 of 10 items (only item 4 is left), user 1 has all 10, user 2 has one
  const users: number[] = [];
  const items: number[] = [];
  for (let j = 0; j < 10; j++) if (j !== 4) { users.push(0); items.push(j); }
  for (let j = 0; j < 10; j++) { users.push(1); items.push(j); }
  users.push(2); items.push(7);
  const dense: InteractionData = { numUsers: 3, numItems: 10, users: Int32Array.from(users), items: Int32Array.from(items), ratings: new Float32Array(users.length).fill(1) };
  for (const sampler of ['uniform', 'popularity'] as const) {
    const it = new NegativeSamplingIterator(dense, { sampleRatio: 4, batchSize: 100, seed: 3, sampler });
    assert.is(it.usersWithoutNegatives, 1);
    const b = it.next()!;
    for (let k = 0; k < b.size; k++) {
      if (b.label![k] === 0) {
        assert.ok(b.inputs.user[k] !== 1, 'a user with every item gets no negatives');
        if (b.inputs.user[k] === 0) assert.is(b.inputs.item[k], 4);
        if (b.inputs.user[k] === 2) assert.ok(b.inputs.item[k] !== 7);
      }
    }
    assert.is(b.size, 20 + 9 * 4 + 1 * 4);
  }
});

test('NegativeSamplingIterator: exclude a larger positive set; deterministic per seed', () => {
  const ds = synthetic.movielensLike({ preset: 'tiny', seed: 4 });
  const half = { ...ds, users: ds.users.subarray(0, 15000), items: ds.items.subarray(0, 15000), ratings: ds.ratings.subarray(0, 15000) };
  const all = new Set(Array.from(ds.users, (u, e) => u * ds.numItems + ds.items[e]));
  const it = new NegativeSamplingIterator(half, { exclude: ds, seed: 1, batchSize: 5000 });
  const first: number[] = [];
  for (const b of it) {
    for (let k = 0; k < b.size; k++) if (b.label![k] === 0) assert.ok(!all.has(b.inputs.user[k] * ds.numItems + b.inputs.item[k]));
    if (first.length === 0) first.push(...b.inputs.item.subarray(0, 50));
  }
  const again = new NegativeSamplingIterator(half, { exclude: ds, seed: 1, batchSize: 5000 });
  assert.equal(Array.from(again.next()!.inputs.item.subarray(0, 50)), first);
  // on a BatchIterator base
  const base = BatchIterator.fromRatings(half, { batchSize: 1000 });
  const onBase = new NegativeSamplingIterator(base, { sampleRatio: 2, numItems: ds.numItems, numUsers: ds.numUsers });
  assert.is(onBase.next()!.size, 3000);
  // padded positives' rows come last and count as pad
  const padded = new NegativeSamplingIterator(BatchIterator.fromRatings(half, { batchSize: 4000, lastBatch: 'pad' }), { sampleRatio: 2, exclude: ds });
  const last = [...padded].pop()!;
  assert.is(last.size, (15000 % 4000) * 3);
  assert.is(last.pad, (4000 - (15000 % 4000)) * 3);
  assert.is(last.inputs.user.length, 12000);
});

test('UserRowIterator yields CSR batches of rows with matching targets, every row once', () => {
  const rows = [0, 0, 1, 2, 2, 2, 4, 5, 6, 6];
  const cols = [1, 3, 0, 2, 5, 7, 1, 1, 0, 9];
  const m = buildCSR(Int32Array.from(rows), Int32Array.from(cols), null, [7, 10]);
  const t = buildCSR(Int32Array.from([0, 3, 6]), Int32Array.from([4, 4, 4]), null, [7, 10]);
  const it = new UserRowIterator(m, { batchSize: 3, shuffle: true, seed: 2, targets: t });
  assert.is(it.numBatches, 3);
  for (let epoch = 0; epoch < 2; epoch++) {
    const seen: number[] = [];
    for (const b of it) {
      const x = b.inputs.rows;
      assert.is(x.rows, b.size);
      assert.is(x.cols, 10);
      assert.is(b.pad, 0);
      b.index.forEach((r, k) => {
        assert.equal(Array.from(x.indices.subarray(x.indptr[k], x.indptr[k + 1])), Array.from(m.indices.subarray(m.indptr[r], m.indptr[r + 1])));
        const tl = b.label!.indptr[k + 1] - b.label!.indptr[k];
        assert.is(tl, [0, 3, 6].includes(r) ? 1 : 0);
      });
      // the old field names still work (deprecated)
      assert.ok(b.input === x && b.target === b.label && b.rows === b.index);
      seen.push(...b.index);
    }
    assert.equal(seen.sort(), [0, 1, 2, 3, 4, 5, 6]);
  }
  assert.throws(() => new UserRowIterator(m, { batchSize: 2, targets: buildCSR(new Int32Array(0), new Int32Array(0), null, [3, 10]) }), /targets has 3 rows/);
});

test('prefetch yields the same batches in order, from sync and async sources, and passes errors on', async () => {
  const { user, item, label } = columns(1000);
  const plain = [...new BatchIterator({ inputs: { user, item }, label, batchSize: 64, shuffle: true, seed: 1 })].map((b) => Array.from(b.inputs.item));
  for (const depth of [1, 3]) {
    const got: number[][] = [];
    for await (const b of prefetch(new BatchIterator({ inputs: { user, item }, label, batchSize: 64, shuffle: true, seed: 1 }), { depth })) {
      await new Promise((r) => setTimeout(r, 0));
      got.push(Array.from(b.inputs.item));
    }
    assert.equal(got, plain);
  }
  async function* slow() { for (let i = 0; i < 5; i++) { await new Promise((r) => setTimeout(r, 1)); yield i; } }
  const fromAsync: number[] = [];
  for await (const x of prefetch(slow(), { depth: 2 })) fromAsync.push(x);
  assert.equal(fromAsync, [0, 1, 2, 3, 4]);
  function* failing() { yield 1; throw new Error('batch 2 broke'); }
  const out: number[] = [];
  try {
    for await (const x of prefetch(failing())) out.push(x);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, 'batch 2 broke');
  }
  assert.equal(out, [1]);
  // breaking early is fine
  for await (const x of prefetch([1, 2, 3, 4])) if (x === 2) break;
});

test.run();
