/**
 * safetensors (https://github.com/huggingface/safetensors), the tensor file format of the
 * Hugging Face ecosystem, read and written from its spec:
 *
 *   u64 little-endian N | N bytes of JSON header | the byte buffer
 *
 * The header is one JSON object: each tensor name maps to `{dtype, shape, data_offsets:
 * [begin, end]}` (offsets into the byte buffer), and the optional `__metadata__` maps
 * strings to strings. Strict readers (the reference Rust crate) also require that the
 * tensors tile the buffer exactly — contiguous, no holes, no overlap, nothing after the
 * last one — that `end - begin` is the shape's element count times the dtype's size, and
 * that the header is at most 100 MB. The writer pads the header with spaces so the buffer
 * starts 8-byte aligned, as the reference writer does.
 *
 * `parseSafetensorsHeader` checks all of that against the file size before anything is
 * allocated for the tensors, so a hostile header (a shape of [1e9, 1e9], offsets past the
 * end) is an error, not an allocation. sparsegrad checkpoints are safetensors files
 * (checkpoint.ts), so Python's `safetensors.safe_open` reads their weights.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { clip } from '../datasets/io/safe-text.js';

/** Bytes per element of each safetensors dtype. */
export const SAFETENSORS_DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, I64: 8, U64: 8, F64: 8,
};

/** The reference implementation's limit on the header's size. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** byte range in the buffer (relative to its start) */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** tensors in buffer order */
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
  /** where the buffer starts in the file (8 + header length) */
  bufferStart: number;
  bufferBytes: number;
  /** the header's raw bytes (for checksums over the file) */
  headerBytes: Uint8Array;
}

export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

const describe = (v: unknown) => clip(JSON.stringify(v) ?? String(v), 80);

/**
 * Reads and validates the header of an open file: lengths against the file size, every
 * entry's dtype, shape and offsets, and the exact tiling of the buffer.
 */
