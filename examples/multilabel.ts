/**
 * The DSSTNE case: a multi-label user model. Each user's clicked items (ratings ≥ 4) are
 * the input, as a CSR row; one hidden layer of 128 sigmoid units; a sigmoid per item out;
 * binary cross-entropy against the user's items; batch 256, 10 epochs; then the top 10
 * items not in the input are the recommendations. Evaluated per user on 20% of their
 * clicks held out (Recall@20/50, NDCG@100), next to popularity.
 *
 * Then the output-layer question: the full output costs O(batch · items · 128) per step and
 * a dense [items, 128] gradient. `sampledOutputs: n` scores only each user's positives plus n
 * sampled negatives: the output table's gradient is RowSparse and the cost independent of
 * the catalog. The script times training steps of both (same batches) and trains the
 * sampled variant too.
 *
 *   node scripts/run-example.mjs multilabel [--scale small|ml1m|…] [--data dir] [--epochs 10]
 *     [--hidden 128] [--lr 0.01] [--sampled 100] [--timing-steps 10]
 */
import * as sg from '../index.js';
import type { CSR } from '../core/csr.js';
import { flags, loadRatings, oracleScorer, perUserClicks, resultTable } from './lib/implicit-data.js';

/** Median milliseconds of a training step over the first `steps` batches of 256 users. */
function stepTime(model: sg.models.MultiLabel, rows: CSR, steps: number): number {
  const opt = new sg.optim.Adam(model.parameters(), { lr: 1e-3 });
  const times: number[] = [];
  for (let s = 0; s < steps + 1; s++) {
    const a = (s * 256) % Math.max(1, rows.rows - 256);
    const x = rows.sliceRows(a, Math.min(rows.rows, a + 256));
    const t = performance.now();
    sg.tidy(() => {
      const loss = model.trainingStep({ inputs: { rows: x } }).loss;
      loss.backward();
      opt.step();
      opt.zeroGrad();
    });
    if (s > 0) times.push(performance.now() - t); // the first step warms up
  }
  opt.dispose();
  times.sort((p, q) => p - q);
  return times[Math.floor(times.length / 2)];
}

export async function runMultiLabel(o: { data?: string; scale?: string; epochs?: number; hidden?: number; lr?: number; sampled?: number; timingSteps?: number; seed?: number } = {}) {
  const seed = o.seed ?? 0;
  sg.setSeed(seed);
  const ds = await loadRatings({ data: o.data, scale: o.scale, seed });
  const s = perUserClicks(ds, { seed });
  const N = ds.numItems;
  console.log(`${ds.name}: ${ds.numUsers} users, ${N} items; ${s.trainMatrix.nnz} train clicks, ${s.testMatrix.nnz} held-out`);
  const ev = { k: [20, 50, 100], metrics: ['recall', 'ndcg'] as sg.train.RankingMetricName[] };
  const rows: { name: string; result: sg.train.RankingResult; note?: string }[] = [];
  rows.push({ name: 'popularity', result: sg.train.evaluateRanking(sg.train.PopularityScorer.fromMatrix(s.trainMatrix), s.split, ev) });
  const oracle = oracleScorer(ds);
  if (oracle) rows.push({ name: 'oracle (hidden truth)', result: sg.train.evaluateRanking(oracle, s.split, ev) });

  const hidden = o.hidden ?? 128;
  const sampled = o.sampled ?? 100;
  // 1. the step-time measurement, full output vs sampled outputs (same batches, fresh models)
  const steps = o.timingSteps ?? 10;
  sg.setSeed(seed);
  const fullMs = stepTime(new sg.models.MultiLabel({ numItems: N, hidden: [hidden] }), s.trainMatrix, steps);
  sg.setSeed(seed);
  const sampledMs = stepTime(new sg.models.MultiLabel({ numItems: N, hidden: [hidden], sampledOutputs: sampled }), s.trainMatrix, steps);
  console.log(`\nstep time (batch 256, ${N} items, hidden ${hidden}, median of ${steps}): full output ${fullMs.toFixed(1)} ms, ` +
    `sampledOutputs ${sampled}: ${sampledMs.toFixed(1)} ms (${(fullMs / sampledMs).toFixed(2)}× faster)`);

  // 2. training, DSSTNE's configuration, then the sampled variant
  const timings: Record<string, number> = { full: fullMs, sampled: sampledMs };
  for (const variant of ['full', 'sampled'] as const) {
    sg.setSeed(seed);
    const model = new sg.models.MultiLabel({ numItems: N, hidden: [hidden], sampledOutputs: variant === 'sampled' ? sampled : 0 });
    console.log(`\n== MultiLabel (${variant === 'full' ? 'full output' : `sampledOutputs ${sampled}`}) ==`);
    const h = await sg.train.fitRows(model, s.trainMatrix, {
      epochs: o.epochs ?? 10, batchSize: 256, optimizer: { name: 'adam', lr: o.lr ?? 0.01 }, evalSplit: s.split, evalOptions: { k: [100], metrics: ['ndcg'] }, batchEndEvery: 0,
    });
    const secs = h.epochs.reduce((t, e) => t + e.timeSec, 0) / h.epochs.length;
    rows.push({ name: `MultiLabel ${variant === 'full' ? 'full output' : `sampled ${sampled}`}`, result: sg.train.evaluateRanking(model, s.split, ev), note: `${secs.toFixed(1)} s/epoch, step ${timings[variant].toFixed(0)} ms` });
    if (variant === 'full') {
      model.setUserRows(s.trainMatrix);
      const top = model.recommend(0, 10);
      const titles = (ds.itemTitles ?? []).length ? Array.from(top.indices, (i) => ds.itemTitles[i]) : Array.from(top.indices, String);
      console.log(`top 10 for user 0 (excluding the ${s.trainMatrix.indptr[1] - s.trainMatrix.indptr[0]} items they have): ${titles.join('; ')}`);
    }
    model.dispose();
    h.optimizer.dispose();
  }
  console.log('');
  resultTable(rows);
  return { rows, fullMs, sampledMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = flags();
  await runMultiLabel({
    data: f.get('data'), scale: f.get('scale'), epochs: f.num('epochs', 10), hidden: f.num('hidden', 128), lr: f.num('lr', 0.01),
    sampled: f.num('sampled', 100), timingSteps: f.num('timing-steps', 10), seed: f.num('seed', 0),
  });
}
