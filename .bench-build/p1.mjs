var __defProp = Object.defineProperty;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __esm = (fn, res, err) => function __init() {
  if (err) throw err[0];
  try {
    return fn && (res = (0, fn[__getOwnPropNames(fn)[0]])(fn = 0)), res;
  } catch (e) {
    throw err = [e], e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};

// backends/webgl/index.ts
var webgl_exports = {};
__export(webgl_exports, {
  createWebGLBackend: () => createWebGLBackend
});
function createWebGLBackend(_options) {
  throw new Error("webgl backend: not built yet");
}
var init_webgl = __esm({
  "backends/webgl/index.ts"() {
    "use strict";
  }
});

// core/engine.ts
var Engine = class {
  registry = /* @__PURE__ */ new Map();
  instances = /* @__PURE__ */ new Map();
  current = null;
  currentName = "";
  scopes = [];
  live = /* @__PURE__ */ new Map();
  gradDepth = 0;
  nextTensorId = 0;
  registerBackend(name, factory, priority = 0) {
    this.registry.set(name, { factory, priority });
  }
  registeredBackends() {
    return [...this.registry.keys()];
  }
  /** Makes `name` the active backend, creating it on first use. */
  async setBackend(name, options) {
    const reg = this.registry.get(name);
    if (!reg) {
      throw new Error(`setBackend: unknown backend '${name}' (registered: ${this.registeredBackends().join(", ")})`);
    }
    let backend = this.instances.get(name);
    if (!backend || options !== void 0) {
      backend = await reg.factory(options);
      this.instances.set(name, backend);
    }
    this.current = backend;
    this.currentName = name;
    return backend;
  }
  /** Synchronous variant for backends whose factory is synchronous (cpu). */
  setBackendSync(name) {
    const reg = this.registry.get(name);
    if (!reg) throw new Error(`setBackend: unknown backend '${name}'`);
    let backend = this.instances.get(name);
    if (!backend) {
      const made = reg.factory();
      if (made instanceof Promise) throw new Error(`setBackend: backend '${name}' must be set with await setBackend()`);
      backend = made;
      this.instances.set(name, backend);
    }
    this.current = backend;
    this.currentName = name;
    return backend;
  }
  get backend() {
    if (!this.current) this.setBackendSync("cpu");
    return this.current;
  }
  get backendName() {
    if (!this.current) this.setBackendSync("cpu");
    return this.currentName;
  }
  /** An instantiated backend by name (creating synchronous ones on demand). */
  getBackendInstance(name) {
    const existing = this.instances.get(name);
    if (existing) return existing;
    const reg = this.registry.get(name);
    if (!reg) return void 0;
    const made = reg.factory();
    if (made instanceof Promise) return void 0;
    this.instances.set(name, made);
    return made;
  }
  // ---- tensor accounting ------------------------------------------------------
  newTensorId() {
    return this.nextTensorId++;
  }
  /** Called by every Tensor constructor. */
  track(t) {
    const entry = this.live.get(t.backend.name) ?? { numTensors: 0, numBytes: 0 };
    entry.numTensors++;
    entry.numBytes += t.bytes;
    this.live.set(t.backend.name, entry);
    const scope = this.scopes[this.scopes.length - 1];
    if (scope) scope.add(t);
  }
  /** Called once by Tensor.dispose(). */
  untrack(t) {
    const entry = this.live.get(t.backend.name);
    if (entry) {
      entry.numTensors--;
      entry.numBytes -= t.bytes;
    }
    for (const scope of this.scopes) scope.delete(t);
  }
  /** Removes `t` from every open scope so `tidy` will not dispose it. */
  keep(t) {
    t.kept = true;
    for (const scope of this.scopes) scope.delete(t);
    return t;
  }
  /** Whether `t` was made inside the innermost open scope. */
  inCurrentScope(t) {
    const scope = this.scopes[this.scopes.length - 1];
    return scope !== void 0 && scope.has(t);
  }
  memory() {
    const report = { numTensors: 0, numBytes: 0, backends: {} };
    for (const [name, entry] of this.live) {
      const backend = this.instances.get(name);
      const mem = backend ? backend.memory() : { numBuffers: 0, numBytes: 0 };
      report.backends[name] = {
        numTensors: entry.numTensors,
        numBytes: entry.numBytes,
        numBuffers: mem.numBuffers,
        bufferBytes: mem.numBytes
      };
      report.numTensors += entry.numTensors;
      report.numBytes += entry.numBytes;
    }
    return report;
  }
  // ---- scopes -----------------------------------------------------------------
  startScope() {
    this.scopes.push(/* @__PURE__ */ new Set());
  }
  /** Disposes every tensor made in the innermost scope except `result`'s (which move up). */
  endScope(result) {
    const scope = this.scopes.pop();
    if (!scope) throw new Error("endScope: no open scope");
    const keepSet = /* @__PURE__ */ new Set();
    collectTensors(result, keepSet);
    const parent = this.scopes[this.scopes.length - 1];
    for (const t of scope) {
      if (keepSet.has(t)) {
        if (parent) parent.add(t);
      } else if (!t.kept && !t.isDisposed) {
        t.dispose();
      }
    }
  }
  tidy(fn) {
    this.startScope();
    let result;
    try {
      result = fn();
    } catch (err) {
      this.endScope();
      throw err;
    }
    if (result instanceof Promise) {
      this.endScope();
      throw new Error("tidy: the function returned a Promise; tidy only supports synchronous functions (await outside, tidy inside)");
    }
    this.endScope(result);
    return result;
  }
  // ---- gradient recording ---------------------------------------------------------
  get gradEnabled() {
    return this.gradDepth === 0;
  }
  noGrad(fn) {
    this.gradDepth++;
    try {
      return fn();
    } finally {
      this.gradDepth--;
    }
  }
};
function collectTensors(value, out, depth = 0) {
  if (value === null || value === void 0 || depth > 8) return;
  if (typeof value !== "object") return;
  if (value.isTensor === true) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collectTensors(v, out, depth + 1);
    return;
  }
  if (value instanceof Map) {
    for (const v of value.values()) collectTensors(v, out, depth + 1);
    return;
  }
  if (ArrayBuffer.isView(value)) return;
  for (const v of Object.values(value)) collectTensors(v, out, depth + 1);
}
var engine = new Engine();
var tidy = (fn) => engine.tidy(fn);
var memory = () => engine.memory();
var keep = (t) => engine.keep(t);

// core/dtype.ts
var DTYPES = ["float32", "float16", "int32", "float64"];
function bytesPerElement(dtype) {
  switch (dtype) {
    case "float16":
      return 2;
    case "float64":
      return 8;
    default:
      return 4;
  }
}
function allocArray(dtype, size) {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "float16":
      return new Uint16Array(size);
  }
}
function assertDType(dtype, where2) {
  if (typeof dtype !== "string" || !DTYPES.includes(dtype)) {
    throw new TypeError(`${where2}: unknown dtype ${JSON.stringify(dtype)} (expected one of ${DTYPES.join(", ")})`);
  }
  return dtype;
}
function upcast(a, b) {
  const rank = { int32: 0, float16: 1, float32: 2, float64: 3 };
  return rank[a] >= rank[b] ? a : b;
}
function computeType(dtype) {
  return dtype === "float64" ? "float64" : "float32";
}

// core/float16.ts
var scratchF32 = new Float32Array(1);
var scratchU32 = new Uint32Array(scratchF32.buffer);
function decodeOne(h) {
  const sign2 = h & 32768 ? -1 : 1;
  const exp2 = h >>> 10 & 31;
  const mant = h & 1023;
  if (exp2 === 0) return sign2 * mant * 2 ** -24;
  if (exp2 === 31) return mant ? NaN : sign2 * Infinity;
  return sign2 * (1 + mant / 1024) * 2 ** (exp2 - 15);
}
var table = null;
function halfTable() {
  if (!table) {
    table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) table[h] = decodeOne(h);
  }
  return table;
}
function floatToHalf(x) {
  scratchF32[0] = x;
  const f = scratchU32[0];
  const sign2 = f >>> 16 & 32768;
  const exp2 = f >>> 23 & 255;
  let mant = f & 8388607;
  if (exp2 === 255) return sign2 | 31744 | (mant !== 0 ? 512 | mant >>> 13 : 0);
  const e = exp2 - 112;
  if (e >= 31) return sign2 | 31744;
  if (e <= 0) {
    if (e < -10) return sign2;
    mant |= 8388608;
    const shift = 14 - e;
    const m = mant >>> shift;
    const rem2 = mant & (1 << shift) - 1;
    const halfway = 1 << shift - 1;
    return sign2 | (rem2 > halfway || rem2 === halfway && (m & 1) !== 0 ? m + 1 : m);
  }
  const h = e << 10 | mant >>> 13;
  const rem = mant & 8191;
  return sign2 | (rem > 4096 || rem === 4096 && (h & 1) !== 0 ? h + 1 : h);
}
function encodeHalfArray(src, out = new Uint16Array(src.length)) {
  for (let i = 0; i < src.length; i++) out[i] = floatToHalf(src[i]);
  return out;
}
function decodeHalfArray(src, out = new Float32Array(src.length)) {
  const t = halfTable();
  for (let i = 0; i < src.length; i++) out[i] = t[src[i]];
  return out;
}

