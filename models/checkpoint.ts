/**
 * Checkpoints: `save(model, path, {optimizer, seen, training})` / `load(path)`.
 *
 * Format version 2 is a **safetensors file** (safetensors.ts): Python's
 * `safetensors.safe_open(path, 'np')` lists the weights by their module names
 * (`user.weight`, `item.weight`, …), the optimizer's state as `optimizer.<param>.<slot>`
 * and the seen-items CSR as `seen.indptr` / `seen.indices`. What sparsegrad needs besides
 * tensors — format version, model class and config, id maps and titles, optimizer class,
 * hyper-parameters and step counts, the training state a resumed run restores — is one
 * JSON string in `__metadata__.sparsegrad`. `__metadata__["sparsegrad.crc32"]` is the
 * CRC-32 of the **whole file** (header and tensors) computed with those eight hex digits
 * read as "00000000", so an edited header is caught as surely as a flipped weight.
 *
 * `load` checks before it allocates: the header against the file size (safetensors' exact
 * tiling), the checksum, then the model is rebuilt from its config under an allocation
 * budget the size of the tensors in the file (a config edited to `numUsers: 50000000` fails
 * at once), and every tensor's name, shape and dtype must match the rebuilt model's.
 * Checkpoints written in format version 1 (`SGCKPT01` magic, payload-only CRC) still load.
 *
 * `save` is atomic (datasets/io/atomic.ts): temp file, fsync, rename; a failed or killed
 * write leaves the previous checkpoint, and no temp file survives the next save.
 */
import * as fs from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AllocationBudgetError, withAllocationBudget } from '../core/budget.js';
import { CSR } from '../core/csr.js';
import { decodeHalfArray } from '../core/float16.js';
import type { Tensor } from '../core/tensor.js';
import { writeFileAtomicSync } from '../datasets/io/atomic.js';
import { crc32, hex32 } from '../datasets/io/checksum.js';
import { clip } from '../datasets/io/safe-text.js';
import type { Recommender, ModelMeta } from './recommender.js';
import { buildModel, modelNames, registeredName } from './registry.js';
// The built-in families register themselves in models/index.ts. Using one of its exports
// keeps that module, registrations and all, in bundles that tree-shake by package.json's
// `sideEffects: false` — else `import { load } from 'sparsegrad'` would know no models.
import { MatrixFactorization as builtinFamilies } from './index.js';
import { Optimizer } from './optim/optimizer.js';
import { SGD } from './optim/sgd.js';
import { Adam } from './optim/adam.js';
import { AdaGrad } from './optim/adagrad.js';
import { encodeSafetensors, openForRead, parseSafetensorsHeader, readFully, SafetensorsError, type TensorToWrite } from './safetensors.js';

export const CHECKPOINT_FORMAT_VERSION = 2;
const V1_MAGIC = 'SGCKPT01';
const META_KEY = 'sparsegrad';
const CRC_KEY = 'sparsegrad.crc32';
const CRC_PLACEHOLDER = '00000000';
/** A v1 header past this is not one sparsegrad wrote. */
const MAX_V1_HEADER_BYTES = 256 << 20;

export { crc32 };

type DTypeName = 'float32' | 'float16' | 'float64' | 'int32';
const TO_SAFETENSORS: Record<DTypeName, string> = { float32: 'F32', float16: 'F16', float64: 'F64', int32: 'I32' };
const FROM_SAFETENSORS: Record<string, DTypeName> = { F32: 'float32', F16: 'float16', F64: 'float64', I32: 'int32' };
const ITEM_BYTES: Record<DTypeName, number> = { float32: 4, float16: 2, float64: 8, int32: 4 };

/** The sparsegrad part of a version-2 file, in `__metadata__.sparsegrad`. */
interface Info {
  formatVersion: number;
  library: 'sparsegrad';
  modelClass: string;
  config: Record<string, unknown>;
  meta: ModelMeta;
  /** the model's state tensors, by name, in stateDict order */
  tensors: string[];
  optimizer?: { className: string; hyper: Record<string, number | boolean>; extra: Record<string, unknown>; state: Record<string, string> };
  /** `values`: seen.values holds each entry's value (e.g. the rating), else every entry is 1 */
  seen?: { shape: [number, number]; values?: boolean };
  training?: unknown;
}

