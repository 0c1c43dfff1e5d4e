/**
 * Checkpoints (issue 14 item 3, issue 17 item 5): the safetensors-compatible format read by
 * an independent reader written here from the spec, checkpoints of format version 1 still
 * loading, every header field checked against the payload and the model's config before
 * anything big is allocated, the checksum covering header and payload, atomic writes that
 * leave no temp file after a failure or a kill -9.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as sg from '../../index.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-ckpt-'));
const fixtures = resolve('test/models/fixtures');

// ---- an independent safetensors reader, from the spec (https://github.com/huggingface/safetensors#format) ----

interface StEntry { dtype: string; shape: number[]; data_offsets: [number, number] }
const SIZES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

/** Parses a safetensors file the way the spec describes, asserting everything a strict reader requires. */
function specRead(bytes: Buffer): { metadata: Record<string, string>; tensors: Map<string, { dtype: string; shape: number[]; data: Buffer }> } {
  const n = Number(bytes.readBigUInt64LE(0));
  assert.ok(n <= 100_000_000, 'header at most 100 MB');
  assert.is((8 + n) % 8, 0, 'the buffer starts 8-byte aligned');
  const text = bytes.toString('utf8', 8, 8 + n);
  assert.is(text[0], '{');
  assert.ok(/^[^]*\} *$/.test(text), 'the header may only be padded with spaces');
  const header = JSON.parse(text) as Record<string, StEntry | Record<string, string>>;
  const buffer = bytes.subarray(8 + n);
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  for (const v of Object.values(metadata)) assert.type(v, 'string');
  const entries = Object.entries(header).filter(([k]) => k !== '__metadata__') as [string, StEntry][];
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  let end = 0;
  const tensors = new Map<string, { dtype: string; shape: number[]; data: Buffer }>();
  for (const [name, e] of entries) {
    const [b, f] = e.data_offsets;
    assert.is(b, end, `${name} starts where the previous tensor ended`);
    assert.is(f - b, e.shape.reduce((x, y) => x * y, 1) * SIZES[e.dtype], `${name}'s byte length is its element count × dtype size`);
    end = f;
    tensors.set(name, { dtype: e.dtype, shape: e.shape, data: buffer.subarray(b, f) });
  }
  assert.is(end, buffer.length, 'the tensors cover the whole buffer');
  return { metadata, tensors };
}

const f32 = (b: Buffer) => Array.from(new Float32Array(new Uint8Array(b).buffer));

/** Re-encodes a v2 file with its sparsegrad metadata edited and a valid checksum (a hostile but well-formed file). */
function rewrite(bytes: Buffer, edit: (info: Record<string, any>, header: Record<string, any>) => void, opts: { restamp?: boolean } = {}): Buffer {
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.toString('utf8', 8, 8 + n));
  const info = JSON.parse(header.__metadata__.sparsegrad);
  edit(info, header);
  header.__metadata__.sparsegrad = JSON.stringify(info);
  header.__metadata__['sparsegrad.crc32'] = '00000000';
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - ((8 + json.length) % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const out = Buffer.concat([len, json, bytes.subarray(8 + n)]);
  if (opts.restamp ?? true) {
    const crc = (zlibCrc32(out) >>> 0).toString(16).padStart(8, '0');
    const at = out.indexOf('"sparsegrad.crc32":"00000000"') + '"sparsegrad.crc32":"'.length;
    out.write(crc, at, 'latin1');
  } else {
    const at = out.indexOf('"sparsegrad.crc32":"00000000"') + '"sparsegrad.crc32":"'.length;
    out.write(JSON.parse(bytes.toString('utf8', 8, 8 + n)).__metadata__['sparsegrad.crc32'], at, 'latin1');
  }
  return out;
}

function trainedMF() {
  sg.setSeed(11);
  const model = new sg.models.MatrixFactorization({ numUsers: 30, numItems: 25, dim: 4, biases: true, globalMean: 3 });
  model.meta = { userIds: Array.from({ length: 30 }, (_, i) => 100 + i), itemIds: Array.from({ length: 25 }, (_, i) => 500 + i), itemTitles: Array.from({ length: 25 }, (_, i) => `Film ${i}`) };
  const users = Int32Array.from({ length: 300 }, (_, k) => k % 30);
  const items = Int32Array.from({ length: 300 }, (_, k) => (k * 7) % 25);
  const ratings = Float32Array.from({ length: 300 }, (_, k) => 1 + (k % 5));
  const data = { numUsers: 30, numItems: 25, users, items, ratings };
  const opt = new sg.optim.Adam(model.parameters(), { lr: 0.01 });
  return { model, opt, data, seen: sg.datasets.userItemMatrix(data, { values: 'binary' }) };
}

