/**
 * Shader programs: compiled and linked once per key (a kernel and its shape-class, e.g.
 * 'binary:add:general:rank3'), then reused with different uniforms (sizes, strides,
 * scalars) on every call. A compile or link failure is an error that names the kernel and
 * carries the driver's info log and the numbered source.
 *
 * Most kernels draw one triangle that covers the whole output texture: the fragment
 * shader runs once per output element (the GPU's "for every i"). Row-sparse kernels bring
 * their own vertex shader that draws lines (see rows.ts).
 */
import { GLSL_HEADER } from './layout.js';

/** One triangle covering the viewport, from gl_VertexID alone (no vertex buffers). */
export const FULLSCREEN_VS = `#version 300 es
void main() {
  vec2 p = vec2(float((gl_VertexID & 1) * 4 - 1), float((gl_VertexID & 2) * 2 - 1));
  gl_Position = vec4(p, 0.0, 1.0);
}`;

export interface UniformInfo {
  location: WebGLUniformLocation;
  type: number;
  size: number;
}

export interface Program {
  key: string;
  kernel: string;
  handle: WebGLProgram;
  /** by name without a trailing "[0]" */
  uniforms: Map<string, UniformInfo>;
  /** sampler uniform names, in texture-unit order */
  samplers: string[];
}

export interface ShaderSource {
  /** fragment shader body; GLSL_HEADER is prepended */
  fs: string;
  /** vertex shader (full source), default FULLSCREEN_VS */
  vs?: string;
}

function numbered(src: string): string {
  return src.split('\n').map((l, i) => `${String(i + 1).padStart(3)}| ${l}`).join('\n');
}

export class ProgramCache {
  private cache = new Map<string, Program>();

  constructor(private gl: WebGL2RenderingContext, private isLost: () => boolean) {}

  get size(): number {
    return this.cache.size;
  }

  /** The program for `key`, building its source with `build` the first time. */
  get(key: string, kernel: string, build: () => ShaderSource): Program {
    const hit = this.cache.get(key);
    if (hit) return hit;
    const src = build();
    const program = this.link(kernel, key, src.vs ?? FULLSCREEN_VS, GLSL_HEADER + src.fs);
    this.cache.set(key, program);
    return program;
  }

  private compile(kernel: string, type: number, source: string): WebGLShader {
    const gl = this.gl;
    const shader = gl.createShader(type);
    if (!shader) throw new Error(`webgl kernel '${kernel}': createShader failed${this.isLost() ? ' (the WebGL context was lost)' : ''}`);
    gl.shaderSource(shader, source);
    gl.compileShader(shader);
    if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
      const log = gl.getShaderInfoLog(shader);
      gl.deleteShader(shader);
      const which = type === gl.VERTEX_SHADER ? 'vertex' : 'fragment';
      if (this.isLost()) throw new Error(`webgl kernel '${kernel}': the WebGL context was lost (${which} shader compile failed)`);
      throw new Error(`webgl kernel '${kernel}': the ${which} shader failed to compile:\n${log}\n${numbered(source)}`);
    }
    return shader;
  }

  private link(kernel: string, key: string, vs: string, fs: string): Program {
    const gl = this.gl;
    const v = this.compile(kernel, gl.VERTEX_SHADER, vs);
    const f = this.compile(kernel, gl.FRAGMENT_SHADER, fs);
    const handle = gl.createProgram()!;
    gl.attachShader(handle, v);
    gl.attachShader(handle, f);
    gl.linkProgram(handle);
    gl.deleteShader(v);
    gl.deleteShader(f);
    if (!gl.getProgramParameter(handle, gl.LINK_STATUS)) {
      const log = gl.getProgramInfoLog(handle);
      gl.deleteProgram(handle);
      if (this.isLost()) throw new Error(`webgl kernel '${kernel}': the WebGL context was lost (program link failed)`);
      throw new Error(`webgl kernel '${kernel}' (${key}): the program failed to link:\n${log}\n--- fragment shader ---\n${numbered(fs)}`);
    }
    const uniforms = new Map<string, UniformInfo>();
    const samplers: string[] = [];
    const count = gl.getProgramParameter(handle, gl.ACTIVE_UNIFORMS) as number;
    for (let i = 0; i < count; i++) {
      const info = gl.getActiveUniform(handle, i)!;
      const name = info.name.replace(/\[0\]$/, '');
      const location = gl.getUniformLocation(handle, info.name)!;
      uniforms.set(name, { location, type: info.type, size: info.size });
      if (info.type === gl.SAMPLER_2D) samplers.push(name);
    }
    return { key, kernel, handle, uniforms, samplers };
  }

  destroy(): void {
    for (const p of this.cache.values()) this.gl.deleteProgram(p.handle);
    this.cache.clear();
  }
}
