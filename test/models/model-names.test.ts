/**
 * Checkpoints name a model by its registered name (models/registry.ts), not by its class's
 * `constructor.name`, which bundlers rename; and checkpoints written before (format version 1,
 * by the code of b55ac2d: fixtures/) still load into today's models, training contract and all.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../index.js';

const fixture = (name: string) => join(process.cwd(), 'test/models/fixtures', name); // tests run from the repository root
const dir = mkdtempSync(join(tmpdir(), 'sg-names-'));
const closeAll = (got: ArrayLike<number>, want: ArrayLike<number>, what: string) => {
  assert.is(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-5, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
};

test('v1 checkpoints of MultVAE and DSSM (written before the training contract) load and score as they did', () => {
  const want = JSON.parse(readFileSync(fixture('v1-rows-expected.json'), 'utf8'));
  const r = want.rows;
  const rows = new sg.CSR(Int32Array.from(r.indptr), Int32Array.from(r.indices), Float32Array.from(r.values), r.shape);
  const users = Int32Array.from({ length: r.shape[0] }, (_, i) => i);
  const loaded = sg.load(fixture('vae-v1.sgm'));
  assert.ok(loaded.restoredOptimizer instanceof sg.optim.Adam);
  const vae = loaded as unknown as sg.models.MultVAE;
  assert.ok(vae instanceof sg.models.MultVAE);
  assert.is(vae.annealStep, want.vae.annealStep);
  vae.eval();
  closeAll(vae.scoreBatch(users, rows), want.vae.scores, 'MultVAE scores');
  const dssm = sg.load(fixture('dssm-v1.sgm')) as unknown as sg.models.DSSM;
  assert.ok(dssm instanceof sg.models.DSSM);
  closeAll(dssm.stateDict().get('itemSeen')!.dataSync(), want.dssm.seen, 'DSSM seen items');
  dssm.eval();
  closeAll(dssm.scoreBatch(users, rows), want.dssm.scores, 'DSSM scores');
  // and they train on under the new contract
  dssm.train();
  const out = sg.tidy(() => dssm.trainingStep({ inputs: { user: Int32Array.of(0, 1), item: Int32Array.of(2, 3), history: rows.selectRows(Int32Array.of(0, 1)) }, label: Float32Array.of(1, 0) }).loss.item());
  assert.ok(Number.isFinite(out));
});

test('v1 checkpoints of MF and DeepMF load by their stored names', () => {
  const want = JSON.parse(readFileSync(fixture('v1-expected.json'), 'utf8'));
  const mf = sg.load(fixture('mf-v1.sgm'));
  assert.ok(mf instanceof sg.models.MatrixFactorization);
  want.mf.scores.forEach((s: number[], u: number) => closeAll(mf.scoreItems(u), s, `MF user ${u}`));
  const dmf = sg.load(fixture('deepmf-v1.sgm'));
  assert.ok(dmf instanceof sg.models.DeepMF);
  dmf.eval();
  want.deepmf.scores.forEach((s: number[], u: number) => closeAll(dmf.scoreItems(u), s, `DeepMF user ${u}`));
});

test('a class a bundler renamed still saves under its registered name', () => {
  const cls = sg.models.MultVAE;
  const original = Object.getOwnPropertyDescriptor(cls, 'name')!;
  const model = new cls({ numItems: 6, hidden: [3], latent: 2 });
  const path = join(dir, 'renamed.sgm');
  Object.defineProperty(cls, 'name', { value: '_MultVAE', configurable: true }); // what esbuild's class renaming does
  try {
    assert.is(model.constructor.name, '_MultVAE');
    assert.is(sg.models.registeredName(model), 'MultVAE');
    sg.save(model, path);
  } finally {
    Object.defineProperty(cls, 'name', original);
  }
  assert.ok(sg.load(path) instanceof sg.models.MultVAE);
});

test('registerModel with the class: a model of your own saves and loads under its name', () => {
  class Biased extends sg.models.MatrixFactorization {}
  // not registered: saved under its constructor's name, which load does not know
  const plain = new Biased({ numUsers: 3, numItems: 4, dim: 2 });
  sg.save(plain, join(dir, 'unregistered.sgm'));
  assert.throws(() => sg.load(join(dir, 'unregistered.sgm')), /model class \W?Biased\W?.*known: MatrixFactorization, DeepMF/);
  sg.models.registerModel('my/biased-mf', (c) => new Biased(c as unknown as sg.models.MFConfig), Biased);
  const model = new Biased({ numUsers: 3, numItems: 4, dim: 2, seed: 1 });
  assert.is(sg.models.registeredName(model), 'my/biased-mf');
  sg.save(model, join(dir, 'registered.sgm'));
  const back = sg.load(join(dir, 'registered.sgm'));
  assert.ok(back instanceof Biased);
  closeAll(back.scoreItems(1), model.scoreItems(1), 'scores');
  // the built-in base class keeps its own name
  assert.is(sg.models.registeredName(new sg.models.MatrixFactorization({ numUsers: 3, numItems: 4 })), 'MatrixFactorization');
});

test.run();