test('a checkpoint is a safetensors file an independent reader opens: names, shapes, values, metadata', async () => {
  const { model, opt, data, seen } = trainedMF();
  await sg.train.fit(model, sg.datasets.BatchIterator.fromRatings(data, { batchSize: 50 }), { epochs: 2, optimizer: opt, verbose: false });
  const path = join(dir, 'mf.sgm');
  sg.save(model, path, { optimizer: opt, seen });
  const { metadata, tensors } = specRead(readFileSync(path));
  assert.is(metadata.format, 'sparsegrad');
  const info = JSON.parse(metadata.sparsegrad);
  assert.is(info.formatVersion, 2);
  assert.is(info.modelClass, 'MatrixFactorization');
  assert.is(info.config.numUsers, 30);
  assert.is(info.meta.itemTitles[3], 'Film 3');
  for (const [name, t] of model.stateDict()) {
    const got = tensors.get(name)!;
    assert.ok(got, `tensor ${name} is in the file`);
    assert.is(got.dtype, 'F32');
    assert.equal(got.shape, t.shape);
    assert.equal(f32(got.data), Array.from(t.dataSync()));
  }
  for (const [key, t] of opt.stateTensors()) assert.equal(f32(tensors.get(`optimizer.${key}`)!.data), Array.from(t.dataSync()));
  assert.equal(Array.from(new Int32Array(new Uint8Array(tensors.get('seen.indptr')!.data).buffer)), Array.from(seen.indptr));
  assert.match(metadata['sparsegrad.crc32'], /^[0-9a-f]{8}$/);
  // sg.readSafetensors reads it too, and reads a file another writer made
  const again = sg.readSafetensors(path);
  assert.equal(Array.from(again.tensors.get('item.weight')!.data as Float32Array), f32(tensors.get('item.weight')!.data));
  const other = join(dir, 'other.safetensors');
  sg.writeSafetensors(other, [{ name: 'w', dtype: 'F32', shape: [2, 2], bytes: new Uint8Array(Float32Array.from([1, 2, 3, 4]).buffer) }], { note: 'hi' });
  const o = specRead(readFileSync(other));
  assert.equal(f32(o.tensors.get('w')!.data), [1, 2, 3, 4]);
  assert.is(o.metadata.note, 'hi');
  assert.throws(() => sg.load(other), /is a safetensors file without sparsegrad metadata.*readSafetensors/);
});

