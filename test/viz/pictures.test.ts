/**
 * The pictures, looked at: each SVG is rendered to PNG in headless Chromium and checked by
 * its pixels — the embedding map of planted clusters shows each cluster as its own patch of
 * colour with a legend; training curves fall where the log says they fall; a benchmark
 * chart's value label no longer sits on the seed marker, and its axis ends near the data.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import { itemMap } from '../../viz/item-map.js';
import { trainingCurvesSvg, type MetricsRecord } from '../../viz/curves.js';
import { escapeXml, PALETTE } from '../../viz/svg.js';
import { curveSvg, speedupSvg } from '../../bench/svg.js';
import type { BenchResults } from '../../bench/schema.js';
import { pixelsOf, renderSvg } from '../helpers/png.js';

const centroid = (p: [number, number][]) => [p.reduce((s, q) => s + q[0], 0) / p.length, p.reduce((s, q) => s + q[1], 0) / p.length];

test('map: six planted clusters are six patches of colour, with a legend and labels', async () => {
  const rng = seedrandom('map');
  const normal = () => Math.sqrt(-2 * Math.log(rng() || 1e-12)) * Math.cos(2 * Math.PI * rng());
  const n = 360, dim = 12, c = 6;
  const centres = Array.from({ length: c }, () => Array.from({ length: dim }, () => normal() * 3));
  const values = new Float32Array(n * dim);
  const groups = Int32Array.from({ length: n }, (_, i) => i % c);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) values[i * dim + d] = centres[groups[i]][d] + normal();
  const names = ['Action', 'Comedy', 'Drama', 'Horror', 'Romance', 'Sci-Fi'];
  const result = itemMap(values, n, dim, {
    groups, groupNames: names, titles: Array.from({ length: n }, (_, i) => `Movie ${i} (${1990 + (i % 30)})`),
    counts: Float32Array.from({ length: n }, (_, i) => n - i), iterations: 500, title: 'planted clusters',
  });
  assert.ok(result.groupAgreement!.map > 0.95, `map neighbours of the same group: ${result.groupAgreement!.map}`);
  assert.ok(result.preservation.tsne > result.preservation.pca, JSON.stringify(result.preservation));
  assert.is((result.svg.match(/<circle /g) ?? []).length >= n + c, true);

  const img = await renderSvg(result.svg, 940, 760);
  const plot = { x0: 16, y0: 62, x1: 676, y1: 722 };
  const legend = { x0: 690, y0: 62, x1: 940, y1: 300 };
  const cents: number[][] = [];
  const spreads: number[] = [];
  // groups are coloured by size, ties by index: group g gets PALETTE[g]
  for (let g = 0; g < c; g++) {
    const px = pixelsOf(img, PALETTE[g], plot, 30);
    assert.ok(px.length > 150, `group ${g} (${PALETTE[g]}) has ${px.length} pixels on the map`);
    const m = centroid(px);
    cents.push(m);
    spreads.push(Math.sqrt(px.reduce((s, q) => s + (q[0] - m[0]) ** 2 + (q[1] - m[1]) ** 2, 0) / px.length));
    assert.ok(pixelsOf(img, PALETTE[g], legend, 30).length > 20, `group ${g} is in the legend`);
  }
  for (let a = 0; a < c; a++) for (let b = a + 1; b < c; b++) {
    const d = Math.hypot(cents[a][0] - cents[b][0], cents[a][1] - cents[b][1]);
    assert.ok(d > 1.5 * Math.max(spreads[a], spreads[b]), `clusters ${a} and ${b}: centres ${d.toFixed(0)} px apart, spreads ${spreads[a].toFixed(0)} / ${spreads[b].toFixed(0)}`);
  }
  assert.ok(pixelsOf(img, '#212529', plot, 50).length > 200, 'labels are drawn');
  assert.match(result.svg, /Movie 0 \(1990\)/, 'the most popular item is labelled');
});

test('training curves: the falling training line and the validation line are where the log puts them', async () => {
  const records: MetricsRecord[] = [];
  for (let e = 0; e < 6; e++) {
    for (let b = 10; b <= 40; b += 10) records.push({ type: 'batch', epoch: e, batch: b, batches: 40, values: { rmse: 2 / (1 + e + b / 40) } });
    records.push({ type: 'epoch', epoch: e, values: { loss: 4 / (1 + e), 'train-rmse': 2 / (1 + e), 'val-rmse': 1 / (1 + e) + 0.5 }, timeSec: 1 });
  }
  const svg = trainingCurvesSvg(records, { title: 'test curves' });
  const img = await renderSvg(svg, 960, 340);
  // the rmse panel is the right one (loss comes first); its training line is blue, validation orange
  const right = { x0: 540, y0: 80, x1: 950, y1: 290 };
  const train = pixelsOf(img, PALETTE[0], right, 25);
  const val = pixelsOf(img, PALETTE[1], right, 25);
  assert.ok(train.length > 100 && val.length > 100, `lines drawn: ${train.length} / ${val.length} pixels`);
  const early = (p: [number, number][]) => p.filter((q) => q[0] < 640);
  const late = (p: [number, number][]) => p.filter((q) => q[0] > 880);
  // falling values: early pixels are higher up (smaller y) than late ones
  assert.ok(centroid(early(train))[1] < centroid(late(train))[1] - 40, 'the training curve falls');
  assert.ok(centroid(early(val))[1] < centroid(late(val))[1] - 20, 'the validation curve falls');
  assert.match(svg, /best 0\.6667 after 6/);
});

test('benchmark charts: value labels clear the seed marker; axes end near the data', async () => {
  const res = JSON.parse(readFileSync('bench/results/full/bench-results.json', 'utf8')) as BenchResults;
  const run = res.runs.find((r) => r.benchmark === 'sparse-grad' && r.backend === 'cpu')!;
  const svg = speedupSvg(run)!;
  // geometry: each row's bold value label starts right of its seed diamond when they share a row
  const diamonds = [...svg.matchAll(/<path d="M([\d.]+) ([\d.]+) L/g)].map((m) => [Number(m[1]), Number(m[2]) + 5]);
  const labels = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)" fill="#212529" font-weight="600">([^<]+)</g)].map((m) => [Number(m[1]), Number(m[2]) - 4, m[3]] as const);
  assert.ok(labels.length >= 20 && diamonds.length >= 20);
  for (const [lx, ly, s] of labels) {
    const d = diamonds.find((q) => Math.abs(q[1] - ly) < 1);
    if (d && d[0] + 5 > lx - 2) assert.ok(lx >= d[0] + 5, `label ${s} at ${lx} overlaps the diamond at ${d[0]}`);
  }
  assert.not.match(svg, />1000×</, 'the axis stops near the largest ratio (110×)');
  // pixels: no label ink inside any diamond
  const img = await renderSvg(svg, 860, Number(/height="(\d+)"/.exec(svg)![1]));
  for (const [x, y] of diamonds) {
    const ink = pixelsOf(img, '#212529', { x0: Math.round(x - 3), y0: Math.round(y - 3), x1: Math.round(x + 4), y1: Math.round(y + 4) }, 40);
    assert.is(ink.length, 0, `text over the diamond at ${x}, ${y}`);
  }
  const matmul = res.runs.find((r) => r.benchmark === 'cpu-vs-webgl')!;
  const curve = curveSvg(matmul, matmul.charts.find((c) => c.id === 'matmul')!)!;
  const xLabels = [...curve.matchAll(/text-anchor="middle" fill="#495057">([^<]+)</g)].map((m) => m[1]);
  assert.equal(xLabels, ['256', '512', '1024', '2048'], 'x ticks are the measured sizes, not decades to 10k');
});

test('text in pictures: markup escaped, characters XML forbids dropped (a title with \\x01 must not break the SVG)', () => {
  assert.is(escapeXml('Tom & Jerry <1940> "x"\u0001\u001b'), 'Tom &amp; Jerry &lt;1940&gt; &quot;x&quot;');
});

test.run();
