/** Ranking metrics against hand-computed cases, and evaluateRanking over a small split. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import {
  recallAtK, precisionAtK, hitRateAtK, apAtK, mapAtK, ndcgAtK, auc, evaluateRanking, PopularityScorer,
} from '../../models/train/ranking.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const L = (i: number) => 1 / Math.log2(i + 1); // discount at 1-based position i

test('recall@K divides by min(k, |relevant|)', () => {
  const ranked = [5, 3, 9, 1, 7];
  // 2 relevant, both in the top 3 → 2 / min(3, 2) = 1 (fewer relevant than k)
  close(recallAtK(ranked, [3, 1], 4), 1);
  close(recallAtK(ranked, [3, 1], 3), 0.5);
  // 4 relevant, k = 2, one hit (5) → 1 / min(2, 4) = 0.5
  close(recallAtK(ranked, [5, 8, 11, 12], 2), 0.5);
  close(precisionAtK(ranked, [5, 8, 11, 12], 2), 0.5);
  close(hitRateAtK(ranked, [8], 5), 0);
  close(hitRateAtK(ranked, [7], 5), 1);
});

test('AP@K and MAP@K', () => {
  const ranked = [1, 2, 3, 4, 5];
  // relevant {1, 3}: hits at 1 and 3 → (1/1 + 2/3) / min(5, 2)
  close(apAtK(ranked, [1, 3], 5), (1 + 2 / 3) / 2);
  // relevant {2, 9, 10}, k = 2: hit at 2 → (1/2) / min(2, 3)
  close(apAtK(ranked, [2, 9, 10], 2), 0.5 / 2);
  // an empty relevant set is skipped, not counted as 0
  close(mapAtK([ranked, ranked, ranked], [[1, 3], [2, 9, 10], []], 2), ((1 + 0) / 2 + 0.25) / 2);
});

test('NDCG@K: binary and graded gains, IDCG over the ideal ordering', () => {
  const ranked = [4, 2, 7, 1];
  // binary: relevant {2, 1} at positions 2 and 4; ideal has them at 1 and 2
  close(ndcgAtK(ranked, [2, 1], 4), (L(2) + L(4)) / (L(1) + L(2)));
  // fewer relevant than k: IDCG uses min(k, |relevant|) positions
  close(ndcgAtK(ranked, [4], 10), 1);
  // k cuts the ideal list too: relevant {2, 1, 9}, k = 2 → DCG = L(2), IDCG = L(1) + L(2)
  close(ndcgAtK(ranked, [2, 1, 9], 2), L(2) / (L(1) + L(2)));
  // graded: gains 2^rel − 1 → item 7 (rel 3) at 3, item 4 (rel 1) at 1; ideal: 7 then 4
  const grades = new Map([[7, 3], [4, 1]]);
  close(ndcgAtK(ranked, grades, 4), (1 * L(1) + 7 * L(3)) / (7 * L(1) + 1 * L(2)));
});

test('empty relevant set → NaN for every per-user metric', () => {
  for (const f of [recallAtK, precisionAtK, hitRateAtK, apAtK, ndcgAtK]) assert.ok(Number.isNaN(f([1, 2], [], 2)));
  assert.ok(Number.isNaN(auc([0.1, 0.2], [])));
});

test('AUC: pairs ordered correctly, ties count one half, excluded items ignored', () => {
  close(auc([0.9, 0.1, 0.5, 0.3], [0]), 1);
  close(auc([0.9, 0.1, 0.5, 0.3], [1]), 0);
  // positive 2 (0.5) vs negatives 0.9, 0.1, 0.5(tie) → (0 + 1 + 0.5) / 3
  close(auc([0.9, 0.1, 0.5, 0.5], [2]), 1.5 / 3);
  // excluding item 0 leaves negatives 0.1 and 0.5(tie) → 1.5 / 2
  close(auc([0.9, 0.1, 0.5, 0.5], [2], [0]), 0.75);
});

/** A fixed scorer: row r's scores are given. */
class Fixed {
  constructor(readonly numItems: number, readonly table: number[][]) {}
  scoreBatch(users: Int32Array): Float32Array {
    const out = new Float32Array(users.length * this.numItems);
    users.forEach((u, r) => out.set(this.table[u], r * this.numItems));
    return out;
  }
}

