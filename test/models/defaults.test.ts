/**
 * The training defaults: early stopping with keep-best in the shared loop (fit's patience,
 * fitRows' defaults), batch sizes from the data, the Mult-VAE's β planned from the run, and
 * the recipes (trainRatings / trainUserRows / trainImplicitMF) end to end on planted data.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as sg from '../../index.js';
import { batches, plantedLowRank } from '../helpers/data.js';
import { planted } from './planted.js';

const quiet = { verbose: false, progress: false } as const;

test('fit with keepBest + patience stops once validation has not improved for `patience` epochs, holding the best epoch', async () => {
  // overfits quickly: few ratings, much noise, many factors, no regulariser
  const data = plantedLowRank(120, 100, 2, 4000, 3, 1);
  sg.setSeed(2);
  const model = new sg.models.MatrixFactorization({ numUsers: 120, numItems: 100, dim: 32, biases: true, initStd: 0.1 });
  const h = await sg.train.fit(model, batches(data.train, 200, 1), {
    epochs: 60, optimizer: { name: 'adam', lr: 0.02 }, evalData: batches(data.valid, 1000), keepBest: 'rmse', patience: 3, ...quiet,
  });
  const vals = h.epochs.map((e) => e.values['val-rmse']);
  assert.ok(h.stoppedEarly && vals.length < 60, `stopped after ${vals.length} epochs`);
  assert.is(h.bestEpoch, vals.indexOf(Math.min(...vals)));
  assert.is(vals.length - 1 - h.bestEpoch, 3, 'stopped exactly patience epochs after the best');
  // the model holds the best epoch: its validation RMSE is the best one
  const again = await sg.train.evaluate(model, batches(data.valid, 1000));
  assert.ok(Math.abs(again.rmse - vals[h.bestEpoch]) < 1e-6);
  let err = '';
  await sg.train.fit(model, batches(data.train, 200), { patience: 2, ...quiet }).catch((e) => { err = e.message; });
  assert.match(err, /patience 2 needs keepBest/);
});

test('fitRows defaults: batch size from the data, keep-best NDCG@100 and early stopping with an evalSplit, β planned from the run', async () => {
  assert.is(sg.train.rowBatchSize(638), 64);
  assert.is(sg.train.rowBatchSize(116_677), 512);
  assert.is(sg.train.rowBatchSize(50), 32);
  const data = planted({ users: 400, items: 120, seed: 5 });
  const split = sg.datasets.heldOutUsers(data, { heldOutUsers: 50, seed: 1 });
  sg.setSeed(3);
  const vae = new sg.models.MultVAE({ numItems: split.numItems, hidden: [32], latent: 8 });
  assert.is(vae.config.totalAnnealSteps, null, 'unset until a run plans it');
  const h = await sg.train.fitRows(vae, split.train, { evalSplit: split.valid, epochs: 30, patience: 4, ...quiet });
  const perEpoch = Math.ceil(split.train.rows / sg.train.rowBatchSize(split.train.rows));
  assert.is(vae.config.totalAnnealSteps, Math.round(0.2 * 30 * perEpoch), 'β reaches its cap after a fifth of the planned updates');
  const vals = h.epochs.map((e) => e.values['val-ndcg@100']);
  assert.is(h.bestEpoch, vals.indexOf(Math.max(...vals)), 'keep-best on NDCG@100 by default');
  if (h.stoppedEarly) assert.is(vals.length - 1 - h.bestEpoch, 4);
  // an explicit schedule is kept
  const fixed = new sg.models.MultVAE({ numItems: split.numItems, hidden: [8], latent: 4, totalAnnealSteps: 7 });
  await sg.train.fitRows(fixed, split.train, { epochs: 1, ...quiet });
  assert.is(fixed.config.totalAnnealSteps, 7);
  assert.ok(sg.models.MultVAE.betaAt(0) === 0 && new sg.models.MultVAE({ numItems: 4, hidden: [2], latent: 2 }).beta === 0);
});

test('recipes: trainRatings beats the mean on planted ratings and records the kept epoch; trainUserRows beats popularity', async () => {
  const d = plantedLowRank(150, 120, 3, 12000, 8, 0.3);
  const ds = {
    name: 'planted', numUsers: 150, numItems: 120, users: d.train.users, items: d.train.items, ratings: d.train.ratings,
    userIds: sg.datasets.IdMap.range(150), itemIds: sg.datasets.IdMap.range(120), itemTitles: [], itemGenres: sg.csr([0], [], [], [0, 0]), genreNames: [],
    ratingScale: { min: -10, max: 10, step: 0.01 },
  } as unknown as sg.datasets.RatingsDataset;
  sg.setSeed(1);
  const r = await sg.models.trainRatings(ds, 'mf', { dim: 8, epochs: 40, ...quiet });
  assert.ok(r.bestRmse < 0.6 * d.std, `validation RMSE ${r.bestRmse} vs std ${d.std}`);
  assert.is(r.bestEpoch, r.history.bestEpoch);
  assert.ok(typeof r.model.meta.trainMean === 'number' && r.model.meta.ratingScale !== undefined, 'meta for evaluation');

  const data = planted({ users: 400, items: 120, seed: 6 });
  const split = sg.datasets.heldOutUsers(data, { heldOutUsers: 50, seed: 2 });
  sg.setSeed(2);
  const v = await sg.models.trainUserRows('dae', split.train, split.valid, { epochs: 25, ...quiet });
  const ev = (m: sg.train.RankingScorer) => sg.train.evaluateRanking(m, split.test, { k: [20] }).metrics['recall@20'];
  assert.ok(ev(v.model) > ev(sg.train.PopularityScorer.fromMatrix(split.train)) + 0.05);
});

test('recipes: trainUserRows(\'vae\') keeps the moving average of the weights (VAE_EMA), ema 0 the raw weights; dae does not average', async () => {
  const data = planted({ users: 200, items: 60, seed: 9 });
  const split = sg.datasets.heldOutUsers(data, { heldOutUsers: 30, seed: 4 });
  const run = async (kind: sg.models.RowModelKind, ema?: number) => {
    sg.setSeed(4);
    const seen: number[][] = [];
    const r = await sg.models.trainUserRows(kind, split.train, split.valid, {
      epochs: 4, patience: 0, ema, ...quiet, callbacks: (m) => [{ onEpochEnd: () => { seen.push(Array.from(m.parameters()[0].dataSync())); } }],
    });
    return { r, seen, kept: Array.from(r.model.parameters()[0].dataSync()) };
  };
  assert.is(sg.models.VAE_EMA, 0.99);
  const avg = await run('vae');
  assert.is(avg.r.settings.ema, 0.99);
  assert.equal(avg.kept, avg.seen[avg.r.bestEpoch], 'the kept epoch\'s (averaged) weights');
  const raw = await run('vae', 0);
  assert.is(raw.r.settings.ema, 0);
  assert.equal(avg.r.history.epochs.map((e) => e.values.loss), raw.r.history.epochs.map((e) => e.values.loss), 'the same training');
  assert.ok(avg.seen.every((w, e) => w.some((v, j) => v !== raw.seen[e][j])), 'but other weights validated');
  assert.is((await run('dae')).r.settings.ema, 0);
  const bad = await sg.models.trainUserRows('vae', split.train, split.valid, { ema: 1, ...quiet }).then(() => '', (e: Error) => e.message);
  assert.match(bad, /trainUserRows: ema must be in \[0, 1\)/);
});

test('recipes: trainImplicitMF keeps the epoch with the best folded-in validation NDCG@100 and its fold-in scorer beats popularity on test users', async () => {
  const data = planted({ users: 400, items: 120, seed: 7 });
  const split = sg.datasets.heldOutUsers(data, { heldOutUsers: 50, seed: 3 });
  sg.setSeed(3);
  const r = await sg.models.trainImplicitMF(split.train, split.valid, { epochs: 12, patience: 0, ...quiet });
  const val = r.history.epochs.map((e) => e.values['val-ndcg@100']);
  assert.is(val.length, 12);
  assert.is(r.bestEpoch, val.indexOf(Math.max(...val)));
  assert.is(r.bestNdcg, Math.max(...val));
  // the restored weights are the kept epoch's: folding the validation users in again gives its NDCG
  const again = sg.train.evaluateRanking(r.scorer, split.valid, { k: [100] }).metrics['ndcg@100'];
  assert.ok(Math.abs(again - r.bestNdcg) < 1e-6, `validation NDCG@100 now ${again}, kept ${r.bestNdcg}`);
  const ev = (m: sg.train.RankingScorer) => sg.train.evaluateRanking(m, split.test, { k: [20] }).metrics['recall@20'];
  assert.ok(ev(r.scorer) > ev(sg.train.PopularityScorer.fromMatrix(split.train)) + 0.05, 'fold-in above popularity');
  assert.is(r.settings.ema, 0, 'no weight averaging by default');
});

test('recipes: trainEmbeddingModel trains the music case\'s model like ImplicitMF: kept epoch restored, folded-in test users far above popularity', async () => {
  const data = planted({ users: 400, items: 120, seed: 7 });
  const split = sg.datasets.heldOutUsers(data, { heldOutUsers: 50, seed: 3 });
  sg.setSeed(3);
  const r = await sg.models.trainEmbeddingModel(split.train, split.valid, { epochs: 12, patience: 0, ...quiet });
  assert.ok(r.model instanceof sg.models.EmbeddingModel);
  assert.is(r.model.config.scoring, 'dot');
  assert.ok(r.model.config.itemBias);
  assert.is(r.settings.dim, sg.models.IMPLICIT_MF_DEFAULTS.dim);
  const val = r.history.epochs.map((e) => e.values['val-ndcg@100']);
  assert.is(r.bestEpoch, val.indexOf(Math.max(...val)));
  const again = sg.train.evaluateRanking(r.scorer, split.valid, { k: [100] }).metrics['ndcg@100'];
  assert.ok(Math.abs(again - r.bestNdcg) < 1e-6, `validation NDCG@100 now ${again}, kept ${r.bestNdcg}`);
  const ev = (m: sg.train.RankingScorer) => sg.train.evaluateRanking(m, split.test, { k: [20] }).metrics['recall@20'];
  assert.ok(ev(r.scorer) > ev(sg.train.PopularityScorer.fromMatrix(split.train)) + 0.05, 'fold-in above popularity');
  const bad = await sg.models.trainEmbeddingModel(split.train, split.valid, { loss: 'hinge' as never, ...quiet }).then(() => '', (e: Error) => e.message);
  assert.match(bad, /trainEmbeddingModel: unknown loss 'hinge'/);
});

test('recipes: trainImplicitMF passes ema to the loop (the same training, other weights validated) and refuses a decay outside [0, 1)', async () => {
  const data = planted({ users: 200, items: 60, seed: 5 });
  const split = sg.datasets.heldOutUsers(data, { heldOutUsers: 30, seed: 5 });
  const run = async (ema?: number) => {
    sg.setSeed(5);
    return sg.models.trainImplicitMF(split.train, split.valid, { epochs: 3, patience: 0, ema, ...quiet });
  };
  const raw = await run();
  const avg = await run(0.9);
  assert.is(avg.settings.ema, 0.9);
  assert.equal(avg.history.epochs.map((e) => e.values.loss), raw.history.epochs.map((e) => e.values.loss), 'the same training');
  const val = (r: typeof raw) => r.history.epochs.map((e) => e.values['val-ndcg@100']);
  assert.ok(val(avg).some((v, e) => v !== val(raw)[e]), 'validated with the averaged weights');
  const bad = await run(1).then(() => '', (e: Error) => e.message);
  assert.match(bad, /trainImplicitMF: ema must be in \[0, 1\)/);
});

test.run();
