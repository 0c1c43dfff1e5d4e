/**
 * The music case: customer and item embeddings over a large catalog (1,000,000 items by
 * default), trained with weight decay on positives and sampled negatives, once with
 * row-sparse gradients (lazy update: only the rows a batch touched are read, decayed and
 * written) and once with dense gradients (every step builds and applies a full
 * [items, dim] gradient). Same data, same seed, same model; reported: seconds per epoch and
 * the final quality.
 *
 * SGD with weight decay, as in the seed. The loss is a mean over the batch's 6 × 1024 pairs,
 * so lr 1000 is ≈ 0.16 per pair, and SGD's decay per step is lr · weightDecay = 1e-4.
 * Lazy vs dense differ only in the rows a batch did not touch: dense decays them a little
 * every step, lazy leaves them alone. (With AdaGrad or Adam and weight decay the gap is
 * dramatic: the dense update normalises the tiny decay gradient of an untouched row into
 * a full lr-sized step, and the whole table collapses toward zero — try
 * `--optimizer adagrad --lr 0.1 --weight-decay 1e-4`. Without decay, lazy and dense
 * AdaGrad give identical results.)
 *
 * The data: items fall into `topics` taste clusters with power-law popularity; each customer
 * prefers one cluster and picks items by popularity, 85% inside it. Each customer's last
 * pick is held out. Scoring 1M items for every test customer would dominate the run, so
 * quality is measured the usual sampled way (as in neural collaborative filtering): the
 * held-out item ranked among 100 random items that have clicks — HitRate@10 and NDCG@10 —
 * next to popularity.
 *
 *   node scripts/run-example.mjs embedding-model [--items 1000000] [--users 10000]
 *     [--per-user 20] [--topics 200] [--dim 32] [--epochs 5] [--batch-size 1024]
 *     [--optimizer sgd|adagrad|adam] [--lr 1000] [--weight-decay 1e-7] [--item-bias]
 *     [--scoring dot|cosine|euclidean] [--only sparse|dense]
 */
import * as sg from '../index.js';
import { randomStream } from '../core/random.js';
import { AliasTable } from '../datasets/alias.js';
import { NegativeSamplingIterator } from '../datasets/iterators/negative.js';
import type { InteractionData } from '../datasets/types.js';
import { flags } from './lib/implicit-data.js';

interface Catalog {
  train: InteractionData;
  /** held-out (customer, item) pairs */
  testUsers: Int32Array;
  testItems: Int32Array;
  /** clicks per item in train (the popularity baseline) */
  counts: Float32Array;
}

function makeCatalog(users: number, items: number, perUser: number, topics: number, seed: number): Catalog {
  const rng = randomStream('catalog', seed);
  // item i belongs to topic i % topics
  // power-law popularity over a random order of the items
  const order = rng.shuffle(Int32Array.from({ length: items }, (_, i) => i));
  const weight = new Float64Array(items);
  order.forEach((item, r) => { weight[item] = Math.pow(r + 1, -0.8); });
  const all = new AliasTable(weight);
  const perTopic = Math.ceil(items / topics);
  const byTopic: AliasTable[] = [];
  for (let t = 0; t < topics; t++) {
    const w = new Float64Array(perTopic);
    for (let j = 0; j < perTopic; j++) w[j] = t + j * topics < items ? weight[t + j * topics] : 0;
    byTopic.push(new AliasTable(w));
  }
  const us = new Int32Array(users * (perUser - 1));
  const is = new Int32Array(users * (perUser - 1));
  const testUsers = new Int32Array(users);
  const testItems = new Int32Array(users);
  const seen = new Set<number>();
  let k = 0;
  for (let u = 0; u < users; u++) {
    const t = rng.int(topics);
    seen.clear();
    for (let n = 0; n < perUser;) {
      const i = rng.next() < 0.85 ? t + byTopic[t].sample(rng) * topics : all.sample(rng);
      if (i >= items || seen.has(i)) continue;
      seen.add(i);
      if (++n === perUser) { testUsers[u] = u; testItems[u] = i; } else { us[k] = u; is[k++] = i; }
    }
  }
  const counts = new Float32Array(items);
  for (const i of is) counts[i]++;
  return {
    train: { name: 'catalog', numUsers: users, numItems: items, users: us, items: is, ratings: new Float32Array(us.length).fill(1) },
    testUsers, testItems, counts,
  };
}

/**
 * HitRate@10 and NDCG@10 of the held-out item among 100 random items that have train
 * clicks, for a pair scorer. (Never-clicked items are left out: no model knows anything
 * about them, and their scores only tell how each update treats untouched rows — a dense
 * weight decay shrinks them to zero at every step, a lazy one leaves them at their random
 * initial values.)
 */
