/**
 * CRC-32 (the zlib / PNG / safetensors-tools polynomial 0xEDB88320), the checksum of
 * caches and checkpoints. Node's native `zlib.crc32` runs at ~3 GB/s; where it is missing
 * (older Node, browsers) a table-driven loop gives the same values at ~0.25 GB/s.
 * Incremental: `crc32(b, crc32(a)) === crc32(a ++ b)`.
 */

type NativeCrc = (data: Uint8Array, value?: number) => number;

const native: NativeCrc | null = (() => {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const zlib = proc?.getBuiltinModule?.('node:zlib') as { crc32?: NativeCrc } | undefined;
  return typeof zlib?.crc32 === 'function' ? zlib.crc32 : null;
})();

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** The plain-JS CRC-32 (the reference the native one is tested against). */
export function crc32js(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export function crc32(bytes: Uint8Array, crc = 0): number {
  // Node 20's zlib.crc32 returns 0 for an empty view of a 0-byte ArrayBuffer, whatever the start value
  if (bytes.length === 0) return crc >>> 0;
  return native ? native(bytes, crc) >>> 0 : crc32js(bytes, crc);
}

/** 8 lowercase hex digits. */
export const hex32 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