// core/shape.ts
function sizeOf(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
function stridesOf(shape) {
  const strides = new Array(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}
function shapesEqual(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function fmtShape(shape) {
  return `[${shape.join(", ")}]`;
}
function assertValidShape(shape, where2) {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${where2}: invalid shape ${JSON.stringify(shape)} (expected an array of non-negative integers)`);
  }
  return shape.slice();
}
function broadcastShapes(a, b, op) {
  const n = Math.max(a.length, b.length);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}
function broadcastIndexMap(inShape, outShape) {
  if (shapesEqual(inShape, outShape)) return null;
  const n = outShape.length;
  const size = sizeOf(outShape);
  const map = new Int32Array(size);
  const inStrides = stridesOf(inShape);
  const strides = new Array(n).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const oi = i + (n - inShape.length);
    strides[oi] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const counter = new Array(n).fill(0);
  let src = 0;
  for (let i = 0; i < size; i++) {
    map[i] = src;
    for (let d = n - 1; d >= 0; d--) {
      counter[d]++;
      src += strides[d];
      if (counter[d] < outShape[d]) break;
      src -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return map;
}
function normalizeAxes(axes, rank, op) {
  if (axes === void 0 || axes === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === "number" ? [axes] : Array.from(axes);
  const out = /* @__PURE__ */ new Set();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new Error(`${op}: axis ${a} is out of range for a tensor of rank ${rank}`);
    }
    out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((x, y) => x - y);
}
function broadcastReduceAxes(inShape, outShape) {
  const axes = [];
  const offset = outShape.length - inShape.length;
  for (let i = 0; i < outShape.length; i++) {
    const d = i < offset ? 1 : inShape[i - offset];
    if (i < offset || d === 1 && outShape[i] !== 1) axes.push(i);
  }
  return axes;
}

// backends/cpu/elementwise.ts
function unaryInto(op, x, out) {
  const n = x.length;
  switch (op) {
    case "neg":
      for (let i = 0; i < n; i++) out[i] = -x[i];
      break;
    case "exp":
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]);
      break;
    case "log":
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]);
      break;
    case "log1p":
      for (let i = 0; i < n; i++) out[i] = Math.log1p(x[i]);
      break;
    case "sqrt":
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]);
      break;
    case "rsqrt":
      for (let i = 0; i < n; i++) out[i] = 1 / Math.sqrt(x[i]);
      break;
    case "abs":
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]);
      break;
    case "sign":
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0;
      break;
    case "square":
      for (let i = 0; i < n; i++) out[i] = x[i] * x[i];
      break;
    case "reciprocal":
      for (let i = 0; i < n; i++) out[i] = 1 / x[i];
      break;
    case "relu":
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? x[i] : 0;
      break;
    case "step":
      for (let i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : 0;
      break;
    case "sigmoid":
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
      break;
    case "tanh":
      for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]);
      break;
    // softplus(x) = log(1 + e^x), written to neither overflow nor lose precision
    case "softplus":
      for (let i = 0; i < n; i++) {
        const v = x[i];
        out[i] = v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
      }
      break;
    case "isfinite":
      for (let i = 0; i < n; i++) out[i] = Number.isFinite(x[i]) ? 1 : 0;
      break;
    default:
      throw new Error(`cpu: unknown unary op '${op}'`);
  }
}
var BINARY = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  maximum: (a, b) => a >= b || Number.isNaN(a) ? a : b,
  minimum: (a, b) => a <= b || Number.isNaN(a) ? a : b,
  equal: (a, b) => a === b ? 1 : 0,
  greater: (a, b) => a > b ? 1 : 0,
  less: (a, b) => a < b ? 1 : 0
};
function binarySameShape(op, a, b, out) {
  const n = out.length;
  switch (op) {
    case "add":
      for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
      return;
    case "sub":
      for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
      return;
    case "mul":
      for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
      return;
    case "div":
      for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
      return;
    default: {
      const f = BINARY[op];
      for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    }
  }
}
function binaryScalar(op, x, s, scalarIsB, out) {
  const n = out.length;
  if (scalarIsB) {
    switch (op) {
      case "add":
        for (let i = 0; i < n; i++) out[i] = x[i] + s;
        return;
      case "sub":
        for (let i = 0; i < n; i++) out[i] = x[i] - s;
        return;
      case "mul":
        for (let i = 0; i < n; i++) out[i] = x[i] * s;
        return;
      case "div":
        for (let i = 0; i < n; i++) out[i] = x[i] / s;
        return;
    }
  } else {
    switch (op) {
      case "add":
        for (let i = 0; i < n; i++) out[i] = s + x[i];
        return;
      case "sub":
        for (let i = 0; i < n; i++) out[i] = s - x[i];
        return;
      case "mul":
        for (let i = 0; i < n; i++) out[i] = s * x[i];
        return;
      case "div":
        for (let i = 0; i < n; i++) out[i] = s / x[i];
        return;
    }
  }
  const f = BINARY[op];
  if (scalarIsB) for (let i = 0; i < n; i++) out[i] = f(x[i], s);
  else for (let i = 0; i < n; i++) out[i] = f(s, x[i]);
}
function binaryRowBroadcast(op, a, row, out, rowIsB) {
  const cols = row.length;
  const rows = out.length / cols;
  const f = BINARY[op];
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    if (op === "add") for (let c = 0; c < cols; c++) out[base + c] = a[base + c] + row[c];
    else if (op === "mul") for (let c = 0; c < cols; c++) out[base + c] = a[base + c] * row[c];
    else if (rowIsB) for (let c = 0; c < cols; c++) out[base + c] = f(a[base + c], row[c]);
    else for (let c = 0; c < cols; c++) out[base + c] = f(row[c], a[base + c]);
  }
}
function binaryIndexed(op, a, ai, b, bi, out) {
  const f = BINARY[op];
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = f(a[ai === null ? i : ai[i]], b[bi === null ? i : bi[i]]);
}

// backends/cpu/layout.ts
function transposeInto(x, shape, perm, out) {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const n = x.length;
  if (rank === 2 && perm[0] === 1) {
    const [rows, cols] = shape;
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
    return;
  }
  const step = perm.map((p) => inStrides[p]);
  const counter = new Array(rank).fill(0);
  let src = 0;
  for (let i = 0; i < n; i++) {
    out[i] = x[src];
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      src += step[d];
      if (counter[d] < outShape[d]) break;
      src -= step[d] * counter[d];
      counter[d] = 0;
    }
  }
}
function sliceInto(x, shape, begin, size, out) {
  const rank = shape.length;
  const strides = stridesOf(shape);
  const run = size[rank - 1] ?? 1;
  const outer = rank === 0 ? 1 : sizeOf(size.slice(0, rank - 1));
  const counter = new Array(Math.max(rank - 1, 0)).fill(0);
  let o = 0;
  for (let k = 0; k < outer; k++) {
    let src = rank === 0 ? 0 : begin[rank - 1];
    for (let d = 0; d < rank - 1; d++) src += (begin[d] + counter[d]) * strides[d];
    out.set(x.subarray(src, src + run), o);
    o += run;
    for (let d = rank - 2; d >= 0; d--) {
      counter[d]++;
      if (counter[d] < size[d]) break;
      counter[d] = 0;
    }
  }
}
function concatInto(xs, axis, out) {
  const shape0 = xs[0].shape;
  const outer = sizeOf(shape0.slice(0, axis));
  let offset = 0;
  const totalInner = xs.reduce((s, x) => s + sizeOf(x.shape.slice(axis)), 0);
  for (const x of xs) {
    const inner = sizeOf(x.shape.slice(axis));
    for (let o = 0; o < outer; o++) {
      out.set(x.values.subarray(o * inner, (o + 1) * inner), o * totalInner + offset);
    }
    offset += inner;
  }
}

// backends/cpu/reduce.ts
function reduceInto(op, x, shape, axes, out) {
  const rank = shape.length;
  const contiguous = axes.length === 0 || axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
  if (!contiguous) {
    const kept = Array.from({ length: rank }, (_, i) => i).filter((i) => !axes.includes(i));
    const perm = [...kept, ...axes];
    const permuted = new x.constructor(x.length);
    transposeInto(x, shape, perm, permuted);
    const pshape = perm.map((p) => shape[p]);
    reduceInto(op, permuted, pshape, axes.map((_, i) => kept.length + i), out);
    return;
  }
  let outer = 1;
  let red = 1;
  let inner = 1;
  const first = axes.length ? axes[0] : rank;
  const last = axes.length ? axes[axes.length - 1] : rank - 1;
  for (let i = 0; i < rank; i++) {
    if (i < first) outer *= shape[i];
    else if (i <= last) red *= shape[i];
    else inner *= shape[i];
  }
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * red;
      if (op === "sum") {
        let s = 0;
        for (let r = 0; r < red; r++) s += x[base + r];
        out[o] = s;
      } else if (op === "max") {
        let m = -Infinity;
        for (let r = 0; r < red; r++) {
          const v = x[base + r];
          if (v > m || Number.isNaN(v)) m = v;
        }
        out[o] = m;
      } else {
        let m = Infinity;
        for (let r = 0; r < red; r++) {
          const v = x[base + r];
          if (v < m || Number.isNaN(v)) m = v;
        }
        out[o] = m;
      }
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(op === "sum" ? 0 : op === "max" ? -Infinity : Infinity);
    for (let r = 0; r < red; r++) {
      const base = (o * red + r) * inner;
      if (op === "sum") for (let i = 0; i < inner; i++) acc[i] += x[base + i];
      else if (op === "max") for (let i = 0; i < inner; i++) {
        const v = x[base + i];
        if (v > acc[i] || Number.isNaN(v)) acc[i] = v;
      }
      else for (let i = 0; i < inner; i++) {
        const v = x[base + i];
        if (v < acc[i] || Number.isNaN(v)) acc[i] = v;
      }
    }
    out.set(acc, o * inner);
  }
}

// backends/cpu/matmul.ts
function matmulInto(a, b, M, K, N, transposeA, transposeB, out) {
  if (transposeA) {
    const at = new a.constructor(M * K);
    for (let k = 0; k < K; k++) for (let i = 0; i < M; i++) at[i * K + k] = a[k * M + i];
    a = at;
  }
  if (transposeB) {
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      for (let j = 0; j < N; j++) {
        const bj = j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += a[ai + k] * b[bj + k];
        out[i * N + j] = s;
      }
    }
    return;
  }
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    row.fill(0);
    const ai = i * K;
    for (let k = 0; k < K; k++) {
      const aik = a[ai + k];
      if (aik === 0) continue;
      const bk = k * N;
      for (let j = 0; j < N; j++) row[j] += aik * b[bk + j];
    }
    out.set(row, i * N);
  }
}
function spmmInto(a, b, N, out) {
  const M = a.shape[0];
  const { indptr, indices, values } = a;
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    row.fill(0);
    for (let p = indptr[i]; p < indptr[i + 1]; p++) {
      const v = values[p];
      const bk = indices[p] * N;
      for (let j = 0; j < N; j++) row[j] += v * b[bk + j];
    }
    out.set(row, i * N);
  }
}

// backends/cpu/rows.ts
function gatherRowsInto(table2, ids2, width, out) {
  const n = ids2.length;
  if (width === 1) {
    for (let i = 0; i < n; i++) out[i] = table2[ids2[i]];
    return;
  }
  for (let i = 0; i < n; i++) {
    const src = ids2[i] * width;
    out.set(table2.subarray(src, src + width), i * width);
  }
}
function segmentSumInto(values, seg, width, out) {
  const n = seg.length;
  for (let i = 0; i < n; i++) {
    const dst = seg[i] * width;
    const src = i * width;
    for (let j = 0; j < width; j++) out[dst + j] += values[src + j];
  }
}

// backends/cpu/softmax.ts
function softmaxInto(x, cols, out, log2) {
  const rows = x.length / cols;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) if (x[base + c] > m) m = x[base + c];
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[base + c] - m);
    if (log2) {
      const lse = m + Math.log(s);
      for (let c = 0; c < cols; c++) out[base + c] = x[base + c] - lse;
    } else {
      for (let c = 0; c < cols; c++) out[base + c] = Math.exp(x[base + c] - m) / s;
    }
  }
}
function logSumExpInto(x, cols, out) {
  const rows = x.length / cols;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = -Infinity;
    for (let c = 0; c < cols; c++) if (x[base + c] > m) m = x[base + c];
    if (m === -Infinity) {
      out[r] = -Infinity;
      continue;
    }
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.exp(x[base + c] - m);
    out[r] = m + Math.log(s);
  }
}

// backends/cpu/optim.ts
function sgdRange(w, g, gOff, vel, lo, hi, o) {
  const { lr, momentum, weightDecay } = o;
  if (vel) {
    for (let i = lo, k = gOff; i < hi; i++, k++) {
      const gi = g[k] + weightDecay * w[i];
      vel[i] = momentum * vel[i] + gi;
      w[i] -= lr * vel[i];
    }
  } else {
    for (let i = lo, k = gOff; i < hi; i++, k++) w[i] -= lr * (g[k] + weightDecay * w[i]);
  }
}
function adamRange(w, g, gOff, m, v, lo, hi, step, o) {
  const { lr, beta1, beta2, eps, weightDecay } = o;
  const c1 = 1 - Math.pow(beta1, step);
  const c2 = 1 - Math.pow(beta2, step);
  for (let i = lo, k = gOff; i < hi; i++, k++) {
    const gi = g[k] + weightDecay * w[i];
    m[i] = beta1 * m[i] + (1 - beta1) * gi;
    v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
    w[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
  }
}
function adagradRange(w, g, gOff, h, lo, hi, o) {
  const { lr, eps, weightDecay } = o;
  for (let i = lo, k = gOff; i < hi; i++, k++) {
    const gi = g[k] + weightDecay * w[i];
    h[i] += gi * gi;
    w[i] -= lr * gi / (Math.sqrt(h[i]) + eps);
  }
}
function sgdDense(w, g, vel, o) {
  sgdRange(w, g, 0, vel, 0, w.length, o);
}
function sgdSparse(w, rows, g, vel, width, o) {
  for (let r = 0; r < rows.length; r++) sgdRange(w, g, r * width, vel, rows[r] * width, (rows[r] + 1) * width, o);
}
function adamDense(w, g, m, v, step, o) {
  adamRange(w, g, 0, m, v, 0, w.length, step, o);
}
function adamSparse(w, rows, g, m, v, rowSteps, width, o) {
  for (let r = 0; r < rows.length; r++) {
    adamRange(w, g, r * width, m, v, rows[r] * width, (rows[r] + 1) * width, rowSteps[r], o);
  }
}
function adagradDense(w, g, h, o) {
  adagradRange(w, g, 0, h, 0, w.length, o);
}
function adagradSparse(w, rows, g, h, width, o) {
  for (let r = 0; r < rows.length; r++) adagradRange(w, g, r * width, h, rows[r] * width, (rows[r] + 1) * width, o);
}

// backends/cpu/index.ts
function data(id) {
  return id;
}
function num(x) {
  const v = data(x.dataId).values;
  return x.dtype === "float16" ? decodeHalfArray(v) : v;
}
function float(x) {
  const v = num(x);
  return v instanceof Int32Array ? Float32Array.from(v) : v;
}
function scratch(dtype, size) {
  return dtype === "float16" ? new Float32Array(size) : allocArray(dtype, size);
}
function finish(values, dtype) {
  if (dtype === "float16") return { values: encodeHalfArray(values) };
  return { values };
}
function mutable(x) {
  const d = data(x.dataId);
  if (x.dtype === "float16") {
    const arr = decodeHalfArray(d.values);
    return { arr, commit: () => encodeHalfArray(arr, d.values) };
  }
  if (x.dtype === "int32") throw new Error("cpu: optimizer updates need float tensors");
  return { arr: d.values, commit: () => {
  } };
}
var CpuBackend = class {
  name = "cpu";
  numBuffers = 0;
  numBytes = 0;
  track(id) {
    this.numBuffers++;
    this.numBytes += id.values.byteLength;
    return id;
  }
  // ---- storage ----------------------------------------------------------------
  write(values, _dtype) {
    return this.track({ values: values.slice() });
  }
  zeros(size, dtype) {
    return this.track({ values: allocArray(dtype, size) });
  }
  readSync(id) {
    return data(id).values;
  }
  async read(id) {
    return data(id).values;
  }
  overwrite(id, values) {
    const d = data(id);
    if (values.length !== d.values.length) throw new Error(`cpu overwrite: ${values.length} values into a buffer of ${d.values.length}`);
    d.values.set(values);
  }
  dispose(id) {
    const d = data(id);
    if (d.freed) return;
    d.freed = true;
    this.numBuffers--;
    this.numBytes -= d.values.byteLength;
  }
  memory() {
    return { numBuffers: this.numBuffers, numBytes: this.numBytes };
  }
  out(values, dtype) {
    return this.track(finish(values, dtype));
  }
  // ---- elementwise --------------------------------------------------------------
  unary(op, x, outDtype) {
    const out = scratch(outDtype, sizeOf(x.shape));
    unaryInto(op, num(x), out);
    return this.out(out, outDtype);
  }
  binary(op, a, b, outShape, outDtype) {
    const av = num(a);
    const bv = num(b);
    const out = scratch(outDtype, sizeOf(outShape));
    const an = av.length;
    const bn = bv.length;
    if (an === out.length && bn === out.length) binarySameShape(op, av, bv, out);
    else if (bn === 1 && an === out.length) binaryScalar(op, av, bv[0], true, out);
    else if (an === 1 && bn === out.length) binaryScalar(op, bv, av[0], false, out);
    else if (an === out.length && b.shape.length === 1 && outShape[outShape.length - 1] === bn) binaryRowBroadcast(op, av, bv, out, true);
    else if (bn === out.length && a.shape.length === 1 && outShape[outShape.length - 1] === an && op !== "sub" && op !== "div" && op !== "pow") {
      binaryRowBroadcast(op, bv, av, out, false);
    } else binaryIndexed(op, av, broadcastIndexMap(a.shape, outShape), bv, broadcastIndexMap(b.shape, outShape), out);
    return this.out(out, outDtype);
  }
  where(cond, a, b, outDtype) {
    const c = num(cond);
    const av = num(a);
    const bv = num(b);
    const out = scratch(outDtype, c.length);
    for (let i = 0; i < c.length; i++) out[i] = c[i] !== 0 ? av[i] : bv[i];
    return this.out(out, outDtype);
  }
  cast(x, dtype) {
    const src = data(x.dataId).values;
    if (x.dtype === dtype) return this.track({ values: src.slice() });
    if (dtype === "float16") return this.track({ values: encodeHalfArray(num(x)) });
    const out = allocArray(dtype, src.length);
    const v = num(x);
    if (dtype === "int32") for (let i = 0; i < v.length; i++) out[i] = Math.trunc(v[i]);
    else out.set(v);
    return this.track({ values: out });
  }
  axpy(a, b, alpha) {
    const av = num(a);
    const bv = num(b);
    const out = scratch(a.dtype, av.length);
    for (let i = 0; i < av.length; i++) out[i] = av[i] + alpha * bv[i];
    return this.out(out, a.dtype);
  }
  // ---- reductions -----------------------------------------------------------------
  reduce(op, x, axes) {
    const outSize = sizeOf(x.shape.filter((_, i) => !axes.includes(i)));
    const out = scratch(x.dtype, outSize);
    reduceInto(op, num(x), x.shape, axes, out);
    return this.out(out, x.dtype);
  }
  // ---- linear algebra ------------------------------------------------------------
  matmul(a, b, transposeA, transposeB) {
    const M = transposeA ? a.shape[1] : a.shape[0];
    const K = transposeA ? a.shape[0] : a.shape[1];
    const N = transposeB ? b.shape[0] : b.shape[1];
    const dtype = computeType(a.dtype === "float64" || b.dtype === "float64" ? "float64" : "float32");
    const outDtype = a.dtype === b.dtype ? a.dtype : dtype;
    const out = scratch(dtype, M * N);
    matmulInto(float(a), float(b), M, K, N, transposeA, transposeB, out);
    return this.out(out, outDtype);
  }
  spmm(a, b) {
    const N = b.shape[1];
    const out = scratch(computeType(b.dtype), a.shape[0] * N);
    spmmInto(a, float(b), N, out);
    return this.out(out, b.dtype);
  }
  // ---- layout ----------------------------------------------------------------
  transpose(x, perm) {
    const src = data(x.dataId).values;
    const out = allocArray(x.dtype, src.length);
    transposeInto(src, x.shape, perm, out);
    return this.track({ values: out });
  }
  slice(x, begin, size) {
    const out = allocArray(x.dtype, sizeOf(size));
    if (out.length > 0) sliceInto(data(x.dataId).values, x.shape, begin, size, out);
    return this.track({ values: out });
  }
  concat(xs, axis) {
    const total = xs.reduce((s, x) => s + sizeOf(x.shape), 0);
    const out = allocArray(xs[0].dtype, total);
    concatInto(xs.map((x) => ({ values: data(x.dataId).values, shape: x.shape })), axis, out);
    return this.track({ values: out });
  }
  // ---- rows ----------------------------------------------------------------------
  gatherRows(table2, ids2) {
    const width = sizeOf(table2.shape.slice(1));
    const idv = num(ids2);
    const out = allocArray(table2.dtype, idv.length * width);
    gatherRowsInto(data(table2.dataId).values, idv, width, out);
    return this.track({ values: out });
  }
  segmentSumRows(values, segmentIds, numSegments) {
    const width = sizeOf(values.shape.slice(1));
    const out = scratch(computeType(values.dtype), numSegments * width);
    segmentSumInto(num(values), segmentIds, width, out);
    return this.out(out, values.dtype);
  }
  scatterAddRows(target, rows, values) {
    const width = sizeOf(target.shape.slice(1));
    const t = mutable(target);
    segmentSumInto(num(values), rows, width, t.arr);
    t.commit();
  }
  // ---- softmax family ---------------------------------------------------------------
  softmax(x) {
    const out = scratch(computeType(x.dtype), sizeOf(x.shape));
    softmaxInto(float(x), x.shape[x.shape.length - 1], out, false);
    return this.out(out, x.dtype);
  }
  logSoftmax(x) {
    const out = scratch(computeType(x.dtype), sizeOf(x.shape));
    softmaxInto(float(x), x.shape[x.shape.length - 1], out, true);
    return this.out(out, x.dtype);
  }
  logSumExp(x) {
    const cols = x.shape[x.shape.length - 1];
    const out = scratch(computeType(x.dtype), sizeOf(x.shape) / Math.max(cols, 1));
    logSumExpInto(float(x), cols, out);
    return this.out(out, x.dtype);
  }
  // ---- optimizers -----------------------------------------------------------------
  sgdUpdate(w, grad, velocity, opts) {
    const W = mutable(w);
    const V = velocity ? mutable(velocity) : null;
    sgdDense(W.arr, float(grad), V ? V.arr : null, opts);
    W.commit();
    V?.commit();
  }
  adamUpdate(w, grad, m, v, step, opts) {
    const W = mutable(w);
    const Mm = mutable(m);
    const Vv = mutable(v);
    adamDense(W.arr, float(grad), Mm.arr, Vv.arr, step, opts);
    W.commit();
    Mm.commit();
    Vv.commit();
  }
  adagradUpdate(w, grad, h, opts) {
    const W = mutable(w);
    const H = mutable(h);
    adagradDense(W.arr, float(grad), H.arr, opts);
    W.commit();
    H.commit();
  }
  sparseSgdUpdate(w, rows, grad, velocity, opts) {
    const W = mutable(w);
    const V = velocity ? mutable(velocity) : null;
    sgdSparse(W.arr, rows, float(grad), V ? V.arr : null, sizeOf(w.shape.slice(1)), opts);
    W.commit();
    V?.commit();
  }
  sparseAdamUpdate(w, rows, grad, m, v, rowSteps, opts) {
    const W = mutable(w);
    const Mm = mutable(m);
    const Vv = mutable(v);
    adamSparse(W.arr, rows, float(grad), Mm.arr, Vv.arr, rowSteps, sizeOf(w.shape.slice(1)), opts);
    W.commit();
    Mm.commit();
    Vv.commit();
  }
  sparseAdagradUpdate(w, rows, grad, h, opts) {
    const W = mutable(w);
    const H = mutable(h);
    adagradSparse(W.arr, rows, float(grad), H.arr, sizeOf(w.shape.slice(1)), opts);
    W.commit();
    H.commit();
  }
};
function createCpuBackend() {
  return new CpuBackend();
}

// core/rowsparse.ts
var RowSparse = class {
  isRowSparse = true;
  indices;
  values;
  denseShape;
  constructor(indices, values, denseShape) {
    if (values.shape[0] !== indices.length) {
      throw new Error(`RowSparse: ${indices.length} indices but values have ${values.shape[0]} rows (shape ${fmtShape(values.shape)})`);
    }
    if (sizeOf(values.shape.slice(1)) !== sizeOf(denseShape.slice(1))) {
      throw new Error(`RowSparse: row shape of values ${fmtShape(values.shape)} does not match dense shape ${fmtShape(denseShape)}`);
    }
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (r < 0 || r >= denseShape[0] || i > 0 && indices[i - 1] >= r) {
        throw new Error(`RowSparse: indices must be sorted, unique and in [0, ${denseShape[0]}); found ${r} at position ${i}`);
      }
    }
    this.indices = indices;
    this.values = values;
    this.denseShape = Object.freeze(denseShape.slice());
  }
  /** Number of stored rows. */
  get nnz() {
    return this.indices.length;
  }
  get dtype() {
    return this.values.dtype;
  }
  /** The dense [N, ...] gradient (O(N·D); for comparisons and `lazy: false`). */
  toDense() {
    const b = this.values.backend;
    const id = b.segmentSumRows(this.values, this.indices, this.denseShape[0]);
    return new Tensor(id, this.denseShape, this.values.dtype, b);
  }
  dispose() {
    this.values.dispose();
  }
  toString() {
    return `RowSparse(${fmtShape(this.denseShape)}, ${this.nnz} rows)`;
  }
};
function uniqueSorted(ids2) {
  const n = ids2.length;
  const inverse = new Int32Array(n);
  if (n === 0) return { unique: new Int32Array(0), inverse };
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const sorted = Int32Array.from(ids2);
  let isSorted = true;
  for (let i = 1; i < n; i++) if (sorted[i - 1] > sorted[i]) {
    isSorted = false;
    break;
  }
  if (!isSorted) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = ids2[i] * 4194304 + i;
    if (n < 4194304) {
      keys.sort();
      for (let i = 0; i < n; i++) {
        const k = keys[i];
        const pos = k % 4194304;
        order[i] = pos;
        sorted[i] = (k - pos) / 4194304;
      }
    } else {
      const idx = Array.from(order).sort((a, b) => ids2[a] - ids2[b]);
      for (let i = 0; i < n; i++) {
        order[i] = idx[i];
        sorted[i] = ids2[idx[i]];
      }
    }
  }
  let count = 0;
  const uniqueTmp = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) uniqueTmp[count++] = sorted[i];
    inverse[order[i]] = count - 1;
  }
  return { unique: uniqueTmp.slice(0, count), inverse };
}
function mergeRowSparse(a, b) {
  if (!shapesEqual(a.denseShape, b.denseShape)) {
    throw new Error(`RowSparse merge: dense shapes ${fmtShape(a.denseShape)} and ${fmtShape(b.denseShape)} differ`);
  }
  const all = new Int32Array(a.nnz + b.nnz);
  all.set(a.indices, 0);
  all.set(b.indices, a.nnz);
  const { unique, inverse } = uniqueSorted(all);
  const backend = a.values.backend;
  const catId = backend.concat([a.values, b.values], 0);
  const cat = new Tensor(catId, [all.length, ...a.values.shape.slice(1)], a.values.dtype, backend);
  const summed = backend.segmentSumRows(cat, inverse, unique.length);
  cat.dispose();
  const values = new Tensor(summed, [unique.length, ...a.values.shape.slice(1)], a.values.dtype, backend);
  return new RowSparse(unique, values, a.denseShape);
}
function addRowSparseToDense(dense, sparse) {
  if (!shapesEqual(dense.shape, sparse.denseShape)) {
    throw new Error(`gradient accumulation: dense ${fmtShape(dense.shape)} + RowSparse ${fmtShape(sparse.denseShape)}`);
  }
  const backend = dense.backend;
  const copy = new Tensor(backend.cast(dense, dense.dtype), dense.shape, dense.dtype, backend);
  backend.scatterAddRows(copy, sparse.indices, sparse.values);
  return copy;
}
function keepGradient(g) {
  engine.keep(g instanceof RowSparse ? g.values : g);
}

// core/autograd.ts
function recordOp(op, inputs, output, backward2) {
  if (!engine.gradEnabled) return;
  if (!inputs.some((t) => t.requiresGrad)) return;
  output.requiresGrad = true;
  output.node = { op, inputs, backward: backward2 };
}
function topologicalOrder(root) {
  const order = [];
  const visited = /* @__PURE__ */ new Set();
  const stack = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, next] = top;
    const inputs = t.node ? t.node.inputs : [];
    if (next < inputs.length) {
      top[1]++;
      const child = inputs[next];
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}
function toDense(g) {
  return g instanceof RowSparse ? g.toDense() : g;
}
function accumulate(a, b) {
  if (a instanceof RowSparse && b instanceof RowSparse) return mergeRowSparse(a, b);
  if (a instanceof RowSparse) return addRowSparseToDense(b, a);
  if (b instanceof RowSparse) return addRowSparseToDense(a, b);
  if (!shapesEqual(a.shape, b.shape)) {
    throw new Error(`backward: cannot sum gradients of shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const backend = a.backend;
  return new Tensor(backend.axpy(a, b, 1), a.shape, a.dtype, backend);
}
function gradShape(g) {
  return g instanceof RowSparse ? g.denseShape : g.shape;
}
function backward(root, seed, options = {}) {
  const { retainGraph = false, checkFinite = true } = options;
  if (!root.requiresGrad) {
    throw new Error(`backward: tensor ${root.describe()} does not require a gradient (no variable was used to compute it, or it was computed inside noGrad)`);
  }
  if (root.graphReleased) {
    throw new Error("backward: this graph was already used by backward() and released; run the forward pass again or pass {retainGraph: true}");
  }
  if (!seed && root.size !== 1) {
    throw new Error(`backward: ${root.describe()} is not a scalar; pass the gradient of the output explicitly`);
  }
  if (seed && !shapesEqual(seed.shape, root.shape)) {
    throw new Error(`backward: seed gradient ${fmtShape(seed.shape)} does not match output ${fmtShape(root.shape)}`);
  }
  if (checkFinite && !seed) {
    const value = root.dataSync()[0];
    if (!Number.isFinite(value)) {
      throw new Error(`backward: the loss is ${value} (produced by op '${root.node?.op ?? "leaf"}'); check the learning rate, the inputs for NaN/inf, and log() of non-positive values`);
    }
  }
  const order = topologicalOrder(root);
  const grads = /* @__PURE__ */ new Map();
  const storedOnLeaves = /* @__PURE__ */ new Set();
  engine.startScope();
  try {
    engine.noGrad(() => {
      const backend = root.backend;
      const one = seed ?? new Tensor(backend.write(new Float32Array([1]), "float32"), root.shape, "float32", backend);
      grads.set(root, root.dtype === one.dtype ? one : new Tensor(backend.cast(one, root.dtype), root.shape, root.dtype, backend));
      for (const t of order) {
        const g = grads.get(t);
        if (!g) continue;
        if (!shapesEqual(gradShape(g), t.shape)) {
          throw new Error(`backward: gradient of shape ${fmtShape(gradShape(g))} reached ${t.describe()} (op '${t.node?.op ?? "leaf"}')`);
        }
        if (!t.node) {
          storeLeafGradient(t, g, storedOnLeaves);
          continue;
        }
        const inputGrads = t.node.backward(toDense(g));
        const inputs = t.node.inputs;
        if (inputGrads.length !== inputs.length) {
          throw new Error(`backward of '${t.node.op}' returned ${inputGrads.length} gradients for ${inputs.length} inputs`);
        }
        for (let i = 0; i < inputs.length; i++) {
          const input = inputs[i];
          const gi = inputGrads[i];
          if (!gi || !input.requiresGrad) continue;
          const prev = grads.get(input);
          grads.set(input, prev ? accumulate(prev, gi) : gi);
        }
        grads.delete(t);
      }
    });
  } finally {
    engine.endScope();
  }
  if (!retainGraph) {
    for (const t of order) {
      if (t.node) t.node = null;
    }
    root.graphReleased = true;
  }
}
function storeLeafGradient(leaf, g, stored) {
  const values = g instanceof RowSparse ? g.values : g;
  let own = g;
  if (stored.has(values) || values.kept || !engine.inCurrentScope(values)) {
    const copy = new Tensor(values.backend.cast(values, values.dtype), values.shape, values.dtype, values.backend);
    own = g instanceof RowSparse ? new RowSparse(g.indices, copy, g.denseShape) : copy;
  }
  if (leaf.grad) {
    const previous = leaf.grad;
    own = accumulate(previous, own);
    (previous instanceof RowSparse ? previous.values : previous).dispose();
  }
  keepGradient(own);
  stored.add(own instanceof RowSparse ? own.values : own);
  leaf.grad = own;
}

// core/tensor.ts
var tensorMethods = {};
var Tensor = class {
  isTensor = true;
  id;
  shape;
  dtype;
  size;
  /** Storage handle, owned by `backend`. */
  dataId;
  backend;
  /** Leaves with requiresGrad receive `.grad` from backward(). */
  requiresGrad = false;
  grad = null;
  /** The op that produced this tensor (null for leaves and when not recording). */
  node = null;
  /** Kept tensors (variables, gradients, optimizer state) survive `tidy`. */
  kept = false;
  isDisposed = false;
  name;
  constructor(dataId, shape, dtype, backend) {
    this.id = engine.newTensorId();
    this.dataId = dataId;
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtype;
    this.size = sizeOf(shape);
    this.backend = backend;
    engine.track(this);
  }
  get rank() {
    return this.shape.length;
  }
  /** Logical bytes of the values (size × bytes per element). */
  get bytes() {
    return this.size * bytesPerElement(this.dtype);
  }
  assertAlive(where2) {
    if (this.isDisposed) {
      throw new Error(`${where2}: tensor ${this.describe()} was disposed`);
    }
  }
  describe() {
    return `${this.name ? `'${this.name}' ` : ""}#${this.id} ${fmtShape(this.shape)} ${this.dtype}`;
  }
  /**
   * The values as a flat typed array (float16 decoded to Float32Array). On the CPU backend
   * this is a copy; never mutate storage through it.
   */
  dataSync() {
    this.assertAlive("dataSync");
    const raw = this.backend.readSync(this.dataId);
    return toUserArray(raw, this.dtype);
  }
  async data() {
    this.assertAlive("data");
    const raw = await this.backend.read(this.dataId);
    return toUserArray(raw, this.dtype);
  }
  /** The raw storage (float16 as Uint16Array bits). Do not mutate. */
  rawSync() {
    this.assertAlive("rawSync");
    return this.backend.readSync(this.dataId);
  }
  /** The single value of a one-element tensor. */
  item() {
    if (this.size !== 1) throw new Error(`item: tensor ${this.describe()} has ${this.size} elements, not 1`);
    return this.dataSync()[0];
  }
  /** Nested JavaScript arrays, shaped like the tensor. */
  arraySync() {
    const flat = this.dataSync();
    if (this.rank === 0) return flat[0];
    const build = (dim, offset) => {
      const n = this.shape[dim];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out = [];
      for (let i = 0; i < n; i++) {
        out.push(dim === this.rank - 1 ? flat[offset + i] : build(dim + 1, offset + i * stride));
      }
      return out;
    };
    return build(0, 0);
  }
  /** Frees the storage now (GPU textures are not garbage collected). Idempotent. */
  dispose() {
    if (this.isDisposed) return;
    this.isDisposed = true;
    engine.untrack(this);
    this.backend.dispose(this.dataId);
    this.node = null;
  }
  /** A copy in another dtype (differentiable between float types). */
  cast(dtype) {
    return tensorMethods.cast(this, dtype);
  }
  reshape(shape) {
    return tensorMethods.reshape(this, shape);
  }
  /** Reverse-mode autodiff from this tensor (a scalar loss unless `grad` is given). */
  backward(grad, options) {
    this.assertAlive("backward");
    backward(this, grad, options);
  }
  toString() {
    const values = this.isDisposed ? "disposed" : JSON.stringify(this.size <= 64 ? this.arraySync() : "\u2026");
    return `Tensor(${fmtShape(this.shape)}, ${this.dtype}) ${values}`;
  }
};
function toUserArray(raw, dtype) {
  if (dtype === "float16") return decodeHalfArray(raw);
  return raw.slice();
}

// core/csr.ts
var CSR = class _CSR {
  isCSR = true;
  indptr;
  indices;
  values;
  shape;
  /** per-backend caches (e.g. uploaded textures); owned by the backends */
  cache = /* @__PURE__ */ new Map();
  constructor(indptr, indices, values, shape, validate = true) {
    this.indptr = indptr;
    this.indices = indices;
    this.values = values;
    this.shape = [shape[0], shape[1]];
    if (validate) validateCSR(this);
  }
  get nnz() {
    return this.indices.length;
  }
  get rows() {
    return this.shape[0];
  }
  get cols() {
    return this.shape[1];
  }
  /** Rows [start, end) as a new CSR (copies the slice; indptr rebased to 0). */
  sliceRows(start, end) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.rows || start > end) {
      throw new Error(`CSR.sliceRows: range [${start}, ${end}) is outside the ${this.rows} rows`);
    }
    const a = this.indptr[start];
    const b = this.indptr[end];
    const indptr = new Int32Array(end - start + 1);
    for (let r = start; r <= end; r++) indptr[r - start] = this.indptr[r] - a;
    return new _CSR(indptr, this.indices.slice(a, b), this.values.slice(a, b), [end - start, this.cols], false);
  }
  /** The given rows (any order, repeats allowed) as a new CSR batch. */
  selectRows(rows) {
    let nnz = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!Number.isInteger(r) || r < 0 || r >= this.rows) {
        throw new Error(`CSR.selectRows: row ${r} at position ${i} is outside the ${this.rows} rows`);
      }
      nnz += this.indptr[r + 1] - this.indptr[r];
    }
    const indptr = new Int32Array(rows.length + 1);
    const indices = new Int32Array(nnz);
    const values = new Float32Array(nnz);
    let k = 0;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const a = this.indptr[r];
      const b = this.indptr[r + 1];
      indices.set(this.indices.subarray(a, b), k);
      values.set(this.values.subarray(a, b), k);
      k += b - a;
      indptr[i + 1] = k;
    }
    return new _CSR(indptr, indices, values, [rows.length, this.cols], false);
  }
  /** Dense row-major Float32Array (tests and small matrices only). */
  toDense() {
    const [m, n] = this.shape;
    if (m * n > 2 ** 28) throw new Error(`CSR.toDense: ${fmtShape(this.shape)} is too large to densify`);
    const out = new Float32Array(m * n);
    for (let r = 0; r < m; r++) {
      for (let p = this.indptr[r]; p < this.indptr[r + 1]; p++) out[r * n + this.indices[p]] += this.values[p];
    }
    return out;
  }
  /** The transpose as CSR (i.e. this matrix in CSC), O(nnz + cols). */
  transpose() {
    const [m, n] = this.shape;
    const counts = new Int32Array(n + 1);
    for (let p = 0; p < this.nnz; p++) counts[this.indices[p] + 1]++;
    for (let c = 0; c < n; c++) counts[c + 1] += counts[c];
    const indptr = counts.slice();
    const next = counts.slice(0, n);
    const indices = new Int32Array(this.nnz);
    const values = new Float32Array(this.nnz);
    for (let r = 0; r < m; r++) {
      for (let p = this.indptr[r]; p < this.indptr[r + 1]; p++) {
        const dst = next[this.indices[p]]++;
        indices[dst] = r;
        values[dst] = this.values[p];
      }
    }
    return new _CSR(indptr, indices, values, [n, m], false);
  }
  /** Bytes held by the three arrays. */
  get bytes() {
    return this.indptr.byteLength + this.indices.byteLength + this.values.byteLength;
  }
  toString() {
    return `CSR(${fmtShape(this.shape)}, nnz=${this.nnz})`;
  }
};
function validateCSR(m) {
  const [rows, cols] = m.shape;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`csr: invalid shape ${fmtShape(m.shape)}`);
  }
  if (m.indptr.length !== rows + 1) {
    throw new Error(`csr: indptr has length ${m.indptr.length}, expected rows + 1 = ${rows + 1} for shape ${fmtShape(m.shape)}`);
  }
  if (m.indptr[0] !== 0) throw new Error(`csr: indptr[0] must be 0, found ${m.indptr[0]}`);
  if (m.indptr[rows] !== m.indices.length) {
    throw new Error(`csr: indptr[${rows}] = ${m.indptr[rows]} but there are ${m.indices.length} indices`);
  }
  if (m.values.length !== m.indices.length) {
    throw new Error(`csr: ${m.indices.length} indices but ${m.values.length} values`);
  }
  for (let r = 0; r < rows; r++) {
    const a = m.indptr[r];
    const b = m.indptr[r + 1];
    if (b < a) throw new Error(`csr: indptr is not monotone at row ${r} (${a} then ${b})`);
    for (let p = a; p < b; p++) {
      const c = m.indices[p];
      if (!(c >= 0 && c < cols)) throw new Error(`csr: column index ${c} at row ${r} (entry ${p}) is outside [0, ${cols})`);
      if (p > a && m.indices[p - 1] >= c) {
        throw new Error(`csr: column indices of row ${r} are not sorted and unique (${m.indices[p - 1]} then ${c} at entry ${p}); build with fromCOO to sort and sum duplicates`);
      }
    }
  }
}