test('a file re-saved by another safetensors writer (new key order, spacing, tensor order) loads with {checksum: false}', async () => {
  const { model, opt, seen } = trainedMF();
  const path = join(dir, 'resave.sgm');
  sg.save(model, path, { optimizer: opt, seen });
  const { metadata, tensors } = specRead(readFileSync(path));
  // what Python's safetensors.save_file does: its own header layout and tensor order
  const names = [...tensors.keys()].sort().reverse();
  const obj: Record<string, unknown> = {};
  let at = 0;
  for (const n of names) {
    const t = tensors.get(n)!;
    obj[n] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.length] };
    at += t.data.length;
  }
  obj.__metadata__ = metadata;
  let json = Buffer.from(JSON.stringify(obj, null, 1));
  json = Buffer.concat([json, Buffer.alloc((8 - ((8 + json.length) % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const foreign = join(dir, 'foreign.sgm');
  writeFileSync(foreign, Buffer.concat([len, json, ...names.map((n) => tensors.get(n)!.data)]));
  assert.throws(() => sg.load(foreign), /has no valid sparsegrad checksum .*\{checksum: false\}|is corrupted: its CRC-32/);
  const loaded = sg.load(foreign, { checksum: false });
  assert.equal(Array.from(loaded.scoreItems(4)), Array.from(model.scoreItems(4)));
  assert.equal(Array.from(loaded.seen!.indices), Array.from(seen.indices));
});

test('a Python reader with only json and numpy opens it too (when python3 and numpy are installed)', () => {
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) return; // optional: not every machine has numpy
  const { model } = trainedMF();
  const path = join(dir, 'py.sgm');
  sg.save(model, path);
  const py = [
    'import json, struct, sys, numpy as np',
    'b = open(sys.argv[1], "rb").read()',
    'n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n]); buf = b[8 + n:]',
    'e = h["item.weight"]; s, t = e["data_offsets"]',
    'w = np.frombuffer(buf[s:t], dtype="<f4").reshape(e["shape"])',
    'print(json.dumps({"shape": list(w.shape), "sum": float(w.astype(np.float64).sum()), "meta": json.loads(h["__metadata__"]["sparsegrad"])["modelClass"]}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', py, path], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.shape, [25, 4]);
  assert.is(out.meta, 'MatrixFactorization');
  const w = model.item.weight.dataSync();
  let sum = 0;
  for (const v of w) sum += v;
  assert.ok(Math.abs(out.sum - sum) < 1e-9, `${out.sum} vs ${sum}`);
});

test('checkpoints written in format version 1 still load: same scores, optimizer state and seen items', async () => {
  const expected = JSON.parse(readFileSync(join(fixtures, 'v1-expected.json'), 'utf8'));
  for (const kind of ['mf', 'deepmf'] as const) {
    const m = sg.load(join(fixtures, `${kind}-v1.sgm`));
    const want = expected[kind];
    for (let u = 0; u < want.scores.length; u++) assert.equal(Array.from(m.scoreItems(u)), want.scores[u], `${kind} user ${u}`);
    const opt = m.restoredOptimizer!;
    assert.ok(opt, `${kind}: optimizer restored`);
    for (const [k, v] of Object.entries(want.optimizer)) assert.equal(Array.from(opt.stateTensors().get(k)!.dataSync()), v, `${kind} state ${k}`);
    assert.equal(opt.extraState(), want.extra);
    if (want.seen) {
      assert.equal(Array.from(m.seen!.indptr), want.seen.indptr);
      assert.equal(Array.from(m.seen!.indices), want.seen.indices);
    }
    // re-saved in today's format, it loads the same
    const path = join(dir, `${kind}-v2.sgm`);
    sg.save(m, path, { optimizer: opt, seen: m.seen });
    const again = sg.load(path);
    for (let u = 0; u < want.scores.length; u++) assert.equal(Array.from(again.scoreItems(u)), want.scores[u]);
  }
  assert.equal(sg.load(join(fixtures, 'mf-v1.sgm')).meta.itemTitles, ['A (1995)', 'B, The (1996)', 'C "quoted"', 'D', 'E']);
});

test('the checksum covers the header: an edited header without a new checksum is refused', () => {
  const { model, seen } = trainedMF();
  const path = join(dir, 'hdr.sgm');
  sg.save(model, path, { seen });
  const good = readFileSync(path);
  // issue 14: a tensor shape [250,30] for a [300,25] tensor, seen.shape [1e9, 1e9] loaded silently
  const edits: ((info: any) => void)[] = [
    (i) => { i.config.dim = 5; },
    (i) => { i.seen.shape = [1e9, 1e9]; },
    (i) => { i.meta.itemTitles[0] = 'Changed'; },
  ];
  for (const edit of edits) {
    const bad = rewrite(good, edit, { restamp: false });
    writeFileSync(join(dir, 'x.sgm'), bad);
    assert.throws(() => sg.load(join(dir, 'x.sgm')), /is corrupted: its CRC-32 is [0-9a-f]{8}, the file says/);
  }
  // and any flipped bit in the header or the payload
  for (const pos of [20, 100, good.length - 3]) {
    const bad = Buffer.from(good);
    bad[pos] ^= 0x10;
    writeFileSync(join(dir, 'x.sgm'), bad);
    assert.throws(() => sg.load(join(dir, 'x.sgm')), /load: .*x\.sgm/);
  }
});

test('a well-formed hostile header is checked against the payload and the config before allocating', async () => {
  const { model, opt, seen, data } = trainedMF();
  await sg.train.fit(model, sg.datasets.BatchIterator.fromRatings(data, { batchSize: 50 }), { epochs: 1, optimizer: opt, verbose: false });
  const path = join(dir, 'hostile.sgm');
  sg.save(model, path, { optimizer: opt, seen });
  const good = readFileSync(path);
  const cases: [string, (info: any, header: any) => void, RegExp][] = [
    ['numUsers 50,000,000 (issue: 120 s, 3.5 GB)', (i) => { i.config.numUsers = 50_000_000; }, /describes a model larger than the .* values its tensors hold/],
    ['numUsers 2e9 (issue: RangeError)', (i) => { i.config.numUsers = 2e9; }, /describes a model larger than|refuses/],
    ['a shape edit of the same size', (_, h) => { h['item.weight'].shape = [20, 5]; }, /has tensor 'item.weight' of shape \[20, 5\]; its MatrixFactorization config makes it \[25, 4\]/],
    ['seen.shape [1e9, 1e9]', (i) => { i.seen.shape = [1e9, 1e9]; }, /has seen items of shape \[1000000000,1000000000\]; the model is \[30, 25\]/],
    ['a shape larger than the file', (_, h) => { h['user.weight'].shape = [1e9, 1e9]; }, /shape \[1000000000,1000000000\] needs more bytes/],
    ['offsets past the end', (_, h) => { h['user.weight'].data_offsets = [0, 1e12]; }, /truncated|needs|does not|but data_offsets/],
    ['string formatVersion', (i) => { i.formatVersion = '2'; }, /has formatVersion "2" \(string\); it must be the number 2/],
    ['a newer version', (i) => { i.formatVersion = 3; }, /format version 3; this sparsegrad reads versions 1 and 2 \(it was written by a newer sparsegrad\)/],
    ['an unknown model class', (i) => { i.modelClass = 'Transformer'; }, /names the model class "Transformer"; known: MatrixFactorization/],
    ['a missing tensor', (i) => { i.tensors = i.tensors.filter((n: string) => n !== 'item.weight'); }, /tensor "item.weight" that its metadata does not account for/],
    ['an optimizer state of the wrong shape', (i) => { const st = i.optimizer.state; [st['0.m'], st['1.m']] = [st['1.m'], st['0.m']]; }, /optimizer state "0\.m" of float32 \[25[^\]]*\] for a parameter of shape \[30/],
    ['a bad learning rate', (i) => { i.optimizer.hyper.lr = 'fast'; }, /hyper-parameters that are not finite numbers/],
    ['rowSteps of the wrong length', (i) => { i.optimizer.extra.rowSteps = [[1, 2], null, null, null, null]; }, /rowSteps\[0\] that is not 30 counts/],
    ['userIds of the wrong length', (i) => { i.meta.userIds = [1, 2]; }, /meta.userIds that is not 30 ids/],
  ];
  for (const [what, edit, reason] of cases) {
    writeFileSync(join(dir, 'h.sgm'), rewrite(good, edit));
    const t0 = performance.now();
    try {
      sg.load(join(dir, 'h.sgm'));
      assert.unreachable(`${what}: should have been refused`);
    } catch (e) {
      const msg = (e as Error).message;
      assert.match(msg, reason, `${what}: ${msg}`);
      assert.match(msg, /^load: .*h\.sgm[: ]/, `${what}: names the file`);
      assert.ok(msg.length < 800, `${what}: bounded message (${msg.length})`);
    }
    assert.ok(performance.now() - t0 < 2000, `${what}: refused fast`);
  }
});

test('not a checkpoint: junk, empty, truncated, trailing bytes, a directory, a missing file', () => {
  const { model } = trainedMF();
  const path = join(dir, 'ok.sgm');
  sg.save(model, path);
  const good = readFileSync(path);
  const cases: [Buffer | string, RegExp][] = [
    ['hello', /is not a sparsegrad checkpoint/],
    [Buffer.alloc(0), /is not a sparsegrad checkpoint \(0 bytes\)/],
    [good.subarray(0, good.length - 10), /is truncated: its tensors need \d+ bytes after the header, it has \d+/],
    [Buffer.concat([good, Buffer.from('xx')]), /has 2 bytes after its last tensor/],
    [good.subarray(0, 30), /header length|not a sparsegrad checkpoint/],
  ];
  for (const [bytes, reason] of cases) {
    writeFileSync(join(dir, 'bad.sgm'), bytes);
    assert.throws(() => sg.load(join(dir, 'bad.sgm')), reason);
  }
  mkdirSync(join(dir, 'adir.sgm'), { recursive: true });
  assert.throws(() => sg.load(join(dir, 'adir.sgm')), /load: .*adir\.sgm is a directory/);
  assert.throws(() => sg.load(join(dir, 'missing.sgm')), /load: .*missing\.sgm does not exist/);
  // version 1 with a string formatVersion (issue: "has checkpoint format version 1; this sparsegrad reads version 1")
  const v1 = readFileSync(join(fixtures, 'mf-v1.sgm'));
  const hl = v1.readUInt32LE(8);
  const h = JSON.parse(v1.toString('utf8', 12, 12 + hl));
  h.formatVersion = '1';
  const hb = Buffer.from(JSON.stringify(h));
  const pre = Buffer.from(v1.subarray(0, 12));
  pre.writeUInt32LE(hb.length, 8);
  writeFileSync(join(dir, 'v1s.sgm'), Buffer.concat([pre, hb, v1.subarray(12 + hl)]));
  assert.throws(() => sg.load(join(dir, 'v1s.sgm')), /has formatVersion "1" \(string\); it must be the number 1/);
});

test('save replaces only regular files: a FIFO at the target is refused, a symbolic link is followed and kept', () => {
  const { model } = trainedMF();
  const d = mkdtempSync(join(tmpdir(), 'sg-save-nodes-'));
  // a FIFO (a device such as /dev/null is the same class: renaming over it would replace the node)
  const fifo = join(d, 'pipe.sgm');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    assert.throws(() => sg.save(model, fifo), /save: .*pipe\.sgm is not a regular file \(a device, FIFO or socket\)/);
    assert.ok(lstatSync(fifo).isFIFO(), 'the FIFO is still a FIFO');
    assert.equal(readdirSync(d).filter((n) => n.includes('.tmp-')), []);
  }
  // a link to an existing checkpoint: the file it points at gets the new model, the link stays
  const real = join(d, 'real.sgm'), link = join(d, 'link.sgm');
  writeFileSync(real, 'old');
  symlinkSync(real, link);
  sg.save(model, link);
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is kept');
  assert.ok(readFileSync(real).length > 100, 'the linked file holds the checkpoint');
  const back = sg.load(link);
  assert.equal(back.parameters().length, model.parameters().length);
  rmSync(d, { recursive: true, force: true });
});

