/**
 * Getting a WebGL2 context: a browser's (given, or from a canvas of our own) or, in Node,
 * headless-gl's (`gl@9.0.0-rc.10` with `createWebGL2Context: true`, which draws through
 * ANGLE on Mesa and needs an X display — Xvfb on a server).
 *
 * headless-gl reports VERSION as "WebGL 1.0 stack-gl" even for its WebGL2 contexts, so the
 * version string proves nothing: `checkCapabilities` instead compiles a GLSL ES 3.00
 * shader that uses texelFetch, renders into an R32F texture and reads the value back.
 */
import { setDeviceMaxTextureSize } from './layout.js';

export interface WebGLBackendOptions {
  /** a WebGL2 context to draw with (browser); the backend never resizes or owns it */
  gl?: WebGL2RenderingContext;
  /** a canvas to take a WebGL2 context from */
  canvas?: HTMLCanvasElement | OffscreenCanvas;
}

export interface GLContext {
  gl: WebGL2RenderingContext;
  /** where it came from: 'headless-gl' (Node), 'canvas' (made here), 'given' */
  source: 'headless-gl' | 'canvas' | 'given';
  /** true once the context is lost; every kernel checks it */
  isLost(): boolean;
  /** frees the context when we made it */
  release(): void;
}

export interface WebGLInfo {
  version: string;
  shadingLanguageVersion: string;
  vendor: string;
  renderer: string;
  /** the GPU / rasterizer behind the browser's masking, when the browser tells */
  unmaskedRenderer: string | null;
  extensions: string[];
  maxTextureSize: number;
  maxTextureImageUnits: number;
  source: GLContext['source'];
}

type HeadlessCreate = (width: number, height: number, options: Record<string, unknown>) => WebGL2RenderingContext | null;

/** The Debian/Ubuntu packages headless-gl needs to build (and Mesa's GL to run). */
export const GL_BUILD_PACKAGES = 'python3 make g++ pkg-config libx11-dev libxi-dev libxext-dev libgl1-mesa-dev libgl1-mesa-dri';
const SETUP_HINT = `headless-gl builds a native addon from source: install the packages it needs ('apt-get install ${GL_BUILD_PACKAGES}' on Debian/Ubuntu) and run 'npm rebuild gl'`;
const INSTALL_HINT =
  "The WebGL backend in Node draws through the optional package 'gl' (headless-gl), which is not installed: " +
  `run 'npm install gl@9.0.0-rc.10' (it builds a native addon from source and needs 'apt-get install ${GL_BUILD_PACKAGES}' ` +
  "on Debian/Ubuntu), and run Node under a virtual display where there is none ('xvfb-run -a node …', packages 'xvfb xauth'). " +
  'In a browser no package is needed. The cpu backend works without it';