// core/random.ts
import seedrandom from "seedrandom";
var runSeed = "0";
function randomStream(name, seed, state) {
  const base = seed === void 0 ? runSeed : String(seed);
  const prng = seedrandom.alea(`${base}/${name}`, state ? { state } : { state: true });
  let spare = null;
  return {
    name,
    next: () => prng(),
    int: (n) => Math.floor(prng() * n),
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = prng();
      const v = prng();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle(a) {
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(prng() * (i + 1));
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
      }
      return a;
    },
    state: () => prng.state()
  };
}
var runStreams = /* @__PURE__ */ new Map();
function stream(name) {
  let s = runStreams.get(name);
  if (!s) {
    s = randomStream(name);
    runStreams.set(name, s);
  }
  return s;
}

// ops/typed.ts
import typedFunction from "typed-function";
var typed = typedFunction.create();
typed.addType({ name: "Tensor", test: (x) => x instanceof Tensor });
typed.addType({ name: "CSR", test: (x) => x instanceof CSR });
typed.addType({ name: "RowSparse", test: (x) => x instanceof RowSparse });
typed.addType({ name: "Int32Array", test: (x) => x instanceof Int32Array });
typed.addType({ name: "TypedArray", test: (x) => ArrayBuffer.isView(x) && !(x instanceof DataView) });