test('a failed save leaves the old file and no temp: --out a directory, a missing directory, a full disk', () => {
  const { model } = trainedMF();
  const d = mkdtempSync(join(tmpdir(), 'sg-save-'));
  mkdirSync(join(d, 'taken.sgm'));
  assert.throws(() => sg.save(model, join(d, 'taken.sgm')), /save: .*taken\.sgm is a directory; give a file path/);
  assert.throws(() => sg.save(model, join(d, 'nope', 'm.sgm')), /save: the directory .*nope of .* does not exist/);
  assert.equal(readdirSync(d), ['taken.sgm']);
  // a real full disk: a 64 KB tmpfs (needs mount permission; skipped where there is none)
  const mnt = join(d, 'small');
  mkdirSync(mnt);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status !== 0) return;
  try {
    const small = new sg.models.MatrixFactorization({ numUsers: 5, numItems: 5, dim: 2 });
    sg.save(small, join(mnt, 'm.sgm'));
    const before = readFileSync(join(mnt, 'm.sgm'));
    const big = new sg.models.MatrixFactorization({ numUsers: 10000, numItems: 10, dim: 4 }); // 160 KB
    assert.throws(() => sg.save(big, join(mnt, 'm.sgm')), /save: could not write .*m\.sgm: the disk is full \(nothing was changed; no temp file is left\)/);
    assert.equal(readdirSync(mnt), ['m.sgm']);
    assert.equal(readFileSync(join(mnt, 'm.sgm')), before);
  } finally {
    spawnSync('umount', [mnt]);
  }
});

