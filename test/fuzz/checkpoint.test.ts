/**
 * Fuzz: a checkpoint (MF with biases, Adam state, seen items, id maps and titles), mutated
 * as raw bytes (flips, cuts, insertions, huge numbers, deletions, copies) — each must be
 * refused with a clear error naming the file, since the checksum covers every byte — and
 * edited with a recomputed checksum (one value of its JSON header or sparsegrad metadata
 * changed to a huge, negative, wrong-typed or missing value): each must be refused clearly,
 * fast and without a big allocation, or load a model whose every tensor is the file's.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import * as sg from '../../index.js';
import { assertClear, fuzzSuite, mutate, rng, type Outcome } from './harness.js';

const HOSTILE: unknown[] = [-1, 0, 1, 3, 2 ** 31, 2 ** 53, 1e12, 1e300, -1e300, 0.5, 'x', '2', null, true, [], [1e9, 1e9], {}];

/** One JSON leaf (anywhere in the safetensors header or the sparsegrad metadata) changed, the checksum recomputed. */
function hostileEdit(base: Buffer, k: number): { bytes: Buffer; what: string } {
  const r = rng('ckpt-hostile', k);
  const n = Number(base.readBigUInt64LE(0));
  const header = JSON.parse(base.toString('utf8', 8, 8 + n));
  const info = JSON.parse(header.__metadata__.sparsegrad);
  const leaves: [Record<string, unknown>, string, string][] = [];
  const walk = (o: unknown, path: string, depth: number) => {
    if (!o || typeof o !== 'object' || depth > 6) return;
    const entries = Object.entries(o);
    for (const [key, v] of entries.length > 40 ? entries.slice(0, 40) : entries) {
      if (path === '' && key === '__metadata__') continue;
      leaves.push([o as Record<string, unknown>, key, `${path}.${key}`]);
      walk(v, `${path}.${key}`, depth + 1);
    }
  };
  // the safetensors header (tensor table) or the sparsegrad metadata (config, meta, optimizer, seen)
  if (r.int(2) === 0) walk(header, '', 0);
  else walk(info, 'info', 0);
  const [obj, key, path] = leaves[r.int(leaves.length)];
  const v = r.int(8) === 0 ? undefined : HOSTILE[r.int(HOSTILE.length)];
  if (v === undefined) delete obj[key];
  else obj[key] = v;
  header.__metadata__.sparsegrad = JSON.stringify(info);
  header.__metadata__['sparsegrad.crc32'] = '00000000';
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - ((8 + json.length) % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const out = Buffer.concat([len, json, base.subarray(8 + n)]);
  const at = out.indexOf('"sparsegrad.crc32":"00000000"') + '"sparsegrad.crc32":"'.length;
  out.write((crc32(out) >>> 0).toString(16).padStart(8, '0'), at, 'latin1');
  return { bytes: out, what: `${path} → ${v === undefined ? '(deleted)' : JSON.stringify(v)}` };
}

fuzzSuite('checkpoint', import.meta.url, 300, async () => {
  await sg.setBackend('cpu');
  sg.setSeed(4);
  const model = new sg.models.MatrixFactorization({ numUsers: 40, numItems: 30, dim: 5, biases: true, globalMean: 3 });
  model.meta = { userIds: Array.from({ length: 40 }, (_, i) => 10 + i), itemIds: Array.from({ length: 30 }, (_, i) => 7 * i), itemTitles: Array.from({ length: 30 }, (_, i) => `Title ${i}`) };
  const users = Int32Array.from({ length: 400 }, (_, e) => e % 40);
  const items = Int32Array.from({ length: 400 }, (_, e) => (e * 11) % 30);
  const data = { numUsers: 40, numItems: 30, users, items, ratings: Float32Array.from({ length: 400 }, (_, e) => 1 + (e % 5)) };
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.01 });
  await sg.train.fit(model, sg.datasets.BatchIterator.fromRatings(data, { batchSize: 100 }), { epochs: 1, optimizer: opt, verbose: false, progress: false });
  const dir = mkdtempSync(join(tmpdir(), 'sg-fuzz-ckpt-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const good = join(dir, 'good.sgm');
  sg.save(model, good, { optimizer: opt, seen: sg.datasets.userItemMatrix(data, { values: 'binary' }) });
  const base = readFileSync(good);
  const want = new Map([...model.stateDict()].map(([name, t]) => [name, Array.from(t.dataSync())]));
  const file = join(dir, 'case.sgm');
  return async (k: number): Promise<Outcome> => {
    const hostile = k % 2 === 1;
    const m = hostile ? hostileEdit(base, k) : mutate(base, rng('ckpt', k));
    const what = `case ${k} (${m.what})`;
    writeFileSync(file, m.bytes);
    let loaded: sg.LoadedModel;
    try {
      loaded = sg.load(file);
    } catch (e) {
      assertClear(e, file, what);
      if (!(e as Error).message.startsWith('load: ')) throw new Error(`${what}: an error not from load(): ${(e as Error).stack}`);
      return 'error';
    }
    if (!hostile && !m.bytes.equals(base)) throw new Error(`${what}: a corrupted file loaded`);
    // a load must hold exactly the file's tensors (JSON edits never change the payload)
    for (const [name, t] of loaded.stateDict()) {
      const w = want.get(name);
      if (!w || JSON.stringify(Array.from(t.dataSync())) !== JSON.stringify(w)) throw new Error(`${what}: tensor ${name} differs from the file's`);
    }
    loaded.scoreItems(0);
    if (process.env.SG_FUZZ_SHOW) process.stdout.write(`ok ${what}\n`); // SG_FUZZ_SHOW=1: list the edits that loaded
    loaded.dispose();
    return 'ok';
  };
});
