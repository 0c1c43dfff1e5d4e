/**
 * Held-out users with fold-in: the Mult-VAE protocol (Liang et al. 2018, "Variational
 * Autoencoders for Collaborative Filtering"), step by step as in their preprocessing:
 *
 * 1. keep ratings ≥ threshold as clicks (they keep > 3.5, i.e. ≥ 4, of ML-20M) and users
 *    with at least 5 clicks;
 * 2. shuffle the users: N are validation, N are test, all the rest train;
 * 3. the item space is the items clicked by train users (validation/test clicks on other
 *    items are dropped: the model has no column for them), or with `allItems` every item
 *    of the data (columns = the data's item indices);
 * 4. each held-out user with ≥ 5 remaining clicks gives a random 20% (rounded down) as the
 *    target to predict and keeps 80% as fold-in input; a user with fewer clicks is all input.
 *
 * Models see user rows as CSR [users, items]; a held-out user is encoded from `input` and
 * scored on `target` (Recall@20/50, NDCG@100), never trained on.
 */
import type { CSR } from '../core/csr.js';
import { randomStream } from '../core/random.js';
import { buildCSR } from './matrix.js';
import type { InteractionData } from './types.js';

export interface FoldInOptions {
  /** users held out for validation, and as many again for test (Liang: 10,000 on ML-20M) */
  heldOutUsers: number;
  /** test users, when not as many as the validation users (0: validation only, e.g. for early stopping) */
  testUsers?: number;
  /** keep every item of the data as a column (default false: the items train users clicked) */
  allItems?: boolean;
  /** share of each held-out user's clicks to predict (default 0.2) */
  targetFraction?: number;
  /** keep ratings ≥ threshold as clicks (default 4; ignored for implicit data; null keeps all) */
  threshold?: number | null;
  /** users need this many clicks to be kept, and held-out users this many to get a target (default 5) */
  minUserItems?: number;
  seed?: number | string;
}

export interface FoldInPart {
  /** fold-in clicks, [users, numItems] */
  input: CSR;
  /** clicks to predict, same rows */
  target: CSR;
  /** original user index of each row */
  users: Int32Array;
}

export interface FoldInSplit {
  /** columns: items clicked in train */
  numItems: number;
  /** original item index of each column */
  items: Int32Array;
  /** train users' clicks, [trainUsers, numItems] */
  train: CSR;
  /** original user index of each train row */
  trainUsers: Int32Array;
  valid: FoldInPart;
  test: FoldInPart;
  stats: {
    clicks: number;
    usersWithTooFewClicks: number;
    heldOutClicksOnUnknownItems: number;
    heldOutUsersWithoutClicksLeft: number;
    heldOutUsersWithoutTarget: number;
  };
}

