/**
 * The GPU runtime the kernels share: the context, the texture pool, the program cache, one
 * framebuffer to render into, and `draw` — bind the inputs, set the uniforms, render the
 * output. A kernel is then "pick a program, call draw".
 *
 * WebGL cannot read a texture while rendering into it, so every kernel renders into a
 * fresh texture from the pool; in-place updates swap the new texture into the tensor's
 * handle, or (row-sparse) render only the touched rows while reading old values from a
 * gathered copy.
 */
import type { GLContext } from './context.js';
import { formatOf, type TexFormat } from './layout.js';
import { ProgramCache, type Program, type ShaderSource } from './programs.js';
import { readAttached, Tex, TexturePool, upload, type ReadFormat } from './textures.js';
import type { DType } from '../../core/dtype.js';

export type Binding = Tex | number | readonly number[] | Int32Array | Float32Array;

export interface DrawOptions {
  /** output elements to compute (default: the whole texture); 0 draws nothing */
  size?: number;
  /** draw this many LINES vertices (2 per line) instead of a full-screen triangle */
  lineVertices?: number;
}

export class Gpu {
  readonly gl: WebGL2RenderingContext;
  readonly pool: TexturePool;
  readonly programs: ProgramCache;
  private fb: WebGLFramebuffer;
  private readFormats = new Map<TexFormat, ReadFormat>();
  /** draw calls issued (for benchmarks and tests) */
  draws = 0;
  /** LINE primitives drawn by row-sparse draws (one per run of touched rows), host → GPU uploads and GPU → host reads, with bytes */
  lines = 0;
  uploads = 0;
  uploadBytes = 0;
  readbacks = 0;
  readbackBytes = 0;

