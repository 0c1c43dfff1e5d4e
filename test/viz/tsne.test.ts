/**
 * t-SNE and its parts, checked against what they must do: affinities that are symmetric,
 * sum to 1 and have the requested perplexity; a Barnes-Hut gradient equal to the exact
 * O(n²) one at θ = 0 and close at θ = 0.5; a map that separates planted clusters and keeps
 * neighbourhoods better than PCA; exact k-NN; PCA that finds the stretched axes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import seedrandom from 'seedrandom';
import { conditionalProbabilities, jointProbabilities, klGradient, tsne } from '../../viz/tsne.js';
import { nearestNeighbours, neighbourhoodPreservation } from '../../viz/neighbours.js';
import { pca2 } from '../../viz/pca.js';
import { itemMap } from '../../viz/item-map.js';

function clusters(n: number, dim: number, c: number, seed: string, spread = 4) {
  const rng = seedrandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: c }, () => Array.from({ length: dim }, () => normal() * spread));
  const x = new Float64Array(n * dim);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    label[i] = i % c;
    for (let d = 0; d < dim; d++) x[i * dim + d] = centres[label[i]][d] + normal();
  }
  return { x, label };
}

test('exact k-NN agrees with sorting every distance', () => {
  const { x } = clusters(60, 5, 3, 'knn');
  const nb = nearestNeighbours(x, 60, 5, 7);
  for (let i = 0; i < 60; i++) {
    const d = Array.from({ length: 60 }, (_, j) => [j, j === i ? Infinity : x.slice(i * 5, i * 5 + 5).reduce((s, v, k) => s + (v - x[j * 5 + k]) ** 2, 0)] as const)
      .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    assert.equal(Array.from(nb.indices.subarray(i * 7, i * 7 + 7)), d.slice(0, 7).map((p) => p[0]), `row ${i}`);
  }
  assert.is(neighbourhoodPreservation(nb, nb), 1);
});

test('affinities: symmetric, sum to 1, each row at the requested perplexity before symmetrising', () => {
  const { x } = clusters(120, 6, 4, 'aff');
  const nb = nearestNeighbours(x, 120, 6, 30);
  const P = jointProbabilities(nb, 120, 10);
  const dense = new Float64Array(120 * 120);
  let total = 0;
  for (let i = 0; i < 120; i++) for (let e = P.indptr[i]; e < P.indptr[i + 1]; e++) { dense[i * 120 + P.indices[e]] = P.values[e]; total += P.values[e]; }
  assert.ok(Math.abs(total - 1) < 1e-9, `sum ${total}`);
  for (let i = 0; i < 120; i++) for (let j = 0; j < 120; j++) assert.ok(Math.abs(dense[i * 120 + j] - dense[j * 120 + i]) < 1e-15);
  const cond = conditionalProbabilities(nb, 120, 10);
  for (let i = 0; i < 120; i++) {
    const row = cond.subarray(i * 30, (i + 1) * 30);
    const h = -row.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0);
    assert.ok(Math.abs(Math.exp(h) - 10) < 1e-3, `row ${i}: perplexity ${Math.exp(h)}`);
    assert.ok(Math.abs(row.reduce((s, p) => s + p, 0) - 1) < 1e-12);
    for (let t = 1; t < 30; t++) assert.ok(row[t] <= row[t - 1] + 1e-15, 'nearer neighbours weigh more');
  }
});

test('Barnes-Hut gradient: θ = 0 is the exact gradient; θ = 0.5 is close', () => {
  const n = 80;
  const { x } = clusters(n, 4, 3, 'grad');
  const P = jointProbabilities(nearestNeighbours(x, n, 4, 24), n, 8);
  const rng = seedrandom('y');
  const y = Float64Array.from({ length: 2 * n }, () => rng() * 10 - 5);
  // exact: dC/dy_i = 4 Σ_j (p_ij − q_ij) w_ij (y_i − y_j), q_ij = w_ij / Z
  const dense = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let e = P.indptr[i]; e < P.indptr[i + 1]; e++) dense[i * n + P.indices[e]] = P.values[e];
  let z = 0;
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) { w[i * n + j] = 1 / (1 + (y[2 * i] - y[2 * j]) ** 2 + (y[2 * i + 1] - y[2 * j + 1]) ** 2); z += w[i * n + j]; }
  const exact = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (i === j) continue;
    const m = 4 * (dense[i * n + j] - w[i * n + j] / z) * w[i * n + j];
    exact[2 * i] += m * (y[2 * i] - y[2 * j]);
    exact[2 * i + 1] += m * (y[2 * i + 1] - y[2 * j + 1]);
  }
  const g0 = new Float64Array(2 * n);
  klGradient(P, y, n, 1, 0, g0);
  const norm = Math.hypot(...exact);
  for (let t = 0; t < 2 * n; t++) assert.ok(Math.abs(g0[t] - exact[t]) <= 1e-9 * norm, `θ=0 coordinate ${t}: ${g0[t]} vs ${exact[t]}`);
  const g5 = new Float64Array(2 * n);
  klGradient(P, y, n, 1, 0.5, g5);
  const err = Math.hypot(...g5.map((v, t) => v - exact[t]));
  assert.ok(err < 0.05 * norm, `θ=0.5 relative error ${err / norm}`);
});

test('t-SNE separates planted clusters, keeps neighbourhoods better than PCA, and repeats exactly', () => {
  const n = 300;
  const { x, label } = clusters(n, 10, 6, 'planted');
  const opts = { perplexity: 20, iterations: 400 };
  const a = tsne(x, n, 10, opts);
  const map = nearestNeighbours(a.coords, n, 2, 10);
  let same = 0;
  for (let i = 0; i < n; i++) for (let t = 0; t < 10; t++) if (label[map.indices[i * 10 + t]] === label[i]) same++;
  assert.ok(same / (n * 10) > 0.97, `map neighbours in the same cluster: ${same / (n * 10)}`);
  const orig = nearestNeighbours(x, n, 10, 10);
  const kept = neighbourhoodPreservation(orig, map);
  const keptPca = neighbourhoodPreservation(orig, nearestNeighbours(pca2(x, n, 10), n, 2, 10));
  assert.ok(kept > keptPca + 0.1, `t-SNE keeps ${kept}, PCA ${keptPca}`);
  assert.ok(kept > 10 * (10 / (n - 1)), `far above random (${kept})`);
  assert.ok(Number.isFinite(a.kl) && a.kl > 0);
  const b = tsne(x, n, 10, opts);
  assert.equal(Array.from(b.coords), Array.from(a.coords), 'deterministic');
  // more iterations fit better
  assert.ok(a.kl < tsne(x, n, 10, { perplexity: 20, iterations: 60 }).kl);
});

test('PCA finds the stretched axes, in order', () => {
  const rng = seedrandom('pca');
  const n = 400;
  const x = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) { x[3 * i] = (rng() - 0.5) * 1; x[3 * i + 1] = (rng() - 0.5) * 10; x[3 * i + 2] = (rng() - 0.5) * 4 + 7; }
  const p = pca2(x, n, 3);
  // first component ∝ coordinate 1, second ∝ coordinate 2 (centred)
  const corr = (c: number, d: number) => {
    let sxy = 0, sxx = 0, syy = 0;
    const mx = x.reduce((s, _, k) => (k % 3 === d ? s + x[k] : s), 0) / n;
    for (let i = 0; i < n; i++) { const a = p[2 * i + c], b = x[3 * i + d] - mx; sxy += a * b; sxx += a * a; syy += b * b; }
    return sxy / Math.sqrt(sxx * syy);
  };
  assert.ok(Math.abs(corr(0, 1)) > 0.999, `PC1 ~ axis 1: ${corr(0, 1)}`);
  assert.ok(Math.abs(corr(1, 2)) > 0.99, `PC2 ~ axis 2: ${corr(1, 2)}`);
});

test('item-item models (EASE-like rows over the catalog): mapped by their scores among the mapped items', () => {
  const n = 150;
  const rng = seedrandom('ii');
  const groups = Int32Array.from({ length: n }, (_, i) => i % 3);
  const w = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) w[i * n + j] = (groups[i] === groups[j] ? 1 : 0) + 0.3 * rng();
  const counts = Float32Array.from({ length: n }, (_, i) => (i < 90 ? 100 - i : 1));
  const r = itemMap(w, n, n, { itemItem: true, items: 90, counts, groups, groupNames: ['a', 'b', 'c'], iterations: 300 });
  assert.is(r.items.length, 90);
  assert.equal(Array.from(r.items), Array.from({ length: 90 }, (_, i) => i), 'the 90 most popular');
  assert.ok(r.groupAgreement!.map > 0.9, `same block on the map: ${r.groupAgreement!.map}`);
});

test.run();