export function parseSafetensorsHeader(fd: number, size: number, where: string): SafetensorsHeader {
  const fail = (why: string): never => { throw new SafetensorsError(`${where}: ${why}`); };
  if (size < 8) fail(`the file is ${size} bytes, too short for a safetensors header length`);
  const lenBuf = Buffer.alloc(8);
  readFully(fd, lenBuf, 0);
  const n = Number(lenBuf.readBigUInt64LE(0));
  if (n < 2 || n > MAX_SAFETENSORS_HEADER_BYTES || 8 + n > size) {
    fail(`its header length ${n} does not fit (the file is ${size} bytes; headers are 2 … ${MAX_SAFETENSORS_HEADER_BYTES} bytes)`);
  }
  const headerBytes = Buffer.alloc(n);
  readFully(fd, headerBytes, 8);
  if (headerBytes[0] !== 0x7b) fail('its header does not start with "{"');
  let json: unknown;
  try {
    json = JSON.parse(headerBytes.toString('utf8'));
  } catch (e) {
    fail(`its header is not valid JSON (${clip((e as Error).message, 120)})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('its header is not a JSON object');
  const bufferStart = 8 + n;
  const bufferBytes = size - bufferStart;
  const metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  let maxEnd = 0;
  for (const [name, v] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') fail(`__metadata__ value ${describe(k)} is not a string`);
        metadata[k] = s as string;
      }
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const label = `tensor ${describe(name)}`;
    if (typeof e !== 'object' || e === null) fail(`${label} is not an object`);
    const itemBytes = typeof e.dtype === 'string' ? SAFETENSORS_DTYPE_BYTES[e.dtype] : undefined;
    if (itemBytes === undefined) fail(`${label} has an unknown dtype ${describe(e.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.length > 16 || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${label} has an invalid shape ${describe(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0) || off[1] < off[0]) {
      fail(`${label} has invalid data_offsets ${describe(off)}`);
    }
    const [begin, end] = off as [number, number];
    maxEnd = Math.max(maxEnd, end);
    // element count × item size, stopping as soon as it exceeds what any buffer this long could hold
    let bytes = itemBytes!;
    for (const d of e.shape as number[]) {
      bytes *= d;
      if (bytes > Math.max(bufferBytes, end)) fail(`${label}'s shape ${describe(e.shape)} needs more bytes than its data_offsets or the whole ${bufferBytes}-byte buffer`);
    }
    if (bytes !== end - begin) fail(`${label} has shape ${describe(e.shape)} (${bytes} bytes) but data_offsets [${begin}, ${end}] (${end - begin} bytes)`);
    entries.push({ name, dtype: e.dtype as string, shape: (e.shape as number[]).slice(), begin, end });
  }
  if (maxEnd > bufferBytes) fail(`the file is truncated: its tensors need ${maxEnd} bytes after the header, it has ${bufferBytes}`);
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of entries) {
    if (e.begin !== at) fail(`tensor ${describe(e.name)} starts at byte ${e.begin}, not at ${at}: the buffer has a hole or an overlap there`);
    at = e.end;
  }
  if (at !== bufferBytes) fail(`it has ${bufferBytes - at} bytes after its last tensor (strict readers refuse trailing bytes)`);
  return { entries, metadata, bufferStart, bufferBytes, headerBytes };
}

/** Reads buf.length bytes at `position`, or throws (a file cut while being read). */
export function readFully(fd: number, buf: Uint8Array, position: number): void {
  for (let done = 0; done < buf.length;) {
    const n = readSync(fd, buf, done, Math.min(buf.length - done, 1 << 30), position + done);
    if (n === 0) throw new SafetensorsError(`the file ended at byte ${position + done} while ${buf.length} bytes were being read`);
    done += n;
  }
}

/** A tensor's bytes as the typed array of its dtype (a copy, aligned); 8-bit and unknown types stay bytes. */
export function typedArrayOf(dtype: string, bytes: Uint8Array): Float32Array | Float64Array | Int32Array | Uint16Array | Uint8Array | BigInt64Array {
  const copy = bytes.slice().buffer;
  switch (dtype) {
    case 'F32': return new Float32Array(copy);
    case 'F64': return new Float64Array(copy);
    case 'I32': return new Int32Array(copy);
    case 'F16': case 'BF16': case 'U16': case 'I16': return new Uint16Array(copy); // raw 16-bit values
    case 'I64': return new BigInt64Array(copy);
    default: return new Uint8Array(copy);
  }
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  tensors: Map<string, { dtype: string; shape: number[]; data: ReturnType<typeof typedArrayOf> }>;
}

/** Opens a file for reading, refusing directories and devices, errors naming the path. */
export function openForRead(path: string, what: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${what}: ${path} does not exist` : code === 'EISDIR' ? `${what}: ${path} is a directory, not a file`
      : `${what}: cannot open ${path}: ${(e as Error).message}`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new Error(`${what}: ${path} is ${st.isDirectory() ? 'a directory' : 'a device, pipe or socket'}, not a file`);
  }
  return { fd, size: st.size };
}

/** Reads every tensor of a safetensors file (any writer's: Python, Rust, sparsegrad). */
export function readSafetensors(path: string): SafetensorsFile {
  const { fd, size } = openForRead(path, 'readSafetensors');
  try {
    const h = parseSafetensorsHeader(fd, size, `readSafetensors: ${path}`);
    const tensors: SafetensorsFile['tensors'] = new Map();
    for (const e of h.entries) {
      const bytes = new Uint8Array(e.end - e.begin);
      readFully(fd, bytes, h.bufferStart + e.begin);
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: typedArrayOf(e.dtype, bytes) });
    }
    return { metadata: h.metadata, tensors };
  } finally {
    closeSync(fd);
  }
}

export interface TensorToWrite {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/**
 * The header bytes (padded with spaces to 8-byte alignment of the buffer) and the chunks
 * of a safetensors file holding `tensors` in the given order.
 */
export function encodeSafetensors(tensors: TensorToWrite[], metadata: Record<string, string>): { header: Uint8Array; chunks: Uint8Array[] } {
  if (endianness() !== 'LE') throw new Error('safetensors files are little-endian; this machine is big-endian');
  const obj: Record<string, unknown> = { __metadata__: metadata };
  let at = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    const item = SAFETENSORS_DTYPE_BYTES[t.dtype];
    if (item === undefined) throw new Error(`safetensors: unknown dtype ${t.dtype} for tensor '${t.name}'`);
    if (t.name === '__metadata__' || seen.has(t.name)) throw new Error(`safetensors: tensor name '${t.name}' is reserved or repeated`);
    seen.add(t.name);
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n * item !== t.bytes.byteLength) throw new Error(`safetensors: tensor '${t.name}' has ${t.bytes.byteLength} bytes for shape [${t.shape}] of ${t.dtype}`);
    obj[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.bytes.byteLength] };
    at += t.bytes.byteLength;
  }
  let json = Buffer.from(JSON.stringify(obj), 'utf8');
  const pad = (8 - ((8 + json.length) % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  if (json.length > MAX_SAFETENSORS_HEADER_BYTES) {
    throw new Error(`safetensors: the header would be ${json.length} bytes, over the format's ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit`);
  }
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return { header: Buffer.concat([len, json]), chunks: tensors.map((t) => t.bytes) };
}

/** Writes a plain safetensors file (not atomically; sparsegrad's `save` is). */
export function writeSafetensors(path: string, tensors: TensorToWrite[], metadata: Record<string, string> = {}): void {
  const { header, chunks } = encodeSafetensors(tensors, metadata);
  const fd = openSync(path, 'w');
  try {
    for (const c of [header, ...chunks]) for (let done = 0; done < c.byteLength;) done += writeSync(fd, c, done, c.byteLength - done);
  } finally {
    closeSync(fd);
  }
}