export function heldOutUsers(data: InteractionData, opts: FoldInOptions): FoldInSplit {
  const N = opts.heldOutUsers;
  const NT = opts.testUsers ?? N;
  const targetFraction = opts.targetFraction ?? 0.2;
  const minItems = opts.minUserItems ?? 5;
  const threshold = opts.threshold === null || (data as { implicit?: boolean }).implicit ? -Infinity : opts.threshold ?? 4;
  if (!(Number.isInteger(N) && N > 0)) throw new Error(`heldOutUsers: heldOutUsers must be a positive integer, got ${N}`);
  if (!(Number.isInteger(NT) && NT >= 0)) throw new Error(`heldOutUsers: testUsers must be an integer ≥ 0, got ${NT}`);

  // 1. clicks as a binary user×item matrix (duplicates merged)
  let nClicks = 0;
  for (let e = 0; e < data.ratings.length; e++) if (data.ratings[e] >= threshold) nClicks++;
  const cu = new Int32Array(nClicks);
  const ci = new Int32Array(nClicks);
  for (let e = 0, k = 0; e < data.ratings.length; e++) {
    if (data.ratings[e] >= threshold) {
      cu[k] = data.users[e];
      ci[k++] = data.items[e];
    }
  }
  const clicks = buildCSR(cu, ci, null, [data.numUsers, data.numItems], 'max');
  const rowLen = (u: number) => clicks.indptr[u + 1] - clicks.indptr[u];
  const eligible: number[] = [];
  for (let u = 0; u < data.numUsers; u++) if (rowLen(u) >= minItems) eligible.push(u);
  const usersWithTooFewClicks = data.numUsers - eligible.length;
  if (eligible.length <= N + NT) {
    throw new Error(`heldOutUsers: ${eligible.length} users have ≥ ${minItems} clicks (ratings ≥ ${threshold}); ` +
      `holding out ${N} + ${NT} leaves no train users`);
  }

  // 2. shuffle users: train | valid | test
  const order = Int32Array.from(eligible);
  const rng = randomStream('heldOutUsers', opts.seed);
  rng.shuffle(order);
  const nTrain = order.length - N - NT;
  const trainUsers = order.slice(0, nTrain);
  const validUsers = order.slice(nTrain, nTrain + N);
  const testUsers = order.slice(nTrain + N);

  // 3. item space: items clicked by train users, in ascending original order
  const column = new Int32Array(data.numItems).fill(opts.allItems ? 0 : -1);
  for (const u of trainUsers) for (let p = clicks.indptr[u]; p < clicks.indptr[u + 1]; p++) column[clicks.indices[p]] = 0;
  let numItems = 0;
  for (let i = 0; i < data.numItems; i++) if (column[i] === 0) column[i] = numItems++;
  const items = new Int32Array(numItems);
  for (let i = 0; i < data.numItems; i++) if (column[i] >= 0) items[column[i]] = i;

  const rowsOf = (users: Int32Array) => {
    let nnz = 0;
    for (const u of users) nnz += rowLen(u);
    const r = new Int32Array(nnz);
    const c = new Int32Array(nnz);
    let k = 0;
    users.forEach((u, row) => {
      for (let p = clicks.indptr[u]; p < clicks.indptr[u + 1]; p++) {
        r[k] = row;
        c[k++] = column[clicks.indices[p]];
      }
    });
    return buildCSR(r, c, null, [users.length, numItems]);
  };
  const train = rowsOf(trainUsers);

  // 4. fold-in: per held-out user, a random target share of their known-item clicks
  const stats = { clicks: clicks.nnz, usersWithTooFewClicks, heldOutClicksOnUnknownItems: 0, heldOutUsersWithoutClicksLeft: 0, heldOutUsersWithoutTarget: 0 };
  const foldRng = randomStream('foldIn', opts.seed);
  const part = (users: Int32Array): FoldInPart => {
    const inR: number[] = [];
    const inC: number[] = [];
    const tR: number[] = [];
    const tC: number[] = [];
    const kept: number[] = [];
    for (const u of users) {
      const known: number[] = [];
      for (let p = clicks.indptr[u]; p < clicks.indptr[u + 1]; p++) {
        const c = column[clicks.indices[p]];
        if (c >= 0) known.push(c);
        else stats.heldOutClicksOnUnknownItems++;
      }
      if (known.length === 0) {
        stats.heldOutUsersWithoutClicksLeft++;
        continue;
      }
      const row = kept.length;
      kept.push(u);
      const n = known.length;
      const nTarget = n >= minItems ? Math.floor(targetFraction * n + 1e-9) : 0;
      if (nTarget === 0) stats.heldOutUsersWithoutTarget++;
      // partial Fisher–Yates: the first nTarget of a shuffle are the target
      for (let j = 0; j < nTarget; j++) {
        const r = j + foldRng.int(n - j);
        const t = known[j];
        known[j] = known[r];
        known[r] = t;
      }
      for (let j = 0; j < n; j++) {
        if (j < nTarget) { tR.push(row); tC.push(known[j]); } else { inR.push(row); inC.push(known[j]); }
      }
    }
    const shape = [kept.length, numItems] as const;
    return {
      input: buildCSR(Int32Array.from(inR), Int32Array.from(inC), null, shape),
      target: buildCSR(Int32Array.from(tR), Int32Array.from(tC), null, shape),
      users: Int32Array.from(kept),
    };
  };
  return { numItems, items, train, trainUsers, valid: part(validUsers), test: part(testUsers), stats };
}