// ops/util.ts
function wrap(dataId, shape, dtype, backend) {
  return new Tensor(dataId, shape, dtype, backend);
}
function backendOf(op, ...xs) {
  const b = xs[0].backend;
  for (const x of xs) {
    if (x.isDisposed) throw new Error(`${op}: input ${x.describe()} was disposed`);
    if (x.backend !== b) {
      throw new Error(`${op}: inputs live on different backends ('${b.name}' and '${x.backend.name}'); move them with sg.toBackend()`);
    }
  }
  return b;
}
function storageFor(values, dtype) {
  if (dtype === "float16") return encodeHalfArray(values);
  const arr = allocArray(dtype, values.length);
  arr.set(values);
  return arr;
}
function scalarOn(b, value, dtype) {
  return wrap(b.write(storageFor([value], dtype), dtype), [], dtype, b);
}
function currentBackend() {
  return engine.backend;
}
function reduceToShape(dy, shape) {
  if (shapesEqual(dy.shape, shape)) return dy;
  const axes = broadcastReduceAxes(shape, dy.shape);
  const b = dy.backend;
  const summed = axes.length ? wrap(b.reduce("sum", dy, axes), dy.shape.filter((_, i) => !axes.includes(i)), dy.dtype, b) : dy;
  if (shapesEqual(summed.shape, shape)) return summed;
  const out = wrap(b.cast(summed, summed.dtype), shape, summed.dtype, b);
  if (summed !== dy) summed.dispose();
  return out;
}

