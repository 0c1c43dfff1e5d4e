/**
 * Fused optimizer updates (accelerations; the references are models/optim/*Maths), with
 * exactly the arithmetic of backends/cpu/sgd.ts, adam.ts and adagrad.ts:
 *   SGD:     g' = g + wd·w;  v = μ·v + g' (with momentum);  w −= lr·(v or g')
 *   Adam:    g' = g + wd·w;  m = β1·m + (1−β1)·g';  v = β2·v + (1−β2)·g'²;
 *            w −= lr·(m/c1) / (√(v/c2) + ε),   c1 = 1 − β1^t, c2 = 1 − β2^t
 *   AdaGrad: g' = g + wd·w;  h += g'²;  w −= lr·g' / (√h + ε)
 * The bias corrections c1, c2 are computed on the host in float64 (per touched row for
 * lazy Adam): 1 − 0.999^t in float32 on the GPU would lose 4 digits for small t.
 *
 * One program per (optimizer, which output): a fragment computes the whole update and
 * writes one of w / m / v. (Several outputs per draw would need drawBuffers, which
 * headless-gl 9.0.0-rc.10 mis-forwards for COLOR_ATTACHMENT1+.)
 *   dense:  each output is rendered into a new texture, reading the old ones, and the new
 *           textures are swapped into the tensors' handles afterwards;
 *   sparse: old values of the touched rows are gathered first, then each output draws
 *           only those rows into the tensor's own texture (rows.ts, drawRows).
 */