function sampledRanking(score: (users: Int32Array, items: Int32Array) => Float32Array, c: Catalog, seed: number): { hr10: number; ndcg10: number } {
  const rng = randomStream('eval', seed);
  const clicked: number[] = [];
  for (let i = 0; i < c.counts.length; i++) if (c.counts[i] > 0) clicked.push(i);
  const n = c.testUsers.length;
  const users = new Int32Array(n * 101);
  const items = new Int32Array(n * 101);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < 101; j++) {
      users[r * 101 + j] = c.testUsers[r];
      items[r * 101 + j] = j === 0 ? c.testItems[r] : clicked[rng.int(clicked.length)];
    }
  }
  const s = score(users, items);
  let hr = 0;
  let ndcg = 0;
  for (let r = 0; r < n; r++) {
    const mine = s[r * 101];
    // items scored above it, ties counting half (a model that scores everything alike
    // must not look perfect)
    let above = 0;
    for (let j = 1; j < 101; j++) above += s[r * 101 + j] > mine ? 1 : s[r * 101 + j] === mine ? 0.5 : 0;
    const rank = Math.floor(above);
    if (rank < 10) { hr++; ndcg += 1 / Math.log2(rank + 2); }
  }
  return { hr10: hr / n, ndcg10: ndcg / n };
}

export async function runEmbeddingModel(o: {
  items?: number; users?: number; perUser?: number; topics?: number; dim?: number; epochs?: number; batchSize?: number;
  lr?: number; weightDecay?: number; scoring?: sg.models.Scoring; only?: string; seed?: number; optimizer?: 'sgd' | 'adagrad' | 'adam'; itemBias?: boolean;
} = {}) {
  const seed = o.seed ?? 0;
  const items = o.items ?? 1_000_000;
  const t0 = performance.now();
  const c = makeCatalog(o.users ?? 10_000, items, o.perUser ?? 20, o.topics ?? 200, seed);
  console.log(`catalog: ${items} items, ${c.train.numUsers} customers, ${c.train.users.length} train clicks, ` +
    `${new Set(c.train.items).size} distinct items clicked (${((performance.now() - t0) / 1000).toFixed(1)} s to generate)`);
  const pop = sampledRanking((_, it) => Float32Array.from(it, (i) => c.counts[i] + 1e-3 * (i / items)), c, seed);
  console.log(`popularity: HR@10 ${pop.hr10.toFixed(4)} NDCG@10 ${pop.ndcg10.toFixed(4)}`);
  const results: { variant: string; secPerEpoch: number; hr10: number; ndcg10: number }[] = [];
  for (const sparseGrad of [true, false]) {
    const variant = sparseGrad ? 'sparse' : 'dense';
    if (o.only && o.only !== variant) continue;
    sg.setSeed(seed);
    const model = new sg.models.EmbeddingModel({ numUsers: c.train.numUsers, numItems: items, dim: o.dim ?? 32, scoring: o.scoring ?? 'dot', itemBias: o.itemBias ?? false, sparseGrad, seed });
    const it = new NegativeSamplingIterator(c.train, { sampleRatio: 5, batchSize: o.batchSize ?? 1024, seed, numUsers: c.train.numUsers, numItems: items });
    console.log(`\n== ${variant} gradients (${sparseGrad ? 'RowSparse, lazy update' : 'dense [items, dim], full update'}) ==`);
    const h = await sg.train.fit(model, it, {
      epochs: o.epochs ?? 5, optimizer: { name: o.optimizer ?? 'sgd', lr: o.lr ?? 1000, weightDecay: o.weightDecay ?? 1e-7 }, metrics: [], batchEndEvery: 0,
    });
    const secPerEpoch = h.epochs.reduce((s, e) => s + e.timeSec, 0) / h.epochs.length;
    // the model's logit of each pair (score, item bias and offset), as in training
    const q = sampledRanking((us, is) => sg.noGrad(() => sg.tidy(() => Float32Array.from(model.forwardBatch({ inputs: { user: us, item: is } }).dataSync()))), c, seed);
    results.push({ variant, secPerEpoch, ...q });
    model.dispose();
    h.optimizer.dispose();
  }
  console.log('\n| gradients | s/epoch | HR@10 (1 of 101) | NDCG@10 |');
  console.log('|---|---|---|---|');
  console.log(`| popularity | – | ${pop.hr10.toFixed(4)} | ${pop.ndcg10.toFixed(4)} |`);
  for (const r of results) console.log(`| ${r.variant} | ${r.secPerEpoch.toFixed(1)} | ${r.hr10.toFixed(4)} | ${r.ndcg10.toFixed(4)} |`);
  if (results.length === 2) console.log(`\nsparse is ${(results[1].secPerEpoch / results[0].secPerEpoch).toFixed(1)}× faster per epoch`);
  return { popularity: pop, results };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = flags();
  await runEmbeddingModel({
    items: f.num('items', 1_000_000), users: f.num('users', 10_000), perUser: f.num('per-user', 20), topics: f.num('topics', 200),
    dim: f.num('dim', 32), epochs: f.num('epochs', 5), batchSize: f.num('batch-size', 1024), lr: f.num('lr', 1000),
    weightDecay: f.num('weight-decay', 1e-7), optimizer: f.get('optimizer') as 'sgd' | 'adagrad' | 'adam' | undefined, itemBias: f.has('item-bias'), scoring: f.get('scoring') as sg.models.Scoring | undefined, only: f.get('only'), seed: f.num('seed', 0),
  });
}
