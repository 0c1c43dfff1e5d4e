/**
 * Checkpoints: `save(model, path, {optimizer})` / `load(path)`.
 *
 * Layout: 8-byte magic "SGCKPT01", a little-endian u32 header length, a JSON header (format
 * version, model class and config, id maps and titles, a table of tensors with dtype, shape
 * and byte offsets, the optimizer's class, hyper-parameters and step counts, and a CRC-32
 * of the payload), then the raw little-endian tensor bytes. Written to a temp file and
 * renamed, so a crash never leaves a half-written checkpoint; a truncated or corrupted
 * file fails its length or checksum test and is refused whole.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import type { Tensor } from '../core/tensor.js';
import { CSR } from '../core/csr.js';
import { decodeHalfArray } from '../core/float16.js';
import type { Recommender, ModelMeta } from './recommender.js';
import { buildModel } from './registry.js';
import { Optimizer } from './optim/optimizer.js';
import { SGD } from './optim/sgd.js';
import { Adam } from './optim/adam.js';
import { AdaGrad } from './optim/adagrad.js';

export const CHECKPOINT_FORMAT_VERSION = 1;
const MAGIC = 'SGCKPT01';

interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  offset: number;
  byteLength: number;
}

interface Header {
  formatVersion: number;
  library: 'sparsegrad';
  modelClass: string;
  config: Record<string, unknown>;
  meta: ModelMeta;
  tensors: TensorEntry[];
  optimizer?: { className: string; hyper: Record<string, number | boolean>; extra: Record<string, unknown>; state: TensorEntry[] };
  /** CSR of seen items: indptr and indices entries in the payload */
  seen?: { shape: [number, number]; indptr: TensorEntry; indices: TensorEntry };
  payloadBytes: number;
  crc32: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

function bytesOf(t: Tensor): Uint8Array {
  const raw = t.rawSync();
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}

export interface SaveOptions {
  optimizer?: Optimizer;
  /** each user's training items (CSR [users, items]), so `recommend` can exclude them */
  seen?: CSR;
}

export function save(model: Recommender, path: string, opts: SaveOptions = {}): void {
  if (endianness() !== 'LE') throw new Error('save: checkpoints are little-endian; this machine is big-endian');
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const table = (entries: [string, Tensor][]): TensorEntry[] => entries.map(([name, t]) => {
    const b = bytesOf(t);
    chunks.push(b);
    const e = { name, dtype: t.dtype, shape: t.shape.slice(), offset, byteLength: b.byteLength };
    offset += b.byteLength;
    return e;
  });
  const tensors = table([...model.stateDict()]);
  let optimizer: Header['optimizer'];
  if (opts.optimizer) {
    const o = opts.optimizer;
    optimizer = { className: o.constructor.name, hyper: o.hyperParameters(), extra: o.extraState(), state: table([...o.stateTensors()]) };
  }
  let seen: Header['seen'];
  if (opts.seen) {
    const raw = (name: string, a: Int32Array): TensorEntry => {
      const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      chunks.push(b);
      const e = { name, dtype: 'int32', shape: [a.length], offset, byteLength: b.byteLength };
      offset += b.byteLength;
      return e;
    };
    seen = { shape: [opts.seen.rows, opts.seen.cols], indptr: raw('seen.indptr', opts.seen.indptr), indices: raw('seen.indices', opts.seen.indices) };
  }
  let crc = 0;
  for (const c of chunks) crc = crc32(c, crc);
  const header: Header = {
    formatVersion: CHECKPOINT_FORMAT_VERSION, library: 'sparsegrad', modelClass: model.constructor.name,
    config: model.config, meta: model.meta, tensors, optimizer, seen, payloadBytes: offset, crc32: crc,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, headerBytes);
    for (const c of chunks) writeSync(fd, c);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

function readHeader(buf: Buffer, path: string): { header: Header; payload: Buffer } {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) {
    throw new Error(`load: ${path} is not a sparsegrad checkpoint (bad magic bytes)`);
  }
  const len = buf.readUInt32LE(8);
  if (12 + len > buf.length) throw new Error(`load: ${path} is truncated (header needs ${len} bytes)`);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + len));
  } catch (e) {
    throw new Error(`load: ${path} has a corrupted header (${(e as Error).message})`);
  }
  if (header.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new Error(`load: ${path} has checkpoint format version ${header.formatVersion}; this sparsegrad reads version ${CHECKPOINT_FORMAT_VERSION}`);
  }
  const payload = buf.subarray(12 + len);
  if (payload.length !== header.payloadBytes) {
    throw new Error(`load: ${path} is truncated or has trailing bytes: payload is ${payload.length} bytes, header says ${header.payloadBytes}`);
  }
  const crc = crc32(payload);
  if (crc !== header.crc32) throw new Error(`load: ${path} is corrupted (checksum ${crc} ≠ ${header.crc32})`);
  return { header, payload };
}

function floatsOf(payload: Buffer, e: TensorEntry): Float32Array | Float64Array | Int32Array {
  const copy = new Uint8Array(payload.subarray(e.offset, e.offset + e.byteLength)).buffer;
  if (e.dtype === 'int32') return new Int32Array(copy);
  if (e.dtype === 'float64') return new Float64Array(copy);
  if (e.dtype === 'float32') return new Float32Array(copy);
  if (e.dtype === 'float16') return decodeHalfArray(new Uint16Array(copy)); // stored as raw half bits
  throw new Error(`load: tensor '${e.name}' has dtype ${e.dtype}, which checkpoints do not store yet`);
}

export interface LoadedModel extends Recommender {
  /** the optimizer saved with the model, rebuilt over its parameters with its state */
  restoredOptimizer?: Optimizer;
  /** each user's training items, when saved */
  seen?: CSR;
}

export function load(path: string): LoadedModel {
  const { header, payload } = readHeader(readFileSync(path), path);
  const model = buildModel(header.modelClass, header.config) as LoadedModel;
  model.meta = header.meta ?? {};
  const values = new Map(header.tensors.map((e) => [e.name, floatsOf(payload, e)] as const));
  model.loadStateDict(values);
  if (header.optimizer) {
    const o = header.optimizer;
    const params = model.parameters();
    const opt = o.className === 'Adam' ? new Adam(params, o.hyper) : o.className === 'SGD' ? new SGD(params, o.hyper)
      : o.className === 'AdaGrad' ? new AdaGrad(params, o.hyper) : null;
    if (!opt) throw new Error(`load: unknown optimizer class '${o.className}' in ${path}`);
    opt.loadExtraState(o.extra);
    for (const e of o.state) opt.loadStateTensor(e.name, floatsOf(payload, e) as Float32Array);
    model.restoredOptimizer = opt;
  }
  if (header.seen) {
    const indptr = floatsOf(payload, header.seen.indptr) as Int32Array;
    const indices = floatsOf(payload, header.seen.indices) as Int32Array;
    model.seen = new CSR(indptr, indices, new Float32Array(indices.length).fill(1), header.seen.shape, false);
  }
  return model;
}
