/**
 * Textures: allocation through a pool, uploads (texSubImage2D) and read-backs (readPixels).
 *
 * GPU memory is not garbage collected, so every texture is owned by exactly one tensor (or
 * one kernel's scratch) and returned to the pool when that owner is disposed. A training
 * step allocates the same sizes every time, so after the first step nearly every
 * allocation is a pool hit instead of a driver allocation. The pool holds at most
 * `POOL_BYTES`; beyond that the least recently pooled textures are deleted.
 */
import { bytesPerTexel, texShape, type TexFormat } from './layout.js';

const POOL_BYTES = 256 * 1024 * 1024;

export class Tex {
  constructor(
    readonly handle: WebGLTexture,
    readonly width: number,
    readonly height: number,
    readonly format: TexFormat,
  ) {}

  get bytes(): number {
    return this.width * this.height * bytesPerTexel(this.format);
  }

  /** log2(width): flat index i is texel (i & (width−1), i >> shift). */
  get shift(): number {
    return Math.round(Math.log2(this.width));
  }
}

interface GLFormat {
  internal: number;
  format: number;
  type: number;
}

export function glFormat(gl: WebGL2RenderingContext, f: TexFormat): GLFormat {
  switch (f) {
    case 'R32F': return { internal: gl.R32F, format: gl.RED, type: gl.FLOAT };
    case 'R16F': return { internal: gl.R16F, format: gl.RED, type: gl.HALF_FLOAT };
    case 'RGBA32F': return { internal: gl.RGBA32F, format: gl.RGBA, type: gl.FLOAT };
  }
}

export class TexturePool {
  private free = new Map<string, Tex[]>();
  /** pooled textures, oldest first (Set keeps insertion order) */
  private lru = new Set<Tex>();
  private pooledBytes = 0;
  /** textures alive (in use or pooled), for destroy() */
  private all = new Set<Tex>();

  constructor(private gl: WebGL2RenderingContext) {}

  private key(width: number, height: number, format: TexFormat): string {
    return `${width}x${height}:${format}`;
  }

  acquire(width: number, height: number, format: TexFormat): Tex {
    const list = this.free.get(this.key(width, height, format));
    const pooled = list?.pop();
    if (pooled) {
      this.lru.delete(pooled);
      this.pooledBytes -= pooled.bytes;
      return pooled;
    }
    const gl = this.gl;
    const handle = gl.createTexture();
    if (!handle) throw new Error(`webgl: createTexture failed for a ${width}×${height} ${format} texture (context lost or out of memory)`);
    gl.bindTexture(gl.TEXTURE_2D, handle);
    // NEAREST without mipmaps: otherwise the texture is "incomplete" and texelFetch reads 0
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    const f = glFormat(gl, format);
    gl.texStorage2D(gl.TEXTURE_2D, 1, f.internal, width, height);
    const err = gl.getError();
    if (err !== gl.NO_ERROR) {
      gl.deleteTexture(handle);
      throw new Error(`webgl: allocating a ${width}×${height} ${format} texture failed with GL error ${err}${err === gl.OUT_OF_MEMORY ? ' (out of GPU memory)' : ''}`);
    }
    const tex = new Tex(handle, width, height, format);
    this.all.add(tex);
    return tex;
  }

  /** A texture holding `size` elements one per texel (see layout.ts). */
  acquireFor(size: number, format: TexFormat): Tex {
    const { width, height } = texShape(size);
    return this.acquire(width, height, format);
  }

  release(tex: Tex): void {
    const k = this.key(tex.width, tex.height, tex.format);
    let list = this.free.get(k);
    if (!list) this.free.set(k, (list = []));
    list.push(tex);
    this.lru.add(tex);
    this.pooledBytes += tex.bytes;
    while (this.pooledBytes > POOL_BYTES) {
      const oldest = this.lru.values().next().value as Tex;
      this.lru.delete(oldest);
      const l = this.free.get(this.key(oldest.width, oldest.height, oldest.format))!;
      l.splice(l.indexOf(oldest), 1);
      this.pooledBytes -= oldest.bytes;
      this.delete(oldest);
    }
  }

  private delete(tex: Tex): void {
    this.all.delete(tex);
    this.gl.deleteTexture(tex.handle);
  }

  stats(): { pooledTextures: number; pooledBytes: number; allocatedTextures: number } {
    return { pooledTextures: this.lru.size, pooledBytes: this.pooledBytes, allocatedTextures: this.all.size };
  }

  /** Deletes every texture, pooled or not (the backend is being destroyed). */
  destroy(): void {
    for (const t of this.all) this.gl.deleteTexture(t.handle);
    this.all.clear();
    this.free.clear();
    this.lru.clear();
    this.pooledBytes = 0;
  }
}

/**
 * Writes `values` (float32 data as Float32Array, float16 as Uint16Array half bits) into the
 * first values.length texels of `tex`: whole rows in one call, the partial last row in a second.
 */
export function upload(gl: WebGL2RenderingContext, tex: Tex, values: Float32Array | Uint16Array): void {
  const f = glFormat(gl, tex.format);
  const n = values.length;
  const W = tex.width;
  const rows = Math.floor(n / W);
  gl.bindTexture(gl.TEXTURE_2D, tex.handle);
  if (rows > 0) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, W, rows, f.format, f.type, values.subarray(0, rows * W));
  const rest = n - rows * W;
  if (rest > 0) gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, rows, rest, 1, f.format, f.type, values.subarray(rows * W, n));
}

/** How readPixels is called for a format: RED when the implementation allows it, else RGBA. */
export interface ReadFormat {
  format: number;
  type: number;
  channels: number;
}

/**
 * Reads the first `size` elements of the texture attached to the bound READ framebuffer.
 * float32/int32 come back as Float32Array; R16F as Uint16Array half bits when the
 * implementation reads HALF_FLOAT, else as Float32Array (the caller encodes).
 */
export function readAttached(gl: WebGL2RenderingContext, tex: Tex, size: number, rf: ReadFormat): Float32Array | Uint16Array {
  const W = tex.width;
  const rows = Math.max(1, Math.ceil(size / W));
  const width = rows === 1 ? Math.max(size, 1) : W;
  const count = width * rows * rf.channels;
  const buf = rf.type === gl.HALF_FLOAT ? new Uint16Array(count) : new Float32Array(count);
  gl.readPixels(0, 0, width, rows, rf.format, rf.type, buf);
  if (rf.channels === 1) return buf.subarray(0, size);
  const out = rf.type === gl.HALF_FLOAT ? new Uint16Array(size) : new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = buf[i * rf.channels];
  return out;
}