// ops/elementwise.ts
function floatType(dtype) {
  return dtype === "int32" ? "float32" : dtype;
}
function unaryRaw(op, x) {
  const b = backendOf(op, x);
  const dtype = op === "isfinite" ? "float32" : floatType(x.dtype);
  return wrap(b.unary(op, x, dtype), x.shape, dtype, b);
}
function binaryRaw(op, a, c) {
  const b = backendOf(op, a, c);
  const outShape = broadcastShapes(a.shape, c.shape, op);
  let dtype = upcast(a.dtype, c.dtype);
  if (op === "div" || op === "pow") dtype = floatType(dtype);
  return wrap(b.binary(op, a, c, outShape, dtype), outShape, dtype, b);
}
function asTensor(like, v) {
  return scalarOn(like.backend, v, like.dtype === "int32" ? "float32" : like.dtype);
}
function defineUnary(op, grad) {
  return typed(op, {
    Tensor: (x) => {
      const y = unaryRaw(op, x);
      recordOp(op, [x], y, (dy) => [grad(dy, x, y)]);
      return y;
    }
  });
}
var neg = defineUnary("neg", (dy) => unaryRaw("neg", dy));
var exp = defineUnary("exp", (dy, _x, y) => binaryRaw("mul", dy, y));
var log = defineUnary("log", (dy, x) => binaryRaw("div", dy, x));
var log1p = defineUnary("log1p", (dy, x) => binaryRaw("div", dy, binaryRaw("add", x, asTensor(x, 1))));
var sqrt = defineUnary("sqrt", (dy, _x, y) => binaryRaw("div", binaryRaw("mul", dy, asTensor(y, 0.5)), y));
var abs = defineUnary("abs", (dy, x) => binaryRaw("mul", dy, unaryRaw("sign", x)));
var square = defineUnary("square", (dy, x) => binaryRaw("mul", dy, binaryRaw("mul", x, asTensor(x, 2))));
var reciprocal = defineUnary("reciprocal", (dy, _x, y) => unaryRaw("neg", binaryRaw("mul", dy, binaryRaw("mul", y, y))));
var relu = defineUnary("relu", (dy, x) => binaryRaw("mul", dy, unaryRaw("step", x)));
var sigmoid = defineUnary("sigmoid", (dy, _x, y) => binaryRaw("mul", dy, binaryRaw("mul", y, binaryRaw("sub", asTensor(y, 1), y))));
var tanh = defineUnary("tanh", (dy, _x, y) => binaryRaw("mul", dy, binaryRaw("sub", asTensor(y, 1), binaryRaw("mul", y, y))));
var softplus = defineUnary("softplus", (dy, x) => binaryRaw("mul", dy, unaryRaw("sigmoid", x)));
var sign = typed("sign", { Tensor: (x) => unaryRaw("sign", x) });
var isFinite = typed("isFinite", { Tensor: (x) => unaryRaw("isfinite", x) });
function binaryTensor(op, grad) {
  return (a, b) => {
    const y = binaryRaw(op, a, b);
    recordOp(op, [a, b], y, (dy) => {
      const [ga, gb] = grad(dy, a, b, y);
      return [
        ga && a.requiresGrad ? reduceToShape(ga, a.shape) : null,
        gb && b.requiresGrad ? reduceToShape(gb, b.shape) : null
      ];
    });
    return y;
  };
}
function defineBinary(op, grad) {
  const fn = binaryTensor(op, grad);
  return typed(op, {
    "Tensor, Tensor": fn,
    "Tensor, number": (a, v) => fn(a, asTensor(a, v)),
    "number, Tensor": (v, b) => fn(asTensor(b, v), b)
  });
}
var add = defineBinary("add", (dy) => [dy, dy]);
var sub = defineBinary("sub", (dy, a, b) => [dy, b.requiresGrad ? unaryRaw("neg", dy) : null]);
var mul = defineBinary("mul", (dy, a, b) => [
  a.requiresGrad ? binaryRaw("mul", dy, b) : null,
  b.requiresGrad ? binaryRaw("mul", dy, a) : null
]);
var div = defineBinary("div", (dy, a, b, y) => [
  a.requiresGrad ? binaryRaw("div", dy, b) : null,
  b.requiresGrad ? unaryRaw("neg", binaryRaw("div", binaryRaw("mul", dy, y), b)) : null
]);
var pow = defineBinary("pow", (dy, a, b, y) => [
  a.requiresGrad ? binaryRaw("mul", dy, binaryRaw("mul", b, binaryRaw("pow", a, binaryRaw("sub", b, asTensor(b, 1))))) : null,
  b.requiresGrad ? binaryRaw("mul", dy, binaryRaw("mul", y, unaryRaw("log", a))) : null
]);
var maximum = defineBinary("maximum", (dy, a, b) => {
  const aWins = binaryRaw("equal", binaryRaw("maximum", a, b), a);
  return [binaryRaw("mul", dy, aWins), binaryRaw("mul", dy, binaryRaw("sub", asTensor(aWins, 1), aWins))];
});
var minimum = defineBinary("minimum", (dy, a, b) => {
  const aWins = binaryRaw("equal", binaryRaw("minimum", a, b), a);
  return [binaryRaw("mul", dy, aWins), binaryRaw("mul", dy, binaryRaw("sub", asTensor(aWins, 1), aWins))];
});
function defineCompare(op) {
  return typed(op, {
    "Tensor, Tensor": (a, b) => binaryRaw(op, a, b),
    "Tensor, number": (a, v) => binaryRaw(op, a, asTensor(a, v))
  });
}
var equal = defineCompare("equal");
var greater = defineCompare("greater");
var less = defineCompare("less");
var where = typed("where", {
  "Tensor, Tensor, Tensor": (cond, a, b) => {
    if (!shapesEqual(cond.shape, a.shape) || !shapesEqual(a.shape, b.shape)) {
      throw new Error(`where: shapes ${fmtShape(cond.shape)}, ${fmtShape(a.shape)}, ${fmtShape(b.shape)} must be equal`);
    }
    const be = backendOf("where", cond, a, b);
    const dtype = upcast(a.dtype, b.dtype);
    const y = wrap(be.where(cond, a, b, dtype), a.shape, dtype, be);
    recordOp("where", [a, b], y, (dy) => {
      const zeros = asTensor(dy, 0);
      const zerosFull = binaryRaw("mul", dy, zeros);
      return [
        wrap(be.where(cond, dy, zerosFull, dy.dtype), dy.shape, dy.dtype, be),
        wrap(be.where(cond, zerosFull, dy, dy.dtype), dy.shape, dy.dtype, be)
      ];
    });
    return y;
  }
});
var cast = typed("cast", {
  "Tensor, string": (x, dtype) => {
    const d = assertDType(dtype, "cast");
    const be = backendOf("cast", x);
    const y = wrap(be.cast(x, d), x.shape, d, be);
    if (d !== "int32") recordOp("cast", [x], y, (dy) => [wrap(be.cast(dy, x.dtype), dy.shape, x.dtype, be)]);
    return y;
  }
});

