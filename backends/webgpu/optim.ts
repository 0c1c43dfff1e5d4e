/**
 * Fused optimizer updates, in place on the weight and its state buffers.
 *
 * Storage buffers can be read and written by the same invocation, so an Adam step is one
 * dispatch that updates w, m and v together (WebGL needed a pass per output texture). The
 * row-sparse (lazy) update is the same arithmetic over only the touched rows: invocation
 * (i, j) updates element j of row rows[i] — **one dispatch whatever the number of rows**,
 * with the row list (and, for Adam, each row's step count) uploaded as one buffer.
 * The dense and sparse kernels share one WGSL function per optimizer, so a row both touch
 * gets the same result.
 */
import type { Gpu } from './gpu.js';
import { binding, grid, input, MAIN_1D, paramsDecl, WG, type ParamFields } from './wgsl.js';
import { uploadInts } from './rows.js';
import { ACCURATE_MATH } from './math.js';
import type { GTensor } from './tensor.js';

export type OptimizerKind = 'sgd' | 'sgdMomentum' | 'adam' | 'adagrad';

/** The state buffers each optimizer keeps besides the weight. */
const STATE: Record<OptimizerKind, string[]> = { sgd: [], sgdMomentum: ['vel'], adam: ['m', 'v'], adagrad: ['h'] };

/** Per-element update of weight index `s` from gradient index `gi`; `c1`, `c2` are Adam's corrections. */
const UPDATE: Record<OptimizerKind, string> = {
  sgd: `fn update(s: u32, gi: u32, c1: f32, c2: f32) {
  w[s] = w[s] - params.lr * (ld_g(gi) + params.wd * w[s]);
}`,
  sgdMomentum: `fn update(s: u32, gi: u32, c1: f32, c2: f32) {
  let g = ld_g(gi) + params.wd * w[s];
  vel[s] = params.momentum * vel[s] + g;
  w[s] = w[s] - params.lr * vel[s];
}`,
  adam: `fn update(s: u32, gi: u32, c1: f32, c2: f32) {
  let g = ld_g(gi) + params.wd * w[s];
  let mk = params.beta1 * m[s] + params.oneMinusBeta1 * g;
  let vk = params.beta2 * v[s] + params.oneMinusBeta2 * g * g;
  m[s] = mk;
  v[s] = vk;
  w[s] = w[s] - (params.lr * (mk / c1)) / (sqrt(vk / c2) + params.eps);
}`,
  adagrad: `fn update(s: u32, gi: u32, c1: f32, c2: f32) {
  let g = ld_g(gi) + params.wd * w[s];
  h[s] = h[s] + g * g;
  w[s] = w[s] - (params.lr * g) / (sqrt(h[s]) + params.eps);
}`,
};

/**
 * 1 − β and ln β are computed here in float64: in float32, 1 − 0.999 is 0.00099999 (β itself
 * rounds to 0.99900001), which would make v 1.3e-5 smaller than the CPU's.
 */
const FIELDS: ParamFields = [
  ['n', 'u32'], ['width', 'u32'], ['lr', 'f32'], ['wd', 'f32'], ['momentum', 'f32'],
  ['beta1', 'f32'], ['beta2', 'f32'], ['oneMinusBeta1', 'f32'], ['oneMinusBeta2', 'f32'],
  ['lnBeta1', 'f32'], ['lnBeta2', 'f32'], ['eps', 'f32'], ['c1', 'f32'], ['c2', 'f32'],
];

interface Hyper {
  lr: number;
  weightDecay: number;
  momentum?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

function paramsOf(h: Hyper, n: number, width: number, c1: number, c2: number): Record<string, number> {
  const b1 = h.beta1 ?? 0.5;
  const b2 = h.beta2 ?? 0.5;
  return {
    n, width, lr: h.lr, wd: h.weightDecay, momentum: h.momentum ?? 0, beta1: b1, beta2: b2,
    oneMinusBeta1: 1 - b1, oneMinusBeta2: 1 - b2, lnBeta1: Math.log(b1), lnBeta2: Math.log(b2), eps: h.eps ?? 0, c1, c2,
  };
}

/** Dense update over every element of w. */
export function denseUpdate(gpu: Gpu, kind: OptimizerKind, w: GTensor, grad: GTensor, state: GTensor[], hyper: Hyper, step = 1): void {
  const n = w.size;
  if (n === 0) return;
  const names = STATE[kind];
  const k = gpu.kernel(`update:${kind}:dense:${grad.dtype}`, () => ({
    fields: FIELDS,
    code: `${binding(0, 'w', 'float32', true)}
${input(1, 'g', grad.dtype)}
${names.map((s, i) => binding(2 + i, s, 'float32', true)).join('\n')}
${paramsDecl(FIELDS, 2 + names.length)}
${UPDATE[kind]}
${MAIN_1D}
  if (i >= params.n) { return; }
  update(i, i, params.c1, params.c2);
}`,
  }));
  // Adam's bias corrections, computed here in float64 as the CPU backend does
  const c1 = kind === 'adam' ? 1 - Math.pow(hyper.beta1!, step) : 1;
  const c2 = kind === 'adam' ? 1 - Math.pow(hyper.beta2!, step) : 1;
  gpu.dispatch(k, [w.buf, grad.buf, ...state.map((s) => s.buf)], paramsOf(hyper, n, 1, c1, c2), grid(Math.ceil(n / WG)));
}

/**
 * Lazy update of rows `rows` (sorted, unique) only; grad is [rows.length, width]. For Adam,
 * `rowSteps[i]` is row rows[i]'s own step count, and its corrections 1 − β^t are computed
 * per row in the kernel.
 */
export function sparseUpdate(gpu: Gpu, kind: OptimizerKind, w: GTensor, rows: Int32Array, grad: GTensor, state: GTensor[],
  hyper: Hyper, width: number, rowSteps: Int32Array | null = null): void {
  const n = rows.length * width;
  if (n === 0) return;
  const names = STATE[kind];
  const adam = kind === 'adam';
  const stateAt = 3;
  const k = gpu.kernel(`update:${kind}:sparse:${grad.dtype}`, () => ({
    fields: FIELDS,
    code: `${binding(0, 'w', 'float32', true)}
${input(1, 'g', grad.dtype)}
${binding(2, 'rows', 'int32')}
${names.map((s, i) => binding(stateAt + i, s, 'float32', true)).join('\n')}
${paramsDecl(FIELDS, stateAt + names.length)}
${adam ? ACCURATE_MATH : ''}
${UPDATE[kind]}
${MAIN_1D}
  if (i >= params.n) { return; }
  let r = i / params.width;
  let j = i - r * params.width;
${adam ? `  // 1 − β^t = −expm1(t·ln β), exact to float32 rounding even at t = 1
  let t = f32(rows[params.n / params.width + r]);
  let c1 = -expm1_(t * params.lnBeta1);
  let c2 = -expm1_(t * params.lnBeta2);` : '  let c1 = 1.0;\n  let c2 = 1.0;'}
  update(u32(rows[r]) * params.width + j, i, c1, c2);
}`,
  }));
  // one upload: the rows, then (Adam) their step counts
  let ids = rows;
  if (adam) {
    ids = new Int32Array(2 * rows.length);
    ids.set(rows);
    ids.set(rowSteps!, rows.length);
  }
  const rowBuf = uploadInts(gpu, ids);
  gpu.dispatch(k, [w.buf, grad.buf, rowBuf, ...state.map((s) => s.buf)], paramsOf(hyper, n, width, 1, 1), grid(Math.ceil(n / WG)));
  gpu.release(rowBuf);
}