  constructor(readonly ctx: GLContext) {
    const gl = ctx.gl;
    this.gl = gl;
    this.pool = new TexturePool(gl);
    this.programs = new ProgramCache(gl, () => ctx.isLost());
    this.fb = gl.createFramebuffer()!;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fb);
    // rows of R16F/R32F data are not 4-byte multiples in general
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
    for (const cap of [gl.BLEND, gl.DEPTH_TEST, gl.SCISSOR_TEST, gl.CULL_FACE, gl.DITHER, gl.STENCIL_TEST]) gl.disable(cap);
  }

  /** Throws instead of computing silently wrong numbers on a lost context. */
  assertAlive(what: string): void {
    if (this.ctx.isLost()) {
      throw new Error(`webgl ${what}: the WebGL context was lost (GPU reset, driver crash or too many contexts); its tensors are gone — create the backend again with setBackend('webgl', …)`);
    }
  }

  program(key: string, kernel: string, build: () => ShaderSource): Program {
    return this.programs.get(key, kernel, build);
  }

  /** A texture for `size` elements of `dtype` (contents undefined). */
  output(size: number, dtype: DType): Tex {
    return this.pool.acquireFor(size, formatOf(dtype));
  }

  release(tex: Tex): void {
    this.pool.release(tex);
  }

  private attach(tex: Tex): void {
    const gl = this.gl;
    gl.bindFramebuffer(gl.FRAMEBUFFER, this.fb);
    gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, tex.handle, 0);
  }

  /** Renders `program` into `target`. Bindings: samplers get textures, other uniforms numbers. */
  draw(program: Program, target: Tex, bindings: Record<string, Binding>, opts: DrawOptions = {}): void {
    const gl = this.gl;
    const size = opts.size ?? target.width * target.height;
    if (size === 0) return;
    this.assertAlive(program.kernel);
    this.attach(target);
    gl.useProgram(program.handle);
    let unit = 0;
    for (const name of program.samplers) {
      const tex = bindings[name];
      if (!(tex instanceof Tex)) throw new Error(`webgl kernel '${program.kernel}': no texture bound to sampler '${name}'`);
      if (tex === target) throw new Error(`webgl kernel '${program.kernel}': '${name}' is also the render target (feedback loop)`);
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, tex.handle);
      gl.uniform1i(program.uniforms.get(name)!.location, unit);
      unit++;
    }
    const auto: Record<string, Binding> = { uOutShift: target.shift, uOutSize: size, uOutHalf: target.format === 'R16F' ? 1 : 0 };
    for (const [name, info] of program.uniforms) {
      if (info.type === gl.SAMPLER_2D) continue;
      const value = name in bindings ? bindings[name] : auto[name];
      if (value === undefined) throw new Error(`webgl kernel '${program.kernel}': no value for uniform '${name}'`);
      if (value instanceof Tex) throw new Error(`webgl kernel '${program.kernel}': uniform '${name}' is not a sampler`);
      const isInt = info.type === gl.INT || info.type === gl.BOOL || info.type === gl.UNSIGNED_INT;
      if (typeof value === 'number') {
        if (isInt) gl.uniform1i(info.location, value);
        else gl.uniform1f(info.location, value);
      } else {
        // arrays are declared with a fixed length; pad short ones with zeros
        const arr = isInt ? new Int32Array(info.size) : new Float32Array(info.size);
        for (let i = 0; i < Math.min(value.length, info.size); i++) arr[i] = value[i];
        if (isInt) gl.uniform1iv(info.location, arr as Int32Array);
        else gl.uniform1fv(info.location, arr as Float32Array);
      }
    }
    if (opts.lineVertices !== undefined) {
      gl.viewport(0, 0, target.width, target.height);
      if (opts.lineVertices > 0) gl.drawArrays(gl.LINES, 0, opts.lineVertices);
      this.lines += opts.lineVertices / 2;
    } else {
      // only the texture rows holding the `size` outputs
      const rows = Math.ceil(size / target.width);
      gl.viewport(0, 0, rows === 1 ? size : target.width, rows);
      gl.drawArrays(gl.TRIANGLES, 0, 3);
    }
    this.draws++;
  }

  /** Sets every texel of `tex` to `value`. */
  fill(tex: Tex, value: number): void {
    const gl = this.gl;
    this.assertAlive('fill');
    this.attach(tex);
    gl.viewport(0, 0, tex.width, tex.height);
    // a Float32Array, not an array: headless-gl's native clearBufferfv takes only typed arrays
    gl.clearBufferfv(gl.COLOR, 0, new Float32Array([value, value, value, value]));
  }

  upload(tex: Tex, values: Float32Array | Uint16Array): void {
    this.assertAlive('upload');
    upload(this.gl, tex, values);
    this.uploads++;
    this.uploadBytes += values.byteLength;
  }

  /** A scratch R32F texture holding `values` (ids, offsets, per-row constants). */
  uploadFloats(values: ArrayLike<number>): Tex {
    const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
    const tex = this.pool.acquireFor(Math.max(f32.length, 1), 'R32F');
    if (f32.length > 0) this.upload(tex, f32);
    return tex;
  }

  private readFormat(tex: Tex): ReadFormat {
    const known = this.readFormats.get(tex.format);
    if (known) return known;
    const gl = this.gl;
    // with `tex` attached: what the implementation prefers, else the always-allowed RGBA/FLOAT
    const format = gl.getParameter(gl.IMPLEMENTATION_COLOR_READ_FORMAT) as number;
    const type = gl.getParameter(gl.IMPLEMENTATION_COLOR_READ_TYPE) as number;
    let rf: ReadFormat = { format: gl.RGBA, type: gl.FLOAT, channels: 4 };
    const typeOk = type === gl.FLOAT || (type === gl.HALF_FLOAT && tex.format === 'R16F');
    if (typeOk && format === gl.RED) rf = { format, type, channels: 1 };
    else if (typeOk && format === gl.RGBA) rf = { format, type, channels: 4 };
    this.readFormats.set(tex.format, rf);
    return rf;
  }

  /** readPixels of the first `size` elements (Float32Array; Uint16Array half bits for R16F when the GPU reads halves). */
  read(tex: Tex, size: number): Float32Array | Uint16Array {
    this.assertAlive('read');
    const gl = this.gl;
    this.attach(tex);
    const out = readAttached(gl, tex, size, this.readFormat(tex));
    this.readbacks++;
    this.readbackBytes += out.byteLength;
    const err = gl.getError();
    this.assertAlive('read');
    if (err !== gl.NO_ERROR) throw new Error(`webgl read: readPixels of a ${tex.width}×${tex.height} ${tex.format} texture failed with GL error ${err}`);
    return out;
  }

  destroy(): void {
    this.programs.destroy();
    this.pool.destroy();
    this.gl.deleteFramebuffer(this.fb);
  }
}

/** What a kernel needs of an input: its texture, shape and dtype. */
export interface GpuTensor {
  tex: Tex;
  shape: readonly number[];
  dtype: DType;
  size: number;
}