// ops/layout.ts
function reshapeRaw(x, shape) {
  const b = backendOf("reshape", x);
  return wrap(b.cast(x, x.dtype), shape, x.dtype, b);
}
function resolveShape(x, shape) {
  const out = shape.slice();
  const free = out.indexOf(-1);
  if (out.some((d, i) => !Number.isInteger(d) || d < 0 && i !== free) || out.lastIndexOf(-1) !== free) {
    throw new Error(`reshape: invalid target shape ${fmtShape(shape)} (integers \u2265 0, at most one -1)`);
  }
  if (free >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== free));
    if (rest === 0 || x.size % rest !== 0) throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)}`);
    out[free] = x.size / rest;
  }
  if (sizeOf(out) !== x.size) {
    throw new Error(`reshape: cannot reshape ${fmtShape(x.shape)} (${x.size} elements) to ${fmtShape(shape)} (${sizeOf(out)} elements)`);
  }
  return out;
}
var reshape = typed("reshape", {
  "Tensor, Array": (x, shape) => {
    const target = resolveShape(x, shape);
    const y = reshapeRaw(x, target);
    recordOp("reshape", [x], y, (dy) => [reshapeRaw(dy, x.shape)]);
    return y;
  }
});
function transposeRaw(x, perm) {
  const b = backendOf("transpose", x);
  return wrap(b.transpose(x, perm), perm.map((p) => x.shape[p]), x.dtype, b);
}
var transpose = typed("transpose", {
  Tensor: (x) => transpose(x, Array.from({ length: x.rank }, (_, i) => x.rank - 1 - i)),
  "Tensor, Array": (x, perm) => {
    const sorted = perm.slice().sort((a, b) => a - b);
    if (perm.length !== x.rank || sorted.some((p, i) => p !== i)) {
      throw new Error(`transpose: ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${fmtShape(x.shape)}`);
    }
    const y = transposeRaw(x, perm);
    const inverse = new Array(perm.length);
    perm.forEach((p, i) => {
      inverse[p] = i;
    });
    recordOp("transpose", [x], y, (dy) => [transposeRaw(dy, inverse)]);
    return y;
  }
});
function sliceRaw(x, begin, size) {
  const b = backendOf("slice", x);
  return wrap(b.slice(x, begin, size), size, x.dtype, b);
}
function concatRaw(xs, axis) {
  const b = backendOf("concat", ...xs);
  const shape = xs[0].shape.slice();
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  return wrap(b.concat(xs, axis), shape, xs[0].dtype, b);
}
var concat = typed("concat", {
  Array: (xs) => concat(xs, 0),
  "Array, number": (xs, axis) => {
    if (xs.length === 0) throw new Error("concat: no tensors given");
    const rank = xs[0].rank;
    const a = axis < 0 ? axis + rank : axis;
    if (!(a >= 0 && a < rank)) throw new Error(`concat: axis ${axis} is out of range for rank ${rank}`);
    for (const [i, x] of xs.entries()) {
      if (x.rank !== rank || x.shape.some((d, j) => j !== a && d !== xs[0].shape[j]) || x.dtype !== xs[0].dtype) {
        throw new Error(`concat: tensor ${i} has shape ${fmtShape(x.shape)} ${x.dtype}, incompatible with ${fmtShape(xs[0].shape)} ${xs[0].dtype} along axis ${a}`);
      }
    }
    const y = concatRaw(xs, a);
    recordOp("concat", xs, y, (dy) => {
      let offset = 0;
      return xs.map((x) => {
        const begin = dy.shape.map(() => 0);
        begin[a] = offset;
        offset += x.shape[a];
        return x.requiresGrad ? sliceRaw(dy, begin, x.shape) : null;
      });
    });
    return y;
  }
});
function padRaw(dy, shape, begin) {
  let cur = dy;
  const b = dy.backend;
  for (let a = 0; a < shape.length; a++) {
    const before = begin[a];
    const after = shape[a] - begin[a] - cur.shape[a];
    if (before === 0 && after === 0) continue;
    const parts = [];
    const zerosOf = (n) => {
      const s = cur.shape.slice();
      s[a] = n;
      return wrap(b.zeros(sizeOf(s), cur.dtype), s, cur.dtype, b);
    };
    if (before > 0) parts.push(zerosOf(before));
    parts.push(cur);
    if (after > 0) parts.push(zerosOf(after));
    cur = concatRaw(parts, a);
  }
  return cur;
}
var slice = typed("slice", {
  "Tensor, Array, Array": (x, begin, size) => {
    if (begin.length !== x.rank || size.length !== x.rank) {
      throw new Error(`slice: begin ${JSON.stringify(begin)} and size ${JSON.stringify(size)} need ${x.rank} entries for ${fmtShape(x.shape)}`);
    }
    const sz = size.map((s, i) => s === -1 ? x.shape[i] - begin[i] : s);
    for (let i = 0; i < x.rank; i++) {
      if (!(begin[i] >= 0 && sz[i] >= 0 && begin[i] + sz[i] <= x.shape[i])) {
        throw new Error(`slice: begin ${JSON.stringify(begin)} size ${JSON.stringify(size)} is outside ${fmtShape(x.shape)} at axis ${i}`);
      }
    }
    const y = sliceRaw(x, begin, sz);
    recordOp("slice", [x], y, (dy) => [padRaw(dy, x.shape, begin)]);
    return y;
  }
});

// ops/creation.ts
function inferShape(data2) {
  const shape = [];
  let cur = data2;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}
function flattenInto(data2, shape, dim, out, path) {
  if (dim === shape.length) {
    if (Array.isArray(data2)) throw new Error(`tensor: ragged nested array at index [${path.join(", ")}]`);
    out.push(typeof data2 === "boolean" ? Number(data2) : data2);
    return;
  }
  if (!Array.isArray(data2) || data2.length !== shape[dim]) {
    throw new Error(`tensor: ragged nested array at index [${path.join(", ")}] (expected ${shape[dim]} entries along axis ${dim})`);
  }
  data2.forEach((d, i) => flattenInto(d, shape, dim + 1, out, [...path, i]));
}
function tensor(data2, shape, dtype) {
  let flat;
  let inferred;
  if (ArrayBuffer.isView(data2)) {
    flat = data2;
    inferred = [flat.length];
    dtype ??= data2 instanceof Int32Array ? "int32" : data2 instanceof Float64Array ? "float64" : "float32";
  } else if (typeof data2 === "number" || typeof data2 === "boolean") {
    flat = [Number(data2)];
    inferred = [];
  } else {
    inferred = inferShape(data2);
    const out = [];
    flattenInto(data2, inferred, 0, out, []);
    flat = out;
  }
  const d = assertDType(dtype ?? "float32", "tensor");
  const s = shape ? assertValidShape(shape, "tensor") : inferred;
  if (sizeOf(s) !== flat.length) throw new Error(`tensor: ${flat.length} values do not fill shape ${fmtShape(s)}`);
  const b = currentBackend();
  return wrap(b.write(storageFor(flat, d), d), s, d, b);
}
function randn(shape, opts = {}) {
  const s = assertValidShape(shape, "randn");
  const rng2 = randomStream(opts.stream ?? "randn", opts.seed);
  const values = new Float64Array(sizeOf(s));
  const m = opts.mean ?? 0;
  const sd = opts.std ?? 1;
  for (let i = 0; i < values.length; i++) values[i] = m + sd * rng2.normal();
  return tensor(values, s, opts.dtype ?? "float32");
}
function rand(shape, opts = {}) {
  const s = assertValidShape(shape, "rand");
  const rng2 = randomStream(opts.stream ?? "rand", opts.seed);
  const lo = opts.min ?? 0;
  const hi = opts.max ?? 1;
  const values = new Float64Array(sizeOf(s));
  for (let i = 0; i < values.length; i++) values[i] = lo + (hi - lo) * rng2.next();
  return tensor(values, s, opts.dtype ?? "float32");
}
function variable(t, name) {
  if (t.dtype === "int32") throw new Error(`variable: ${t.describe()} is int32; only float tensors can have gradients`);
  t.requiresGrad = true;
  t.node = null;
  if (name) t.name = name;
  return engine.keep(t);
}

// ops/reduce.ts
function keptShape(shape, axes) {
  return shape.map((d, i) => axes.includes(i) ? 1 : d);
}
function reduceRaw(op, x, axes, keepDims) {
  const b = backendOf(op, x);
  const shape = keepDims ? keptShape(x.shape, axes) : x.shape.filter((_, i) => !axes.includes(i));
  return wrap(b.reduce(op, x, axes), shape, x.dtype, b);
}
function broadcastTo(dy, keepShape, shape) {
  const b = dy.backend;
  const zero = scalarOn(b, 0, dy.dtype);
  const view = wrap(b.cast(dy, dy.dtype), keepShape, dy.dtype, b);
  return wrap(b.binary("add", view, zero, shape, dy.dtype), shape, dy.dtype, b);
}
function defineReduce(name) {
  const impl = (x, axesArg, keepDims) => {
    const axes = normalizeAxes(axesArg, x.rank, name);
    const kernel = name === "mean" ? "sum" : name;
    let y = reduceRaw(kernel, x, axes, keepDims);
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    if (name === "mean") {
      const s = y;
      y = binaryRaw("div", s, scalarOn(s.backend, count, s.dtype === "int32" ? "float32" : s.dtype));
      s.dispose();
    }
    recordOp(name, [x], y, (dy) => {
      const keep2 = keptShape(x.shape, axes);
      const spread = broadcastTo(dy, keep2, x.shape);
      if (name === "sum") return [spread];
      if (name === "mean") return [binaryRaw("div", spread, scalarOn(dy.backend, count, dy.dtype))];
      const yFull = broadcastTo(y, keep2, x.shape);
      const mask = binaryRaw("equal", x, yFull);
      const ties = broadcastTo(reduceRaw("sum", mask, axes, true), keep2, x.shape);
      return [binaryRaw("div", binaryRaw("mul", spread, mask), ties)];
    });
    return y;
  };
  return typed(name, {
    Tensor: (x) => impl(x, null, false),
    "Tensor, number | Array | null": (x, axes) => impl(x, axes, false),
    "Tensor, number | Array | null, boolean": (x, axes, keepDims) => impl(x, axes, keepDims),
    "Tensor, number | Array | null, Object": (x, axes, o) => impl(x, axes, !!o.keepDims)
  });
}
var sum = defineReduce("sum");
var mean = defineReduce("mean");
var max = defineReduce("max");
var min = defineReduce("min");

// ops/matmul.ts
function matmulRaw(a, b, tA, tB) {
  const be = backendOf("matmul", a, b);
  const M = tA ? a.shape[1] : a.shape[0];
  const N = tB ? b.shape[0] : b.shape[1];
  const dtype = a.dtype === b.dtype ? a.dtype : "float32";
  return wrap(be.matmul(a, b, tA, tB), [M, N], dtype, be);
}
function denseMatmul(a, b, opts = {}) {
  const tA = !!opts.transposeA;
  const tB = !!opts.transposeB;
  if (a.rank !== 2 || b.rank !== 2) {
    throw new Error(`matmul: expected 2-D tensors, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const K1 = tA ? a.shape[0] : a.shape[1];
  const K2 = tB ? b.shape[1] : b.shape[0];
  if (K1 !== K2) {
    throw new Error(`matmul: inner dimensions differ: ${fmtShape(a.shape)}${tA ? "\u1D40" : ""} \xB7 ${fmtShape(b.shape)}${tB ? "\u1D40" : ""} (${K1} vs ${K2})`);
  }
  if (a.dtype === "int32" || b.dtype === "int32") throw new Error("matmul: int32 tensors are not supported; cast to float32");
  const y = matmulRaw(a, b, tA, tB);
  recordOp("matmul", [a, b], y, (dy) => {
    let da = null;
    let db = null;
    if (!tA && !tB) {
      if (a.requiresGrad) da = matmulRaw(dy, b, false, true);
      if (b.requiresGrad) db = matmulRaw(a, dy, true, false);
    } else if (!tA && tB) {
      if (a.requiresGrad) da = matmulRaw(dy, b, false, false);
      if (b.requiresGrad) db = matmulRaw(dy, a, true, false);
    } else if (tA && !tB) {
      if (a.requiresGrad) da = matmulRaw(b, dy, false, true);
      if (b.requiresGrad) db = matmulRaw(a, dy, false, false);
    } else {
      if (a.requiresGrad) da = matmulRaw(b, dy, true, true);
      if (b.requiresGrad) db = matmulRaw(dy, a, true, true);
    }
    return [da, db];
  });
  return y;
}
function usedColumnsTranspose(x) {
  const full = x.transpose();
  let used = 0;
  for (let c = 0; c < full.rows; c++) if (full.indptr[c + 1] > full.indptr[c]) used++;
  const rows = new Int32Array(used);
  const indptr = new Int32Array(used + 1);
  let k = 0;
  for (let c = 0; c < full.rows; c++) {
    if (full.indptr[c + 1] > full.indptr[c]) {
      rows[k] = c;
      indptr[k + 1] = full.indptr[c + 1];
      k++;
    }
  }
  return { rows, xt: new CSR(indptr, full.indices, full.values, [used, full.cols], false) };
}
function sparseMatmul(x, w, opts = {}) {
  if (w.rank !== 2 || w.shape[0] !== x.cols) {
    throw new Error(`matmul: CSR ${fmtShape(x.shape)} \xB7 ${fmtShape(w.shape)}: inner dimensions differ (${x.cols} vs ${w.shape[0]})`);
  }
  const be = backendOf("matmul", w);
  const y = wrap(be.spmm(x, w), [x.rows, w.shape[1]], w.dtype, be);
  recordOp("spmm", [w], y, (dy) => {
    if (opts.sparseGrad) {
      const { rows, xt } = usedColumnsTranspose(x);
      const values = wrap(be.spmm(xt, dy), [rows.length, w.shape[1]], dy.dtype, be);
      return [new RowSparse(rows, values, w.shape)];
    }
    return [wrap(be.spmm(x.transpose(), dy), w.shape, dy.dtype, be)];
  });
  return y;
}
var matmul = typed("matmul", {
  "Tensor, Tensor": (a, b) => denseMatmul(a, b),
  "Tensor, Tensor, Object": (a, b, o) => denseMatmul(a, b, o),
  "CSR, Tensor": (x, w) => sparseMatmul(x, w),
  "CSR, Tensor, Object": (x, w, o) => sparseMatmul(x, w, o)
});