export interface SaveOptions {
  optimizer?: Optimizer;
  /**
   * each user's training items (CSR [users, items]), so `recommend` can exclude them; values
   * other than 1 (ratings) are stored too. A user-row model (MultVAE, EASE, …) is served
   * from these rows after `load`.
   */
  seen?: CSR;
  /** what a resumed run needs besides weights and optimizer (epoch, iterator and random streams …), as JSON */
  training?: unknown;
}

function bytesOf(t: Tensor): Uint8Array {
  const raw = t.rawSync();
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

const int32Bytes = (a: Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The optimizer's class as checkpoints name it (not constructor.name, which bundlers rename). */
function optimizerName(o: Optimizer): string {
  return o instanceof Adam ? 'Adam' : o instanceof SGD ? 'SGD' : o instanceof AdaGrad ? 'AdaGrad' : o.constructor.name;
}

export function save(model: Recommender, path: string, opts: SaveOptions = {}): void {
  const tensors: TensorToWrite[] = [];
  const add = (name: string, dtype: string, shape: readonly number[], bytes: Uint8Array) => tensors.push({ name, dtype, shape: shape.slice(), bytes });
  const state = [...model.stateDict()];
  for (const [name, t] of state) {
    if (name.startsWith('optimizer.') || name.startsWith('seen.')) throw new Error(`save: the model's tensor name '${name}' clashes with a reserved prefix`);
    const dt = TO_SAFETENSORS[t.dtype as DTypeName];
    if (!dt) throw new Error(`save: tensor '${name}' has dtype ${t.dtype}, which checkpoints do not store`);
    add(name, dt, t.shape, bytesOf(t));
  }
  const info: Info = {
    formatVersion: CHECKPOINT_FORMAT_VERSION, library: 'sparsegrad', modelClass: registeredName(model),
    config: model.config, meta: model.meta, tensors: state.map(([n]) => n),
  };
  if (opts.optimizer) {
    const o = opts.optimizer;
    const st: Record<string, string> = {};
    for (const [key, t] of o.stateTensors()) {
      const name = `optimizer.${key}`;
      st[key] = name;
      add(name, TO_SAFETENSORS[t.dtype as DTypeName] ?? 'F32', t.shape, bytesOf(t));
    }
    info.optimizer = { className: optimizerName(o), hyper: o.hyperParameters(), extra: o.extraState(), state: st };
  }
  if (opts.seen) {
    info.seen = { shape: [opts.seen.rows, opts.seen.cols] };
    add('seen.indptr', 'I32', [opts.seen.indptr.length], int32Bytes(opts.seen.indptr));
    add('seen.indices', 'I32', [opts.seen.indices.length], int32Bytes(opts.seen.indices));
    const v = opts.seen.values;
    if (v.some((x) => x !== 1)) {
      info.seen.values = true;
      add('seen.values', 'F32', [v.length], new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    }
  }
  if (opts.training !== undefined) info.training = opts.training;
  const encoded = encodeSafetensors(tensors, { format: 'sparsegrad', [META_KEY]: JSON.stringify(info), [CRC_KEY]: CRC_PLACEHOLDER });
  const header = Buffer.from(encoded.header.buffer, encoded.header.byteOffset, encoded.header.byteLength);
  const chunks = encoded.chunks;
  // the CRC of the whole file with its own digits as zeros, then written into the header
  const at = crcDigitsAt(header);
  let crc = crc32(header);
  for (const c of chunks) crc = crc32(c, crc);
  header.write(hex32(crc), at, 'latin1');
  writeFileAtomicSync(path, [header, ...chunks], { fs, dirname, basename, join, what: 'save' });
}

/** Where the eight CRC digits are in a header (the JSON key appears exactly once: quotes inside strings are escaped). */
function crcDigitsAt(header: Buffer): number {
  const key = Buffer.from(`"${CRC_KEY}":"`, 'latin1');
  const i = header.indexOf(key);
  if (i === -1 || header.indexOf(key, i + 1) !== -1) return -1;
  return i + key.length;
}

// ---- reading ----------------------------------------------------------------------------

interface Stored { name: string; dtype: DTypeName; shape: number[]; bytes: Uint8Array }

interface Parsed {
  formatVersion: number;
  modelClass: unknown;
  config: unknown;
  meta: unknown;
  model: Map<string, Stored>;
  optimizer?: { className: unknown; hyper: unknown; extra: unknown; state: Map<string, Stored> };
  seen?: { shape: unknown; indptr: Stored; indices: Stored; values?: Stored };
  training?: unknown;
}

export interface LoadOptions {
  /**
   * Verify the file's checksum (default true). `false` accepts a file re-saved by another
   * safetensors writer (which cannot update sparsegrad's checksum); every structural check
   * still runs.
   */
  checksum?: boolean;
}

export interface LoadedModel extends Recommender {
  /** the optimizer saved with the model, rebuilt over its parameters with its state */
  restoredOptimizer?: Optimizer;
  /** each user's training items, when saved */
  seen?: CSR;
  /** the training state saved for resuming (save's `training` option), unvalidated JSON */
  trainingState?: unknown;
}

class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const show = (v: unknown, max = 120) => clip(typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v), max);
const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

export function load(path: string, opts: LoadOptions = {}): LoadedModel {
  const { fd, size } = openForRead(path, 'load');
  let parsed: Parsed;
  try {
    const head = Buffer.alloc(Math.min(8, size));
    readFully(fd, head, 0);
    parsed = head.toString('latin1') === V1_MAGIC ? readV1(fd, size, path) : readV2(fd, size, path, opts);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(`load: ${e.message}`);
    throw e;
  } finally {
    fs.closeSync(fd);
  }
  return materialize(parsed, path);
}

function readV2(fd: number, size: number, path: string, opts: LoadOptions): Parsed {
  const fail = (why: string): never => { throw new CheckpointError(`load: ${path} ${why}`); };
  if (size < 8) fail(`is not a sparsegrad checkpoint (${size} bytes)`);
  let h;
  try {
    h = parseSafetensorsHeader(fd, size, path);
  } catch (e) {
    // not even a safetensors header: say what the file is not
    if (e instanceof SafetensorsError && /header length|does not start with|not valid JSON|not a JSON object/.test(e.message)) {
      fail(`is not a sparsegrad checkpoint (neither the version-1 magic bytes nor a safetensors header: ${e.message.slice(path.length + 2)})`);
    }
    throw e;
  }
  const infoText = h.metadata[META_KEY];
  if (h.metadata.format !== 'sparsegrad' || typeof infoText !== 'string') {
    fail('is a safetensors file without sparsegrad metadata (no __metadata__.sparsegrad); read its tensors with sg.readSafetensors()');
  }
  let info: Partial<Info>;
  try {
    info = JSON.parse(infoText);
  } catch (e) {
    return fail(`has corrupted sparsegrad metadata (${clip((e as Error).message, 120)})`);
  }
  if (typeof info !== 'object' || info === null) fail('has sparsegrad metadata that is not an object');
  checkVersion(info.formatVersion, 2, path);
  // the checksum: over the header (its digits as zeros) and every byte of the buffer
  const buffer = new Uint8Array(h.bufferBytes);
  readFully(fd, buffer, h.bufferStart);
  if (opts.checksum !== false) {
    const stored = h.metadata[CRC_KEY];
    const full = Buffer.concat([Buffer.alloc(8), h.headerBytes]);
    full.writeBigUInt64LE(BigInt(h.headerBytes.length));
    const at = crcDigitsAt(full);
    if (typeof stored !== 'string' || !/^[0-9a-f]{8}$/.test(stored) || at === -1 || full.toString('latin1', at, at + 8) !== stored) {
      fail(`has no valid sparsegrad checksum (${CRC_KEY}); if another tool re-saved it, load it with {checksum: false}`);
    }
    full.write(CRC_PLACEHOLDER, at, 'latin1');
    const crc = crc32(buffer, crc32(full));
    if (hex32(crc) !== stored) fail(`is corrupted: its CRC-32 is ${hex32(crc)}, the file says ${stored}`);
  }
  const byName = new Map<string, Stored>();
  for (const e of h.entries) {
    const dtype = FROM_SAFETENSORS[e.dtype];
    if (!dtype) fail(`has tensor ${show(e.name)} of dtype ${e.dtype}, which sparsegrad does not load`);
    byName.set(e.name, { name: e.name, dtype, shape: e.shape, bytes: buffer.subarray(e.begin, e.end) });
  }
  const claim = (name: unknown, role: string): Stored => {
    const s = typeof name === 'string' ? byName.get(name) : undefined;
    if (!s) return fail(`lists ${role} ${show(name)}, which is not among its tensors`);
    byName.delete(name as string);
    return s;
  };
  if (!Array.isArray(info.tensors)) fail('has no list of model tensors in its metadata');
  const model = new Map<string, Stored>();
  for (const n of info.tensors!) model.set(String(n), claim(n, 'model tensor'));
  const out: Parsed = { formatVersion: 2, modelClass: info.modelClass, config: info.config, meta: info.meta, model, training: info.training };
  if (info.optimizer !== undefined) {
    const o = info.optimizer as Info['optimizer'];
    if (typeof o !== 'object' || o === null || typeof o.state !== 'object' || o.state === null) fail('has optimizer metadata without a state table');
    const state = new Map<string, Stored>();
    for (const [key, name] of Object.entries(o!.state)) state.set(key, claim(name, `optimizer state ${show(key)}`));
    out.optimizer = { className: o!.className, hyper: o!.hyper, extra: o!.extra, state };
  }
  if (info.seen !== undefined) {
    const si = info.seen as Info['seen'];
    out.seen = { shape: si?.shape, indptr: claim('seen.indptr', 'tensor'), indices: claim('seen.indices', 'tensor') };
    if (si?.values) out.seen.values = claim('seen.values', 'tensor');
  }
  if (byName.size > 0) fail(`has tensor ${show([...byName.keys()][0])} that its metadata does not account for`);
  return out;
}

function checkVersion(v: unknown, expected: number, path: string): void {
  if (typeof v !== 'number') {
    throw new CheckpointError(`load: ${path} has formatVersion ${show(v, 40)} (${typeof v}); it must be the number ${expected}`);
  }
  if (v !== expected) {
    throw new CheckpointError(`load: ${path} has checkpoint format version ${v}; this sparsegrad reads versions 1 and ${CHECKPOINT_FORMAT_VERSION}` +
      (v > CHECKPOINT_FORMAT_VERSION ? ' (it was written by a newer sparsegrad)' : ''));
  }
}

/** Format version 1: "SGCKPT01", u32 header length, JSON header, payload (CRC of the payload in the header). */
function readV1(fd: number, size: number, path: string): Parsed {
  const fail = (why: string): never => { throw new CheckpointError(`load: ${path} ${why}`); };
  if (size < 12) fail(`is truncated (${size} bytes)`);
  const pre = Buffer.alloc(12);
  readFully(fd, pre, 0);
  const len = pre.readUInt32LE(8);
  if (len > MAX_V1_HEADER_BYTES || 12 + len > size) fail(`is truncated (header needs ${len} bytes, the file has ${size - 12} after its prefix)`);
  const hb = Buffer.alloc(len);
  readFully(fd, hb, 12);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(hb.toString('utf8'));
  } catch (e) {
    return fail(`has a corrupted header (${clip((e as Error).message, 120)})`);
  }
  if (typeof header !== 'object' || header === null) fail('has a header that is not an object');
  checkVersion(header.formatVersion, 1, path);
  const payloadBytes = size - 12 - len;
  if (header.payloadBytes !== payloadBytes) {
    fail(`is truncated or has trailing bytes: payload is ${payloadBytes} bytes, header says ${show(header.payloadBytes, 40)}`);
  }
  const payload = new Uint8Array(payloadBytes);
  readFully(fd, payload, 12 + len);
  const crc = crc32(payload);
  if (crc !== header.crc32) fail(`is corrupted (checksum ${crc} ≠ ${show(header.crc32, 20)})`);
  const entry = (e: unknown): Stored => {
    const t = e as { name?: unknown; dtype?: unknown; shape?: unknown; offset?: unknown; byteLength?: unknown };
    if (typeof t !== 'object' || t === null || typeof t.name !== 'string' || !(typeof t.dtype === 'string' && t.dtype in ITEM_BYTES)) {
      return fail(`has a malformed tensor entry ${show(e)}`);
    }
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return fail(`has tensor ${show(t.name)} with an invalid shape ${show(shape)}`);
    const off = t.offset as number;
    const n = t.byteLength as number;
    if (!Number.isSafeInteger(off) || !Number.isSafeInteger(n) || off < 0 || n < 0 || off + n > payloadBytes) {
      return fail(`has tensor ${show(t.name)} at bytes ${show(off)} + ${show(n)} outside its ${payloadBytes}-byte payload`);
    }
    let need = ITEM_BYTES[t.dtype as DTypeName];
    for (const d of shape as number[]) need *= d;
    if (need !== n) fail(`has tensor ${show(t.name)} of shape ${fmtShape(shape as number[])} in ${n} bytes (${t.dtype} needs ${need})`);
    return { name: t.name, dtype: t.dtype as DTypeName, shape: shape as number[], bytes: payload.subarray(off, off + n) };
  };
  if (!Array.isArray(header.tensors)) fail('has no tensor table');
  const model = new Map((header.tensors as unknown[]).map((e) => { const s = entry(e); return [s.name, s] as const; }));
  const out: Parsed = { formatVersion: 1, modelClass: header.modelClass, config: header.config, meta: header.meta, model };
  const o = header.optimizer as { className?: unknown; hyper?: unknown; extra?: unknown; state?: unknown } | undefined;
  if (o !== undefined) {
    if (typeof o !== 'object' || o === null || !Array.isArray(o.state)) fail('has optimizer metadata without a state table');
    out.optimizer = { className: o.className, hyper: o.hyper, extra: o.extra, state: new Map((o.state as unknown[]).map((e) => { const s = entry(e); return [s.name, s] as const; })) };
  }
  const seen = header.seen as { shape?: unknown; indptr?: unknown; indices?: unknown } | undefined;
  if (seen !== undefined) {
    if (typeof seen !== 'object' || seen === null) fail('has malformed seen-items metadata');
    out.seen = { shape: seen.shape, indptr: entry(seen.indptr), indices: entry(seen.indices) };
  }
  return out;
}

/** A stored tensor's values as the numbers loadStateDict takes (float16 decoded from its half bits). */
function valuesOf(s: Stored): Float32Array | Float64Array | Int32Array {
  const copy = s.bytes.slice().buffer;
  if (s.dtype === 'int32') return new Int32Array(copy);
  if (s.dtype === 'float64') return new Float64Array(copy);
  if (s.dtype === 'float16') return decodeHalfArray(new Uint16Array(copy));
  return new Float32Array(copy);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const INT32_MAX = 2147483647;

/** Rebuilds the model (under a budget), checks every tensor against it, then fills it. */
function materialize(p: Parsed, path: string): LoadedModel {
  if (!builtinFamilies) throw new Error('load: the built-in model families are not loaded');
  const fail = (why: string): never => { throw new CheckpointError(`load: ${path} ${why}`); };
  if (typeof p.modelClass !== 'string' || !modelNames().includes(p.modelClass)) {
    fail(`names the model class ${show(p.modelClass, 60)}; known: ${modelNames().join(', ')}`);
  }
  if (!isPlainObject(p.config)) fail('has a model config that is not an object');
  const cls = p.modelClass as string;
  let valuesInFile = 0;
  for (const s of p.model.values()) valuesInFile += s.bytes.length / ITEM_BYTES[s.dtype];
  // what the constructor may allocate: every tensor once as float32 and once more for its
  // initialiser's host copy, plus a little for scalars and small buffers
  const budget = 3 * 4 * valuesInFile + (1 << 20);
  let model: LoadedModel;
  try {
    model = withAllocationBudget(budget, `load: ${path}`, () => buildModel(cls, p.config as Record<string, unknown>)) as LoadedModel;
  } catch (e) {
    if (e instanceof AllocationBudgetError) {
      return fail(`has a ${cls} config (${show(p.config, 240)}) that describes a model larger than the ` +
        `${valuesInFile.toLocaleString('en-US')} values its tensors hold`);
    }
    return fail(`has a ${cls} config the model refuses: ${clip((e as Error).message, 300)}`);
  }
  try {
    const own = model.stateDict();
    const values = new Map<string, Float32Array | Float64Array | Int32Array>();
    for (const [name, t] of own) {
      const s = p.model.get(name);
      if (!s) fail(`has no tensor '${name}', which its ${cls} config needs (the file has: ${clip([...p.model.keys()].join(', '), 200)})`);
      if (s!.shape.length !== t.shape.length || s!.shape.some((d, i) => d !== t.shape[i])) {
        fail(`has tensor '${name}' of shape ${fmtShape(s!.shape)}; its ${cls} config makes it ${fmtShape(t.shape)}`);
      }
      if (s!.dtype !== t.dtype) fail(`has tensor '${name}' stored as ${s!.dtype}; the model's is ${t.dtype}`);
      values.set(name, valuesOf(s!));
    }
    for (const name of p.model.keys()) if (!own.has(name)) fail(`has tensor ${show(name)}, which a ${cls} does not have`);
    model.loadStateDict(values);
    // a user-row model has no user table: its users are the seen rows (attached before the
    // meta check, which counts them)
    const rowModel = (model as { usersFromRows?: boolean }).usersFromRows === true;
    if (p.seen && rowModel) {
      model.seen = restoreSeen(p.seen, model, fail, true);
      (model as unknown as { attachSeen(s: CSR): void }).attachSeen(model.seen);
    }
    model.meta = checkMeta(p.meta, model, fail);
    if (p.optimizer) model.restoredOptimizer = restoreOptimizer(p.optimizer, model, fail);
    if (p.seen && !rowModel) model.seen = restoreSeen(p.seen, model, fail);
    if (p.training !== undefined) model.trainingState = p.training;
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

type Fail = (why: string) => never;

function checkMeta(meta: unknown, model: Recommender, fail: Fail): ModelMeta {
  if (meta === undefined || meta === null) return {};
  if (!isPlainObject(meta)) return fail('has meta that is not an object');
  const m = meta as ModelMeta;
  const ids = (key: 'userIds' | 'itemIds', n: number) => {
    const v = m[key];
    if (v === undefined) return;
    if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'string' || Number.isSafeInteger(x))) {
      fail(`has meta.${key} that is not ${n} ids (integers or strings)`);
    }
    if (new Set(v.map(String)).size !== n) fail(`has meta.${key} with an id listed twice`);
  };
  ids('userIds', model.numUsers);
  ids('itemIds', model.numItems);
  if (m.itemTitles !== undefined && (!Array.isArray(m.itemTitles) || m.itemTitles.length > model.numItems || !m.itemTitles.every((t) => typeof t === 'string'))) {
    fail(`has meta.itemTitles that is not at most ${model.numItems} strings`);
  }
  return m;
}

function restoreOptimizer(o: NonNullable<Parsed['optimizer']>, model: Recommender, fail: Fail): Optimizer {
  const params = model.parameters();
  if (!isPlainObject(o.hyper) || !Object.values(o.hyper).every((v) => typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) {
    fail(`has optimizer hyper-parameters that are not finite numbers and booleans: ${show(o.hyper)}`);
  }
  const hyper = o.hyper as Record<string, number | boolean>;
  let opt: Optimizer;
  try {
    opt = o.className === 'Adam' ? new Adam(params, hyper) : o.className === 'SGD' ? new SGD(params, hyper)
      : o.className === 'AdaGrad' ? new AdaGrad(params, hyper) : fail(`has an unknown optimizer class ${show(o.className, 60)} (known: Adam, SGD, AdaGrad)`);
  } catch (e) {
    return fail(`has optimizer settings the optimizer refuses: ${clip((e as Error).message, 200)}`);
  }
  const extra = o.extra ?? {};
  if (!isPlainObject(extra)) fail('has optimizer extra state that is not an object');
  const x = extra as Record<string, unknown>;
  if (!isCount(x.iterations) || x.iterations > INT32_MAX) fail(`has optimizer iterations ${show(x.iterations, 40)}, not a step count`);
  // no parameter or row can have been updated more often than the optimizer stepped
  const steps = (v: unknown) => isCount(v) && v <= (x.iterations as number);
  if (x.denseSteps !== undefined && (!Array.isArray(x.denseSteps) || x.denseSteps.length !== params.length || !x.denseSteps.every(steps))) {
    fail(`has optimizer denseSteps that are not ${params.length} counts of at most ${x.iterations} steps`);
  }
  if (x.rowSteps !== undefined) {
    const rows = x.rowSteps;
    if (!Array.isArray(rows) || rows.length !== params.length) fail(`has optimizer rowSteps that are not one entry per parameter`);
    (rows as unknown[]).forEach((r, i) => {
      if (r === null) return;
      if (!Array.isArray(r) || r.length !== params[i].shape[0] || !r.every(steps)) fail(`has optimizer rowSteps[${i}] that is not ${params[i].shape[0]} counts of at most ${x.iterations} steps`);
    });
  }
  opt.loadExtraState(x);
  for (const [key, s] of o.state) {
    const m = /^(\d+)\.(.+)$/.exec(key);
    const p = m ? params[Number(m[1])] : undefined;
    if (!p) fail(`has optimizer state ${show(key, 60)} for parameter ${m?.[1] ?? '?'}, but the model has ${params.length}`);
    if (s.dtype !== 'float32' || s.shape.length !== p!.shape.length || s.shape.some((d, i) => d !== p!.shape[i])) {
      fail(`has optimizer state ${show(key, 60)} of ${s.dtype} ${fmtShape(s.shape)} for a parameter of shape ${fmtShape(p!.shape)}`);
    }
    opt.loadStateTensor(key, valuesOf(s) as Float32Array);
  }
  return opt;
}

function restoreSeen(s: NonNullable<Parsed['seen']>, model: Recommender, fail: Fail, anyRows = false): CSR {
  const shape = s.shape as [number, number];
  if (!Array.isArray(shape) || shape.length !== 2 || !(Number.isInteger(shape[0]) && shape[0] >= 0) || (!anyRows && shape[0] !== model.numUsers) || shape[1] !== model.numItems) {
    fail(`has seen items of shape ${show(shape, 60)}; the model is [${model.numUsers}, ${model.numItems}]`);
  }
  const [rows, cols] = shape;
  if (s.indptr.dtype !== 'int32' || s.indices.dtype !== 'int32') fail('has seen items that are not int32');
  const indptr = valuesOf(s.indptr) as Int32Array;
  const indices = valuesOf(s.indices) as Int32Array;
  if (indptr.length !== rows + 1 || indptr[0] !== 0 || indptr[rows] !== indices.length) fail('has a seen-items row index that does not match its entries');
  for (let r = 0; r < rows; r++) if (indptr[r + 1] < indptr[r]) fail(`has a seen-items row index that decreases at row ${r}`);
  for (let k = 0; k < indices.length; k++) if (!(indices[k] >= 0 && indices[k] < cols)) fail(`has a seen item ${indices[k]} outside [0, ${cols})`);
  let values: Float32Array = new Float32Array(indices.length).fill(1);
  if (s.values) {
    if (s.values.dtype !== 'float32') fail('has seen-item values that are not float32');
    values = valuesOf(s.values) as Float32Array;
    if (values.length !== indices.length || !values.every(Number.isFinite)) fail(`has ${values.length} seen-item values for ${indices.length} entries, or values that are not finite`);
  }
  return new CSR(indptr, indices, values, [rows, cols], false);
}