test('kill -9 during save: the previous checkpoint loads whole, and the next save sweeps the temp', async () => {
  const dist = resolve('dist/index.js');
  assert.ok(existsSync(dist), 'dist/ is built (scripts/setup.sh builds it)');
  const d = mkdtempSync(join(tmpdir(), 'sg-kill-'));
  const path = join(d, 'model.sgm');
  // the child saves a 40 MB checkpoint again and again, each time with a different global bias
  const script = `import(${JSON.stringify(dist)}).then((sg) => {
    const m = new sg.models.MatrixFactorization({ numUsers: 200000, numItems: 1000, dim: 50, biases: true });
    for (let k = 1; ; k++) { m.globalBias.backend.overwrite(m.globalBias.dataId, Float32Array.of(k)); sg.save(m, ${JSON.stringify(path)}); }
  })`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => { err += c; });
  let exited = false;
  child.on('exit', () => { exited = true; });
  // wait for one complete checkpoint, then for a save in flight
  const t0 = Date.now();
  while (!exited && !existsSync(path) && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 5));
  let caught = false;
  while (!exited && !caught && Date.now() - t0 < 60_000) {
    caught = readdirSync(d).some((n) => n.includes('.tmp-'));
    if (!caught) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, Math.random() * 20));
  child.kill('SIGKILL');
  if (!exited) await new Promise((r) => child.on('exit', r));
  assert.ok(caught, `caught a save in flight ${err}`);
  const loaded = sg.load(path) as sg.models.MatrixFactorization;
  const k = loaded.globalBias!.dataSync()[0];
  assert.ok(Number.isInteger(k) && k >= 1, `a whole checkpoint (save number ${k})`);
  // the dead child's temp is swept by the next save of that path
  sg.save(loaded, path);
  assert.equal(readdirSync(d), ['model.sgm']);
  rmSync(d, { recursive: true, force: true });
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