// ops/gather.ts
function hostIds(ids2, rows) {
  const arr = ids2 instanceof Tensor ? ids2.rawSync() : ids2;
  for (let i = 0; i < arr.length; i++) {
    const id = arr[i];
    if (!(id >= 0 && id < rows)) {
      throw new Error(`gather: index ${id} at position ${i} is out of range for a table of ${rows} rows`);
    }
  }
  return arr;
}
function gatherImpl(table2, idsIn, opts = {}) {
  const sparseGrad = opts.sparseGrad ?? true;
  if (table2.rank < 1) throw new Error(`gather: table must have rank \u2265 1, got ${fmtShape(table2.shape)}`);
  const be = backendOf("gather", table2);
  let idsTensor;
  let ownIds = false;
  if (idsIn instanceof Tensor) {
    if (idsIn.dtype !== "int32") throw new Error(`gather: ids must be int32, got ${idsIn.dtype}`);
    idsTensor = idsIn;
  } else {
    const arr = idsIn instanceof Int32Array ? idsIn : Int32Array.from(idsIn);
    idsTensor = wrap(be.write(arr, "int32"), [arr.length], "int32", be);
    ownIds = true;
  }
  const ids2 = hostIds(idsTensor, table2.shape[0]);
  const rowShape = table2.shape.slice(1);
  const y = wrap(be.gatherRows(table2, idsTensor), [...idsTensor.shape, ...rowShape], table2.dtype, be);
  const idsRank = idsTensor.rank;
  if (ownIds) idsTensor.dispose();
  recordOp("gather", [table2], y, (dy) => {
    const flat = idsRank === 1 ? dy : wrap(be.cast(dy, dy.dtype), [ids2.length, ...rowShape], dy.dtype, be);
    if (!sparseGrad) return [wrap(be.segmentSumRows(flat, ids2, table2.shape[0]), table2.shape, dy.dtype, be)];
    const { unique, inverse } = uniqueSorted(ids2);
    const values = wrap(be.segmentSumRows(flat, inverse, unique.length), [unique.length, ...rowShape], dy.dtype, be);
    return [new RowSparse(unique, values, table2.shape)];
  });
  return y;
}
var gather = typed("gather", {
  "Tensor, Tensor | Int32Array | Array": (t, ids2) => gatherImpl(t, ids2),
  "Tensor, Tensor | Int32Array | Array, Object": (t, ids2, o) => gatherImpl(t, ids2, o)
});

// ops/nn.ts
function lastAxisCheck(op, x) {
  if (x.rank < 1) throw new Error(`${op}: needs a tensor of rank \u2265 1`);
  if (x.dtype === "int32") throw new Error(`${op}: int32 input; cast to float32 first`);
}
function softmaxRaw(x) {
  const b = backendOf("softmax", x);
  return wrap(b.softmax(x), x.shape, x.dtype, b);
}
var softmax = typed("softmax", {
  Tensor: (x) => {
    lastAxisCheck("softmax", x);
    const y = softmaxRaw(x);
    recordOp("softmax", [x], y, (dy) => {
      const last = x.rank - 1;
      const dot = reduceRaw("sum", binaryRaw("mul", dy, y), [last], true);
      return [binaryRaw("mul", y, binaryRaw("sub", dy, dot))];
    });
    return y;
  }
});
var logSoftmax = typed("logSoftmax", {
  Tensor: (x) => {
    lastAxisCheck("logSoftmax", x);
    const b = backendOf("logSoftmax", x);
    const y = wrap(b.logSoftmax(x), x.shape, x.dtype, b);
    recordOp("logSoftmax", [x], y, (dy) => {
      const total = reduceRaw("sum", dy, [x.rank - 1], true);
      return [binaryRaw("sub", dy, binaryRaw("mul", softmaxRaw(x), total))];
    });
    return y;
  }
});
var logSumExp = typed("logSumExp", {
  Tensor: (x) => {
    lastAxisCheck("logSumExp", x);
    const b = backendOf("logSumExp", x);
    const shape = x.shape.slice(0, -1);
    const y = wrap(b.logSumExp(x), shape, x.dtype, b);
    recordOp("logSumExp", [x], y, (dy) => {
      const keep2 = [...shape, 1];
      return [binaryRaw("mul", broadcastTo(dy, keep2, x.shape), softmaxRaw(x))];
    });
    return y;
  }
});

// ops/losses.ts
function alignLabels(op, pred, labels) {
  if (shapesEqual(pred.shape, labels.shape)) return labels;
  if (pred.size !== labels.size) {
    throw new Error(`${op}: predictions ${fmtShape(pred.shape)} and labels ${fmtShape(labels.shape)} have different sizes`);
  }
  return reshape(labels, pred.shape);
}
var mse = typed("mse", {
  "Tensor, Tensor": (pred, labels) => mean(square(sub(pred, alignLabels("mse", pred, labels))))
});
var bceWithLogits = typed("bceWithLogits", {
  "Tensor, Tensor": (logits, labelsIn) => {
    const labels = alignLabels("bceWithLogits", logits, labelsIn);
    const b = backendOf("bceWithLogits", logits, labels);
    const relu2 = unaryRaw("relu", logits);
    const xy = binaryRaw("mul", logits, labels);
    const tail = unaryRaw("log1p", unaryRaw("exp", unaryRaw("neg", unaryRaw("abs", logits))));
    const perElement = binaryRaw("add", binaryRaw("sub", relu2, xy), tail);
    const total = reduceRaw("sum", perElement, perElement.shape.map((_, i) => i), false);
    const n = logits.size;
    const loss = binaryRaw("div", total, scalarOn(b, n, total.dtype));
    for (const t of [relu2, xy, tail, perElement, total]) t.dispose();
    recordOp("bceWithLogits", [logits, labels], loss, (dy) => {
      const diff = binaryRaw("sub", unaryRaw("sigmoid", logits), labels);
      const scale = binaryRaw("div", dy, scalarOn(b, n, dy.dtype));
      return [binaryRaw("mul", diff, scale), null];
    });
    return loss;
  }
});
var softmaxCrossEntropy = typed("softmaxCrossEntropy", {
  "Tensor, Tensor": (logits, labels) => {
    if (logits.rank !== 2) throw new Error(`softmaxCrossEntropy: logits must be [batch, classes], got ${fmtShape(logits.shape)}`);
    const [B, C] = logits.shape;
    const b = backendOf("softmaxCrossEntropy", logits, labels);
    let target;
    if (labels.dtype === "int32") {
      if (labels.size !== B) throw new Error(`softmaxCrossEntropy: ${labels.size} labels for ${B} rows of logits`);
      const ids2 = labels.rawSync();
      const onehot = new Float32Array(B * C);
      for (let i = 0; i < B; i++) {
        const c = ids2[i];
        if (!(c >= 0 && c < C)) throw new Error(`softmaxCrossEntropy: label ${c} at row ${i} is outside [0, ${C})`);
        onehot[i * C + c] = 1;
      }
      target = wrap(b.write(storageFor(onehot, logits.dtype), logits.dtype), [B, C], logits.dtype, b);
    } else {
      if (!shapesEqual(labels.shape, logits.shape)) {
        throw new Error(`softmaxCrossEntropy: label distribution ${fmtShape(labels.shape)} must match logits ${fmtShape(logits.shape)}`);
      }
      target = labels;
    }
    const logp = wrap(b.logSoftmax(logits), logits.shape, logits.dtype, b);
    const picked = binaryRaw("mul", logp, target);
    const total = reduceRaw("sum", picked, [0, 1], false);
    const loss = binaryRaw("div", total, scalarOn(b, -B, total.dtype));
    logp.dispose();
    picked.dispose();
    total.dispose();
    recordOp("softmaxCrossEntropy", [logits], loss, (dy) => {
      const diff = binaryRaw("sub", softmaxRaw(logits), target);
      return [binaryRaw("mul", diff, binaryRaw("div", dy, scalarOn(b, B, dy.dtype)))];
    });
    return loss;
  }
});

// ops/index.ts
tensorMethods.cast = cast;
tensorMethods.reshape = reshape;

// models/nn/index.ts
var nn_exports = {};
__export(nn_exports, {
  Embedding: () => Embedding,
  Linear: () => Linear,
  Module: () => Module,
  ReLU: () => ReLU,
  Sequential: () => Sequential,
  Sigmoid: () => Sigmoid,
  Tanh: () => Tanh,
  initTensor: () => initTensor
});