async function loadHeadlessGL(): Promise<HeadlessCreate> {
  // A variable specifier: bundlers (the browser build) leave it alone, and only Node runs it.
  const specifier = 'gl';
  let mod: { default?: unknown };
  try {
    mod = (await import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) as { default?: unknown };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && /['"]gl['"]/.test(e.message);
    if (missing) throw new Error(`webgl: ${INSTALL_HINT}.`);
    throw new Error(`webgl: the package 'gl' (headless-gl) is installed but could not be loaded (${e.message.split('\n')[0]}). ${SETUP_HINT}.`);
  }
  const create = (typeof mod.default === 'function' ? mod.default : mod) as unknown;
  if (typeof create !== 'function') throw new Error(`webgl: the 'gl' module did not export a context factory. ${SETUP_HINT}.`);
  return create as HeadlessCreate;
}

async function headlessContext(): Promise<GLContext> {
  const create = await loadHeadlessGL();
  const proc = (globalThis as { process?: { platform?: string; env?: Record<string, string | undefined> } }).process;
  // without an X display headless-gl fails anyway, after ANGLE prints two raw errors to the
  // terminal: say why before trying
  if (proc?.platform === 'linux' && !proc.env?.DISPLAY) {
    throw new Error("webgl: headless-gl needs an X display and DISPLAY is not set. Run under a virtual display: 'xvfb-run -a node …' (Debian packages 'xvfb xauth').");
  }
  const gl = create(1, 1, { createWebGL2Context: true, antialias: false, depth: false, stencil: false, alpha: true, preserveDrawingBuffer: false });
  if (!gl) {
    throw new Error(`webgl: headless-gl returned no WebGL2 context (DISPLAY=${proc?.env?.DISPLAY ?? 'unset'}). Check that the X display works and Mesa's GL is installed ('libgl1-mesa-dri'); ${SETUP_HINT}.`);
  }
  const destroyExt = gl.getExtension('STACKGL_destroy_context') as { destroy(): void } | null;
  return {
    gl,
    source: 'headless-gl',
    isLost: () => gl.isContextLost(),
    release: () => destroyExt?.destroy(),
  };
}

function canvasContext(canvas: HTMLCanvasElement | OffscreenCanvas, source: 'canvas' | 'given'): GLContext {
  const attrs = { antialias: false, depth: false, stencil: false, alpha: true, premultipliedAlpha: false, preserveDrawingBuffer: false, powerPreference: 'high-performance' as const };
  const gl = canvas.getContext('webgl2', attrs) as WebGL2RenderingContext | null;
  if (!gl) throw new Error('webgl: this browser gave no WebGL2 context (canvas.getContext("webgl2") returned null); WebGL2 may be disabled or unsupported');
  return fromGiven(gl, source);
}

function fromGiven(gl: WebGL2RenderingContext, source: 'canvas' | 'given'): GLContext {
  let lost = false;
  const canvas = gl.canvas as (HTMLCanvasElement | OffscreenCanvas) & Partial<EventTarget>;
  canvas.addEventListener?.('webglcontextlost', (e) => {
    lost = true;
    e.preventDefault();
  });
  return {
    gl,
    source,
    isLost: () => lost || gl.isContextLost(),
    release: () => {
      if (source === 'canvas') (gl.getExtension('WEBGL_lose_context') as { loseContext(): void } | null)?.loseContext();
    },
  };
}

/** A WebGL2 context from the options, a canvas of our own in a browser, or headless-gl in Node. */
export async function createContext(options?: WebGLBackendOptions): Promise<GLContext> {
  let ctx: GLContext;
  if (options?.gl) {
    ctx = fromGiven(options.gl, 'given');
  } else if (options?.canvas) {
    ctx = canvasContext(options.canvas, 'given');
  } else if (typeof OffscreenCanvas !== 'undefined') {
    ctx = canvasContext(new OffscreenCanvas(1, 1), 'canvas');
  } else if (typeof document !== 'undefined') {
    ctx = canvasContext(document.createElement('canvas'), 'canvas');
  } else {
    ctx = await headlessContext();
  }
  checkCapabilities(ctx);
  return ctx;
}

/**
 * Makes sure what the kernels rely on really works: WebGL2 entry points, float render
 * targets (EXT_color_buffer_float), GLSL ES 3.00 with texelFetch into an R32F target.
 */
function checkCapabilities(ctx: GLContext): void {
  const gl = ctx.gl;
  const why = (what: string) => new Error(`webgl: the ${ctx.source} context cannot run this backend: ${what}`);
  if (typeof gl.texStorage2D !== 'function' || typeof gl.RED !== 'number') {
    throw why('it is not a WebGL2 context (no texStorage2D / RED)');
  }
  if (!gl.getExtension('EXT_color_buffer_float')) throw why('EXT_color_buffer_float is missing, so float textures cannot be rendered to');
  setDeviceMaxTextureSize(gl.getParameter(gl.MAX_TEXTURE_SIZE) as number);

  // Round trip: write 0.25 into an R32F texture, render 2·x + 1 into another, read it back.
  const vs = '#version 300 es\nvoid main() { gl_Position = vec4(float((gl_VertexID & 1) * 4 - 1), float((gl_VertexID & 2) * 2 - 1), 0.0, 1.0); }';
  const fs = '#version 300 es\nprecision highp float;\nuniform highp sampler2D X;\nout vec4 o;\nvoid main() { o = vec4(2.0 * texelFetch(X, ivec2(0, 0), 0).r + 1.0); }';
  const compile = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw why(`GLSL ES 3.00 does not compile: ${gl.getShaderInfoLog(s)}`);
    return s;
  };
  const prog = gl.createProgram()!;
  const shaders = [compile(gl.VERTEX_SHADER, vs), compile(gl.FRAGMENT_SHADER, fs)];
  for (const s of shaders) gl.attachShader(prog, s);
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw why(`a GLSL ES 3.00 program does not link: ${gl.getProgramInfoLog(prog)}`);
  const tex = (data: Float32Array | null) => {
    const t = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D, t);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.R32F, 1, 1, 0, gl.RED, gl.FLOAT, data);
    return t;
  };
  const src = tex(new Float32Array([0.25]));
  const dst = tex(null);
  const fb = gl.createFramebuffer();
  gl.bindFramebuffer(gl.FRAMEBUFFER, fb);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, dst, 0);
  if (gl.checkFramebufferStatus(gl.FRAMEBUFFER) !== gl.FRAMEBUFFER_COMPLETE) throw why('an R32F texture is not a complete render target');
  gl.useProgram(prog);
  gl.activeTexture(gl.TEXTURE0);
  gl.bindTexture(gl.TEXTURE_2D, src);
  gl.uniform1i(gl.getUniformLocation(prog, 'X'), 0);
  gl.viewport(0, 0, 1, 1);
  gl.drawArrays(gl.TRIANGLES, 0, 3);
  const px = new Float32Array(4);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.FLOAT, px);
  const err = gl.getError();
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  gl.deleteFramebuffer(fb);
  gl.deleteTexture(src);
  gl.deleteTexture(dst);
  gl.deleteProgram(prog);
  for (const s of shaders) gl.deleteShader(s);
  if (err !== gl.NO_ERROR || px[0] !== 1.5) throw why(`a texelFetch → R32F round trip gave ${px[0]} (expected 1.5, GL error ${err})`);
}

export function describeContext(ctx: GLContext): WebGLInfo {
  const gl = ctx.gl;
  const dbg = gl.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  const version = String(gl.getParameter(gl.VERSION));
  const glsl = String(gl.getParameter(gl.SHADING_LANGUAGE_VERSION));
  // headless-gl's strings say WebGL 1.0 for its WebGL2 contexts; checkCapabilities proved 2.0
  const headless = ctx.source === 'headless-gl';
  return {
    version: headless ? `WebGL 2.0 (headless-gl reports "${version}")` : version,
    shadingLanguageVersion: headless ? `GLSL ES 3.00 (headless-gl reports "${glsl}")` : glsl,
    vendor: String(gl.getParameter(gl.VENDOR)),
    renderer: String(gl.getParameter(gl.RENDERER)),
    unmaskedRenderer: dbg ? String(gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL)) : null,
    extensions: gl.getSupportedExtensions() ?? [],
    maxTextureSize: gl.getParameter(gl.MAX_TEXTURE_SIZE) as number,
    maxTextureImageUnits: gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS) as number,
    source: ctx.source,
  };
}
