/**
 * Implicit-feedback data with planted structure, for the tests of the implicit and
 * user-level models: items fall into topics, each user prefers one topic, and picks items
 * by popularity — mostly inside their topic. Popularity alone then ranks well; knowing the
 * user's topic ranks much better, so a model that learns the structure beats the
 * popularity baseline by a clear margin.
 */
import { randomStream } from '../../core/random.js';
import { AliasTable } from '../../datasets/alias.js';
import type { InteractionData } from '../../datasets/types.js';
import { buildCSR } from '../../datasets/matrix.js';
import type { CSR } from '../../core/csr.js';

export interface Planted extends InteractionData {
  implicit: true;
  userTopic: Int32Array;
  itemTopic: Int32Array;
  /** [users, items] binary */
  matrix: CSR;
}

export interface PlantedOptions {
  users?: number;
  items?: number;
  topics?: number;
  /** items per user: min and max (uniform) */
  perUser?: [number, number];
  /** share of a user's picks inside their topic (default 0.85) */
  inTopic?: number;
  seed?: number;
}

export function planted(opts: PlantedOptions = {}): Planted {
  const U = opts.users ?? 400;
  const I = opts.items ?? 300;
  const T = opts.topics ?? 6;
  const [lo, hi] = opts.perUser ?? [15, 40];
  const inTopic = opts.inTopic ?? 0.85;
  const rng = randomStream('planted', opts.seed ?? 1);
  const itemTopic = Int32Array.from({ length: I }, (_, i) => i % T);
  // power-law popularity over a random order of items
  const order = rng.shuffle(Int32Array.from({ length: I }, (_, i) => i));
  const weight = new Float64Array(I);
  order.forEach((item, r) => { weight[item] = Math.pow(r + 1, -0.7); });
  const all = new AliasTable(weight);
  const byTopic: AliasTable[] = [];
  const topicItems: number[][] = Array.from({ length: T }, () => []);
  for (let i = 0; i < I; i++) topicItems[itemTopic[i]].push(i);
  for (let t = 0; t < T; t++) byTopic.push(new AliasTable(topicItems[t].map((i) => weight[i])));
  const userTopic = Int32Array.from({ length: U }, () => rng.int(T));
  const us: number[] = [];
  const is: number[] = [];
  const seen = new Int32Array(I).fill(-1);
  for (let u = 0; u < U; u++) {
    const n = lo + rng.int(hi - lo + 1);
    for (let k = 0, tries = 0; k < n && tries < 50 * n; tries++) {
      const i = rng.next() < inTopic ? topicItems[userTopic[u]][byTopic[userTopic[u]].sample(rng)] : all.sample(rng);
      if (seen[i] === u) continue;
      seen[i] = u;
      us.push(u);
      is.push(i);
      k++;
    }
  }
  const users = Int32Array.from(us);
  const items = Int32Array.from(is);
  return {
    name: 'planted', numUsers: U, numItems: I, users, items, ratings: new Float32Array(users.length).fill(1), implicit: true,
    userTopic, itemTopic, matrix: buildCSR(users, items, null, [U, I], 'max'),
  };
}

/** The user×item matrix of some (user, item) rows, [numUsers, numItems]. */
export function matrixOf(data: Pick<InteractionData, 'users' | 'items' | 'numUsers' | 'numItems'>): CSR {
  return buildCSR(data.users, data.items, null, [data.numUsers, data.numItems], 'max');
}

/**
 * Bag-of-words features per item: two words from its topic's vocabulary, one common word
 * shared by all topics, and its topic as a "genre" column. [items, topics·wordsPerTopic +
 * common + topics]: a text tower can tell an item's topic from its words alone.
 */
export function topicText(itemTopic: Int32Array, topics: number, opts: { wordsPerTopic?: number; common?: number; seed?: number } = {}): CSR {
  const W = opts.wordsPerTopic ?? 8;
  const C = opts.common ?? 10;
  const rng = randomStream('topicText', opts.seed ?? 1);
  const rows: number[] = [];
  const cols: number[] = [];
  itemTopic.forEach((t, i) => {
    const a = rng.int(W);
    const b = (a + 1 + rng.int(W - 1)) % W;
    for (const c of [t * W + a, t * W + b, topics * W + rng.int(C), topics * W + C + t]) { rows.push(i); cols.push(c); }
  });
  return buildCSR(Int32Array.from(rows), Int32Array.from(cols), null, [itemTopic.length, topics * W + C + topics], 'max');
}