// models/nn/module.ts
var Module = class {
  training = true;
  params = /* @__PURE__ */ new Map();
  buffers = /* @__PURE__ */ new Map();
  children = /* @__PURE__ */ new Map();
  /** Registers `t` as a trainable parameter called `name`. */
  addParameter(name, t) {
    const v = variable(t, name);
    this.params.set(name, v);
    return v;
  }
  /** Registers saved, untrained state. */
  addBuffer(name, t) {
    engine.keep(t);
    t.name = name;
    this.buffers.set(name, t);
    return t;
  }
  /** Replaces a buffer's tensor (e.g. a new running mean), disposing the old one. */
  setBuffer(name, t) {
    const old = this.buffers.get(name);
    if (old && old !== t) old.dispose();
    return this.addBuffer(name, t);
  }
  addModule(name, m) {
    this.children.set(name, m);
    return m;
  }
  namedParameters(prefix = "") {
    const out = [];
    for (const [n, p] of this.params) out.push([prefix + n, p]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }
  parameters() {
    return this.namedParameters().map(([, p]) => p);
  }
  namedBuffers(prefix = "") {
    const out = [];
    for (const [n, b] of this.buffers) out.push([prefix + n, b]);
    for (const [n, m] of this.children) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }
  /** Every parameter and buffer by dotted name (what checkpoints store). */
  stateDict() {
    return new Map([...this.namedParameters(), ...this.namedBuffers()]);
  }
  /** Copies values into this module's tensors; names and shapes must match exactly. */
  loadStateDict(values) {
    const own = this.stateDict();
    for (const name of own.keys()) {
      if (!values.has(name)) throw new Error(`loadStateDict: missing tensor '${name}'`);
    }
    for (const [name, v] of values) {
      const t = own.get(name);
      if (!t) throw new Error(`loadStateDict: unexpected tensor '${name}' (model has: ${[...own.keys()].join(", ")})`);
      if (v.length !== t.size) throw new Error(`loadStateDict: '${name}' has ${v.length} values, the model's ${fmtShape(t.shape)} needs ${t.size}`);
      t.backend.overwrite(t.dataId, v);
    }
  }
  namedModules(prefix = "") {
    const out = [];
    for (const [n, m] of this.children) {
      out.push([prefix + n, m]);
      out.push(...m.namedModules(`${prefix}${n}.`));
    }
    return out;
  }
  /** Training mode (dropout active, BatchNorm uses batch statistics). */
  train(mode = true) {
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }
  eval() {
    return this.train(false);
  }
  /** Frees every parameter and buffer. */
  dispose() {
    for (const [, t] of this.stateDict()) t.dispose();
  }
  /** Checks an input's trailing shape, naming the layer. */
  checkInput(layer, x, lastDim) {
    if (x.shape[x.rank - 1] !== lastDim) {
      throw new Error(`${layer}: input ${fmtShape(x.shape)} has last dimension ${x.shape[x.rank - 1]}, expected ${lastDim}`);
    }
  }
  static sameShape(a, b) {
    return shapesEqual(a, b);
  }
};

// models/nn/init.ts
function rng(seed) {
  return seed === void 0 ? stream("init") : randomStream("init", seed);
}
function initTensor(shape, init, seed) {
  const n = sizeOf(shape);
  const values = new Float32Array(n);
  if (init.kind !== "zeros") {
    const r = rng(seed);
    if (init.kind === "normal") for (let i = 0; i < n; i++) values[i] = init.std * r.normal();
    else {
      const scale = init.kind === "uniform" ? init.scale : Math.sqrt(6 / (shape[0] + (shape[1] ?? 1)));
      for (let i = 0; i < n; i++) values[i] = (2 * r.next() - 1) * scale;
    }
  }
  return tensor(values, shape, "float32");
}

// models/nn/layers.ts
var Embedding = class extends Module {
  num;
  dim;
  sparseGrad;
  weight;
  constructor(opts) {
    super();
    if (!(Number.isInteger(opts.num) && opts.num > 0 && Number.isInteger(opts.dim) && opts.dim > 0)) {
      throw new Error(`Embedding: num and dim must be positive integers, got num=${opts.num}, dim=${opts.dim}`);
    }
    this.num = opts.num;
    this.dim = opts.dim;
    this.sparseGrad = opts.sparseGrad ?? true;
    this.weight = this.addParameter("weight", initTensor([opts.num, opts.dim], opts.init ?? { kind: "normal", std: 0.01 }, opts.seed));
  }
  forward(ids2) {
    return gather(this.weight, ids2, { sparseGrad: this.sparseGrad });
  }
};
var Linear = class extends Module {
  inFeatures;
  outFeatures;
  weight;
  bias;
  sparseGrad;
  constructor(inFeatures, outFeatures, opts = {}) {
    super();
    if (!(Number.isInteger(inFeatures) && inFeatures > 0 && Number.isInteger(outFeatures) && outFeatures > 0)) {
      throw new Error(`Linear: feature sizes must be positive integers, got ${inFeatures} \u2192 ${outFeatures}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.sparseGrad = opts.sparseGrad ?? false;
    this.weight = this.addParameter("weight", initTensor([inFeatures, outFeatures], opts.init ?? { kind: "glorot" }, opts.seed));
    this.bias = opts.bias === false ? null : this.addParameter("bias", initTensor([outFeatures], { kind: "zeros" }));
  }
  forward(x) {
    let y;
    if (x instanceof CSR) {
      if (x.cols !== this.inFeatures) throw new Error(`Linear(${this.inFeatures} \u2192 ${this.outFeatures}): CSR input has ${x.cols} columns`);
      y = matmul(x, this.weight, { sparseGrad: this.sparseGrad });
    } else {
      this.checkInput(`Linear(${this.inFeatures} \u2192 ${this.outFeatures})`, x, this.inFeatures);
      y = matmul(x, this.weight);
    }
    return this.bias ? add(y, this.bias) : y;
  }
};
var ReLU = class extends Module {
  forward(x) {
    return relu(x);
  }
};
var Sigmoid = class extends Module {
  forward(x) {
    return sigmoid(x);
  }
};
var Tanh = class extends Module {
  forward(x) {
    return tanh(x);
  }
};
var Sequential = class extends Module {
  layers;
  constructor(...layers) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.addModule(String(i), m));
  }
  forward(x) {
    let h = x;
    for (const m of this.layers) h = m.forward(h);
    return h;
  }
};

// models/optim/index.ts
var optim_exports2 = {};
__export(optim_exports2, {
  AdaGrad: () => AdaGrad,
  Adam: () => Adam,
  Optimizer: () => Optimizer,
  SGD: () => SGD
});

// models/optim/optimizer.ts
var Optimizer = class {
  params;
  lr;
  weightDecay;
  lazy;
  /** number of step() calls so far */
  iterations = 0;
  state = /* @__PURE__ */ new Map();
  constructor(params, opts, defaultLr) {
    if (!Array.isArray(params) || params.length === 0) throw new Error(`${this.constructor.name}: no parameters given`);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor) || !p.requiresGrad) {
        throw new Error(`${this.constructor.name}: parameter ${i} is not a variable (use sg.variable or module.parameters())`);
      }
    });
    this.params = params;
    this.lr = opts.lr ?? defaultLr;
    this.weightDecay = opts.weightDecay ?? 0;
    this.lazy = opts.lazy ?? true;
    if (!(this.lr > 0)) throw new Error(`${this.constructor.name}: learning rate must be > 0, got ${this.lr}`);
  }
  /** A zero state tensor shaped like p, made once and kept. */
  slot(p, name) {
    let s = this.state.get(p);
    if (!s) {
      s = {};
      this.state.set(p, s);
    }
    if (!s[name]) {
      const t = new Tensor(p.backend.zeros(p.size, "float32"), p.shape, "float32", p.backend);
      t.name = `${p.name ?? "param"}.${name}`;
      s[name] = engine.keep(t);
    }
    return s[name];
  }
  /** Applies one update to every parameter that has a gradient. */
  step() {
    this.iterations++;
    for (const p of this.params) {
      const g = p.grad;
      if (!g) continue;
      const gShape = g instanceof RowSparse ? g.denseShape : g.shape;
      if (!shapesEqual(gShape, p.shape)) {
        throw new Error(`${this.constructor.name}.step: gradient ${fmtShape(gShape)} does not match parameter ${p.describe()}`);
      }
      if (g instanceof RowSparse) {
        if (this.lazy) this.updateSparse(p, g, p.backend);
        else {
          const dense = g.toDense();
          this.updateDense(p, dense, p.backend);
          dense.dispose();
        }
      } else {
        this.updateDense(p, g, p.backend);
      }
    }
  }
  /** Drops every gradient (call before the next backward). */
  zeroGrad() {
    for (const p of this.params) {
      if (p.grad) {
        (p.grad instanceof RowSparse ? p.grad.values : p.grad).dispose();
        p.grad = null;
      }
    }
  }
  /** State tensors by `${paramIndex}.${slot}` (for checkpoints). */
  stateTensors() {
    const out = /* @__PURE__ */ new Map();
    this.params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s) for (const [k, t] of Object.entries(s)) out.set(`${i}.${k}`, t);
    });
    return out;
  }
  /** Frees the state tensors. */
  dispose() {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }
};

// models/optim/sgd.ts
var SGD = class extends Optimizer {
  momentum;
  constructor(params, opts = {}) {
    super(params, opts, 0.01);
    this.momentum = opts.momentum ?? 0;
  }
  opts() {
    return { lr: this.lr, momentum: this.momentum, weightDecay: this.weightDecay };
  }
  updateDense(p, g, backend) {
    backend.sgdUpdate(p, g, this.momentum ? this.slot(p, "velocity") : null, this.opts());
  }
  updateSparse(p, g, backend) {
    backend.sparseSgdUpdate(p, g.indices, g.values, this.momentum ? this.slot(p, "velocity") : null, this.opts());
  }
};

// models/optim/adam.ts
var Adam = class extends Optimizer {
  beta1;
  beta2;
  eps;
  /** dense step count per parameter */
  steps = /* @__PURE__ */ new Map();
  /** lazy step count per row, per parameter */
  rowSteps = /* @__PURE__ */ new Map();
  constructor(params, opts = {}) {
    super(params, opts, 1e-3);
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
  }
  opts() {
    return { lr: this.lr, beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }
  updateDense(p, g, backend) {
    const t = (this.steps.get(p) ?? 0) + 1;
    this.steps.set(p, t);
    backend.adamUpdate(p, g, this.slot(p, "m"), this.slot(p, "v"), t, this.opts());
  }
  updateSparse(p, g, backend) {
    let counts = this.rowSteps.get(p);
    if (!counts) {
      counts = new Int32Array(p.shape[0]);
      this.rowSteps.set(p, counts);
    }
    const steps = new Int32Array(g.nnz);
    for (let i = 0; i < g.nnz; i++) steps[i] = ++counts[g.indices[i]];
    backend.sparseAdamUpdate(p, g.indices, g.values, this.slot(p, "m"), this.slot(p, "v"), steps, this.opts());
  }
  /** Step counts (for checkpoints): dense count and per-row counts by parameter index. */
  stepState() {
    return {
      dense: this.params.map((p) => this.steps.get(p) ?? 0),
      rows: this.params.map((p) => this.rowSteps.get(p) ?? null)
    };
  }
  loadStepState(s) {
    this.params.forEach((p, i) => {
      this.steps.set(p, s.dense[i] ?? 0);
      const r = s.rows[i];
      if (r) this.rowSteps.set(p, r.slice());
    });
  }
};

// models/optim/adagrad.ts
var AdaGrad = class extends Optimizer {
  eps;
  constructor(params, opts = {}) {
    super(params, opts, 0.01);
    this.eps = opts.eps ?? 1e-7;
  }
  opts() {
    return { lr: this.lr, eps: this.eps, weightDecay: this.weightDecay };
  }
  updateDense(p, g, backend) {
    backend.adagradUpdate(p, g, this.slot(p, "h"), this.opts());
  }
  updateSparse(p, g, backend) {
    backend.sparseAdagradUpdate(p, g.indices, g.values, this.slot(p, "h"), this.opts());
  }
};

// index.ts
engine.registerBackend("cpu", createCpuBackend, 1);
engine.registerBackend("webgl", async (options) => {
  const { createWebGLBackend: createWebGLBackend2 } = await Promise.resolve().then(() => (init_webgl(), webgl_exports));
  return createWebGLBackend2(options);
}, 2);

// ../../tmp/proto/p1.ts
function ids(n, max2, seed) {
  const a = new Int32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = s * 1103515245 + 12345 >>> 0;
    a[i] = s % max2;
  }
  return a;
}
function mk(rows, batch, dim, sparse, optName) {
  const U = new nn_exports.Embedding({ num: rows, dim, sparseGrad: sparse, seed: 1 });
  const I = new nn_exports.Embedding({ num: rows, dim, sparseGrad: sparse, seed: 2 });
  const opt = optName === "adam" ? new optim_exports2.Adam([...U.parameters(), ...I.parameters()], { lr: 1e-3 }) : new optim_exports2.SGD([...U.parameters(), ...I.parameters()], { lr: 0.01, weightDecay: 1e-4 });
  const u = keep(tensor(ids(batch, rows, 1), [batch], "int32"));
  const it = keep(tensor(ids(batch, rows, 7), [batch], "int32"));
  const y = keep(rand([batch], { seed: 3 }));
  return () => tidy(() => {
    const p = sum(mul(U.forward(u), I.forward(it)), 1);
    const l = mse(p, y);
    l.backward();
    opt.step();
    opt.zeroGrad();
  });
}
for (const [rows, batch, dim] of [[131262, 1e3, 25], [131262, 25e3, 25], [1e6, 1e3, 64]]) for (const o of ["adam", "sgd"]) {
  const res = [];
  for (const sp of [false, true]) {
    const f = mk(rows, batch, dim, sp, o);
    f();
    f();
    const t0 = performance.now();
    let n = 0;
    while (performance.now() - t0 < 1e3 || n < 3) {
      f();
      n++;
    }
    res.push(`${sp ? "sparse" : "dense"} ${((performance.now() - t0) / n).toFixed(2)}ms`);
  }
  console.log(rows, batch, dim, o, res.join("  "), JSON.stringify(memory().numTensors));
}
for (const n of [256, 512]) {
  const a = randn([n, n]);
  const b = randn([n, n]);
  const t0 = performance.now();
  tidy(() => matmul(a, b));
  const dt = performance.now() - t0;
  console.log("matmul", n, dt.toFixed(1), "ms", (2 * n ** 3 / dt / 1e6).toFixed(2), "GFLOP/s");
}