test('evaluateRanking: excludes input items, breaks ties by index, skips empty targets', () => {
  const N = 6;
  const model = new Fixed(N, [
    [0.9, 0.8, 0.7, 0.6, 0.5, 0.4], // user 0: item 0 is an input (excluded) → ranking 1,2,3,4,5
    [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], // user 1: all tied → ranking by index 0,1,2,…
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], // user 2: no targets → skipped
  ]);
  const input = sg.fromDense([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, N]);
  const target = sg.fromDense([0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, N]);
  const r = evaluateRanking(model, { input, target }, { k: [2, 3], metrics: ['recall', 'ndcg', 'map', 'hit', 'auc'] });
  assert.is(r.users, 2);
  assert.is(r.skipped, 1);
  // user 0: top = [1, 2, 3, …], relevant {2, 4}: position 2 and 4
  // user 1: top = [0, 1, 2, …], relevant {1}: position 2
  close(r.metrics['recall@2'], (1 / 2 + 1 / 1) / 2);
  close(r.metrics['recall@3'], (1 / 2 + 1) / 2);
  close(r.metrics['hit@2'], 1);
  close(r.metrics['ndcg@3'], (L(2) / (L(1) + L(2)) + L(2) / L(1)) / 2);
  close(r.metrics['map@3'], ((1 / 2) / 2 + (1 / 2) / 1) / 2);
  // user 0 AUC over the 5 non-excluded: positives at 0.7 and 0.5 among 0.8,0.6,0.4 → (2 + 1)/(2·3)... per pair count
  // 0.7 beats 0.6, 0.4 (2 of 3); 0.5 beats 0.4 (1 of 3) → 3/6; user 1 all ties → 0.5
  close(r.metrics.auc, (0.5 + 0.5) / 2);
});

test('evaluateRanking: without exclusion the input item counts; per-user scoring fallback', () => {
  const N = 4;
  const perUser = { numItems: N, scoreItems: (u: number) => Float32Array.from([4, 3, 2, 1].map((v) => v + u)) };
  const target = sg.fromDense([1, 0, 0, 0, 0, 0, 0, 1], [2, N]);
  const input = sg.fromDense([1, 0, 0, 0, 0, 0, 0, 0], [2, N]);
  const withEx = evaluateRanking(perUser, { input, target }, { k: [1] });
  const noEx = evaluateRanking(perUser, { input, target }, { k: [1], exclude: null });
  close(noEx.metrics['recall@1'], 0.5); // user 0 hits item 0, user 1 misses item 3
  close(withEx.metrics['recall@1'], 0); // item 0 excluded for user 0
});

test('evaluateRanking: graded NDCG uses the target values as relevance', () => {
  const model = new Fixed(4, [[0.9, 0.8, 0.7, 0.1]]); // ranking 0, 1, 2, 3
  const target = sg.fromDense([1, 0, 3, 0], [1, 4]); // item 0 grade 1, item 2 grade 3
  const graded = evaluateRanking(model, { target }, { k: [3], metrics: ['ndcg'], graded: true });
  close(graded.metrics['ndcg@3'], ndcgAtK([0, 1, 2], new Map([[0, 1], [2, 3]]), 3));
  close(graded.metrics['ndcg@3'], (1 * L(1) + 7 * L(3)) / (7 * L(1) + 1 * L(2)));
  const binary = evaluateRanking(model, { target }, { k: [3], metrics: ['ndcg'] });
  close(binary.metrics['ndcg@3'], (L(1) + L(3)) / (L(1) + L(2)));
});

test('PopularityScorer: counts per item, same for every user', () => {
  const train = sg.fromDense([1, 1, 0, 0, 1, 0, 0, 1, 0], [3, 3]);
  const pop = PopularityScorer.fromMatrix(train);
  assert.equal(Array.from(pop.counts), [1, 3, 0]);
  assert.equal(Array.from(pop.scoreBatch(Int32Array.from([0, 2]))), [1, 3, 0, 1, 3, 0]);
});

test('evaluateRanking: mismatched shapes are clear errors', () => {
  const model = new Fixed(3, [[1, 2, 3]]);
  assert.throws(() => evaluateRanking(model, { target: sg.fromDense([1, 0], [1, 2]) }), /2 item columns but the model scores 3/);
  assert.throws(() => evaluateRanking(model, { target: sg.fromDense([1, 0, 0], [1, 3]) }, { metrics: ['nope' as never] }), /unknown metric 'nope'/);
});

test.run();