import type { AdaGradOptions, AdamOptions, SGDOptions } from '../../core/kernels.js';
import { GLSL_ADDRESSING } from './layout.js';
import { gatherRowsTex, drawRows, ROW_FS_PREAMBLE, ROW_LINES_VS } from './rows.js';
import type { Binding, Gpu, GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';

type Slot = 'w' | 'm' | 'v' | 'h' | 'vel';

interface Rule {
  name: string;
  /** every tensor the update reads besides g (w first) */
  reads: Slot[];
  /** GLSL computing `new_<slot>` for every slot in `reads` (locals w, g, m, … hold the old values) */
  body: string;
  /** scalar uniforms the body uses */
  uniforms: string[];
  /** per-row constants: names read from a [rows, k] texture in sparse mode, uniforms in dense mode */
  perRow?: string[];
}

const SGD_PLAIN: Rule = {
  name: 'sgd',
  reads: ['w'],
  body: 'float new_w = w - uLr * (g + uWd * w);',
  uniforms: ['uLr', 'uWd'],
};

const SGD_MOMENTUM: Rule = {
  name: 'sgdMomentum',
  reads: ['w', 'vel'],
  body: `float gi = g + uWd * w;
  float new_vel = uMomentum * vel + gi;
  float new_w = w - uLr * new_vel;`,
  uniforms: ['uLr', 'uWd', 'uMomentum'],
};

const ADAM: Rule = {
  name: 'adam',
  reads: ['w', 'm', 'v'],
  body: `float gi = g + uWd * w;
  float new_m = uBeta1 * m + (1.0 - uBeta1) * gi;
  float new_v = uBeta2 * v + (1.0 - uBeta2) * gi * gi;
  float new_w = w - (uLr * (new_m / c1)) / (sqrt(new_v / c2) + uEps);`,
  uniforms: ['uLr', 'uWd', 'uBeta1', 'uBeta2', 'uEps'],
  perRow: ['c1', 'c2'],
};

const ADAGRAD: Rule = {
  name: 'adagrad',
  reads: ['w', 'h'],
  body: `float gi = g + uWd * w;
  float new_h = h + gi * gi;
  float new_w = w - (uLr * gi) / (sqrt(new_h) + uEps);`,
  uniforms: ['uLr', 'uWd', 'uEps'],
};

function declarations(rule: Rule, sparse: boolean): string {
  const samplers = [...rule.reads, 'g'].map((s) => `uniform sampler2D T_${s};`).join('\n');
  const scalars = rule.uniforms.map((u) => `uniform float ${u};`).join('\n');
  const perRow = rule.perRow ?? [];
  const rowConsts = sparse
    ? (perRow.length ? 'uniform sampler2D T_rowConst;\nuniform int uD;' : '')
    : perRow.map((c) => `uniform float u_${c};`).join('\n');
  return `${samplers}\n${scalars}\n${rowConsts}\nout vec4 outColor;\n`;
}

function loads(rule: Rule, sparse: boolean): string {
  const perRow = rule.perRow ?? [];
  const reads = [...rule.reads, 'g'].map((s) => `  float ${s} = fetch(T_${s}, idx);`).join('\n');
  const consts = perRow.map((c, k) => sparse
    ? `  float ${c} = fetch(T_rowConst, idiv(idx, uD) * ${perRow.length} + ${k});`
    : `  float ${c} = u_${c};`).join('\n');
  return `${reads}\n${consts}`;
}

function program(gpu: Gpu, rule: Rule, out: Slot, sparse: boolean) {
  const kernel = `${sparse ? 'sparse' : 'dense'}:${rule.name}`;
  return gpu.program(`optim:${kernel}:${out}`, kernel, () => sparse
    ? {
      vs: ROW_LINES_VS,
      fs: `${ROW_FS_PREAMBLE}${declarations(rule, true)}
void main() {
  int idx = gatheredIndex();
${loads(rule, true)}
  ${rule.body}
  outColor = vec4(store(new_${out}));
}`,
    }
    : {
      fs: `${GLSL_ADDRESSING}${declarations(rule, false)}
void main() {
  int idx = outIndex();
  if (idx >= uOutSize) { outColor = vec4(0.0); return; }
${loads(rule, false)}
  ${rule.body}
  outColor = vec4(store(new_${out}));
}`,
    });
}

type Tensors = Partial<Record<Slot, GpuTensor>>;

/** Dense: new textures for every slot, computed from the old ones, then swapped in. */
function denseUpdate(gpu: Gpu, rule: Rule, tensors: Tensors, grad: GpuTensor, scalars: Record<string, number>,
  swap: (slot: Slot, tex: Tex) => void): void {
  const bindings: Record<string, Binding> = { ...scalars, T_g: grad.tex };
  for (const s of rule.reads) bindings[`T_${s}`] = tensors[s]!.tex;
  const fresh: [Slot, Tex][] = [];
  for (const s of rule.reads) {
    const t = tensors[s]!;
    const out = gpu.output(t.size, t.dtype);
    gpu.draw(program(gpu, rule, s, false), out, bindings, { size: t.size });
    fresh.push([s, out]);
  }
  for (const [s, tex] of fresh) swap(s, tex);
}

/** Sparse: gather the old touched rows, then draw only those rows of each slot in place. */
function sparseUpdate(gpu: Gpu, rule: Rule, tensors: Tensors, rows: Int32Array, grad: GpuTensor,
  scalars: Record<string, number>, rowConst: Float32Array | null): void {
  const w = tensors.w!;
  const width = w.shape.slice(1).reduce((a, b) => a * b, 1);
  if (rows.length === 0 || width === 0) return;
  const rowsTex = gpu.uploadFloats(rows);
  const temps: Tex[] = [rowsTex];
  const bindings: Record<string, Binding> = { ...scalars, T_g: grad.tex, uD: width };
  for (const s of rule.reads) {
    const t = tensors[s]!;
    const old = gatherRowsTex(gpu, t.tex, t.dtype, rowsTex, rows.length, width);
    bindings[`T_${s}`] = old;
    temps.push(old);
  }
  if (rowConst) {
    const c = gpu.uploadFloats(rowConst);
    bindings.T_rowConst = c;
    temps.push(c);
  }
  for (const s of rule.reads) {
    const t = tensors[s]!;
    drawRows(gpu, program(gpu, rule, s, true), t.tex, rows, width, bindings);
  }
  for (const t of temps) gpu.release(t);
}

export type Swap = (slot: Slot, tex: Tex) => void;

function sgdRule(velocity: GpuTensor | null): Rule {
  return velocity ? SGD_MOMENTUM : SGD_PLAIN;
}

function sgdScalars(o: SGDOptions): Record<string, number> {
  return { uLr: o.lr, uWd: o.weightDecay, uMomentum: o.momentum };
}

function adamScalars(o: AdamOptions): Record<string, number> {
  return { uLr: o.lr, uWd: o.weightDecay, uBeta1: o.beta1, uBeta2: o.beta2, uEps: o.eps };
}

export function sgdDense(gpu: Gpu, w: GpuTensor, g: GpuTensor, vel: GpuTensor | null, o: SGDOptions, swap: Swap): void {
  denseUpdate(gpu, sgdRule(vel), { w, vel: vel ?? undefined }, g, sgdScalars(o), swap);
}

export function sgdSparse(gpu: Gpu, w: GpuTensor, rows: Int32Array, g: GpuTensor, vel: GpuTensor | null, o: SGDOptions): void {
  sparseUpdate(gpu, sgdRule(vel), { w, vel: vel ?? undefined }, rows, g, sgdScalars(o), null);
}

export function adamDense(gpu: Gpu, w: GpuTensor, g: GpuTensor, m: GpuTensor, v: GpuTensor, step: number, o: AdamOptions, swap: Swap): void {
  const scalars = { ...adamScalars(o), u_c1: 1 - Math.pow(o.beta1, step), u_c2: 1 - Math.pow(o.beta2, step) };
  denseUpdate(gpu, ADAM, { w, m, v }, g, scalars, swap);
}

export function adamSparse(gpu: Gpu, w: GpuTensor, rows: Int32Array, g: GpuTensor, m: GpuTensor, v: GpuTensor,
  rowSteps: Int32Array, o: AdamOptions): void {
  const consts = new Float32Array(rows.length * 2);
  for (let i = 0; i < rows.length; i++) {
    consts[2 * i] = 1 - Math.pow(o.beta1, rowSteps[i]);
    consts[2 * i + 1] = 1 - Math.pow(o.beta2, rowSteps[i]);
  }
  sparseUpdate(gpu, ADAM, { w, m, v }, rows, g, adamScalars(o), consts);
}

export function adagradDense(gpu: Gpu, w: GpuTensor, g: GpuTensor, h: GpuTensor, o: AdaGradOptions, swap: Swap): void {
  denseUpdate(gpu, ADAGRAD, { w, h }, g, { uLr: o.lr, uWd: o.weightDecay, uEps: o.eps }, swap);
}

export function adagradSparse(gpu: Gpu, w: GpuTensor, rows: Int32Array, g: GpuTensor, h: GpuTensor, o: AdaGradOptions): void {
  sparseUpdate(gpu, ADAGRAD, { w, h }, rows, g, { uLr: o.lr, uWd: o.weightDecay, uEps: o.eps }, null);
}
