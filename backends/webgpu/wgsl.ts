/**
 * WGSL building blocks shared by the kernels: how each dtype sits in a storage buffer,
 * typed loads, the kernel parameter struct, and the grid arithmetic.
 *
 * Storage: float32 is `array<f32>`, int32 `array<i32>`, float16 two halves per `u32`
 * (`unpack2x16float`), because `shader-f16` is optional (SwiftShader has none) and packed
 * halves need nothing. Kernels compute in f32. They never store float16 directly: two
 * invocations writing the two halves of one word would race, so a float16 result is
 * computed into a float32 buffer and packed by one more pass (`pack.ts`).
 *
 * Grid: a dispatch has at most 65,535 workgroups per dimension, so a big 1-D job is a 2-D
 * grid of workgroups and each kernel recovers its linear index with `linearIndex`.
 */
import type { DType } from '../../core/dtype.js';

/** Threads per workgroup for 1-D elementwise kernels. */
export const WG = 64;

export type StorageDType = 'float32' | 'int32' | 'float16';

export function storageDType(dtype: DType): StorageDType {
  if (dtype === 'float64') throw new Error('webgpu: float64 is not supported on the GPU (WGSL has no f64); it exists on the cpu backend for reference tests');
  return dtype;
}

/** Bytes a buffer of `n` elements of `dtype` needs (float16: whole 32-bit words). */
export function bufferBytes(n: number, dtype: DType): number {
  return storageDType(dtype) === 'float16' ? Math.ceil(n / 2) * 4 : n * 4;
}

const ARRAY: Record<StorageDType, string> = { float32: 'array<f32>', int32: 'array<i32>', float16: 'array<u32>' };

/** A storage binding, read-only unless `write`. */
export function binding(index: number, name: string, dtype: DType, write = false): string {
  return `@group(0) @binding(${index}) var<storage, ${write ? 'read_write' : 'read'}> ${name}: ${ARRAY[storageDType(dtype)]};`;
}

/** `fn ld_<name>(i: u32) -> f32`: element i of binding `name` as f32, whatever its dtype. */
export function loader(name: string, dtype: DType): string {
  switch (storageDType(dtype)) {
    case 'float32': return `fn ld_${name}(i: u32) -> f32 { return ${name}[i]; }`;
    case 'int32': return `fn ld_${name}(i: u32) -> f32 { return f32(${name}[i]); }`;
    case 'float16': return `fn ld_${name}(i: u32) -> f32 { return unpack2x16float(${name}[i >> 1u])[i & 1u]; }`;
  }
}

/** A storage binding plus its loader. */
export function input(index: number, name: string, dtype: DType): string {
  return `${binding(index, name, dtype)}\n${loader(name, dtype)}`;
}

/** The expression storing f32 `value` at element `i` of output `name` (float32 or int32 only). */
export function store(name: string, dtype: DType, i: string, value: string): string {
  const s = storageDType(dtype);
  if (s === 'float16') throw new Error('webgpu: kernels write float16 through a float32 buffer and pack.ts');
  return s === 'int32' ? `${name}[${i}] = i32(${value});` : `${name}[${i}] = ${value};`;
}

/** The dtype a kernel's output buffer is written in (float16 goes through float32). */
export function computeDType(dtype: DType): 'float32' | 'int32' {
  return dtype === 'int32' ? 'int32' : 'float32';
}

// ---- kernel parameters ---------------------------------------------------------------------

/** A parameter: a scalar, or `dims` — up to 8 u32 (shapes, strides) as array<vec4<u32>, 2>. */
export type ParamType = 'u32' | 'i32' | 'f32' | 'dims';
export type ParamFields = readonly (readonly [string, ParamType])[];

/** Most dimensions a shape may have on this backend. */
export const MAX_RANK = 8;

function layout(fields: ParamFields): { offsets: number[]; size: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const [, type] of fields) {
    const alignTo = type === 'dims' ? 16 : 4;
    at = Math.ceil(at / alignTo) * alignTo;
    offsets.push(at);
    at += type === 'dims' ? 32 : 4;
  }
  return { offsets, size: Math.max(16, Math.ceil(at / 16) * 16) };
}

/** `struct Params {...}` and its uniform binding at `index` (read a dims entry with `dimOf`). */
export function paramsDecl(fields: ParamFields, index: number): string {
  const members = fields.map(([name, type]) => `  ${name}: ${type === 'dims' ? 'array<vec4<u32>, 2>' : type},`).join('\n');
  return `struct Params {\n${members}\n}\n@group(0) @binding(${index}) var<uniform> params: Params;`;
}

/** The bytes of a Params struct. `dims` values take up to 8 numbers (the rest are 0). */
export function packParams(fields: ParamFields, values: Record<string, number | readonly number[]>): Uint8Array {
  const { offsets, size } = layout(fields);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  fields.forEach(([name, type], k) => {
    const v = values[name];
    if (v === undefined) throw new Error(`webgpu: kernel parameter '${name}' missing`);
    const at = offsets[k];
    if (type === 'dims') {
      const list = v as readonly number[];
      if (list.length > MAX_RANK) throw new Error(`webgpu: tensors of rank ${list.length} are not supported (at most ${MAX_RANK} dimensions)`);
      list.forEach((x, d) => view.setUint32(at + 4 * d, x, true));
    } else if (type === 'f32') view.setFloat32(at, v as number, true);
    else if (type === 'i32') view.setInt32(at, v as number, true);
    else view.setUint32(at, v as number, true);
  });
  return bytes;
}

/** WGSL reading entry `d` of a dims parameter with constant indices (no dynamic index into the uniform). */
export function dimOf(field: string, d: number): string {
  return `params.${field}[${d >> 2}][${d & 3}]`;
}

/**
 * WGSL turning linear index `index` over the dims parameter `shapeField` (of a `rank` known
 * when the kernel is built) into offsets `name = base + Σ c_d · strides_d` for each target,
 * unrolled: one division per axis, no loop and no dynamic indexing. (On SwiftShader integer
 * division is scalar per lane and dynamic uniform indexing costs more divisions: the loop
 * form made a broadcast add of 1.6M elements take 3 s.)
 */
export function stridedOffsets(index: string, shapeField: string, rank: number, targets: readonly (readonly [string, string, string])[]): string {
  const lines = [`  var rest = ${index};`, ...targets.map(([name, , base]) => `  var ${name} = ${base};`)];
  for (let d = rank - 1; d >= 0; d--) {
    const c = `c${d}`;
    if (d > 0) {
      lines.push(`  let ${c} = rest % ${dimOf(shapeField, d)};`, `  rest = rest / ${dimOf(shapeField, d)};`);
    } else {
      lines.push(`  let ${c} = rest;`);
    }
    for (const [name, strides] of targets) lines.push(`  ${name} += ${c} * ${dimOf(strides, d)};`);
  }
  return lines.join('\n');
}

// ---- grid ------------------------------------------------------------------------------------

/** Workgroups for `groups` workgroups' worth of work, as a 2-D grid within the 65,535 limit. */
export function grid(groups: number, maxPerDim = 65535): [number, number] {
  if (groups <= maxPerDim) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y];
}

/** Entry point of a 1-D kernel of WG threads: `i` is the invocation's linear index. */
export const MAIN_1D = `@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * ${WG}u;`;

/** Entry point of a workgroup-per-item kernel: `item` is the workgroup's linear index, `lid` the thread. */
export function mainPerGroup(threads: number): string {
  return `@compute @workgroup_size(${threads})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3u) {
  let item = wid.x + wid.y * nwg.x;`;
}

/**
 * WGSL helpers for IEEE special values. WGSL has no isNan/isInf (bit tests are exact), and
 * a constant expression may not be infinite or NaN, so those come from a runtime `var`.
 */
export const FLOAT_BITS = `fn is_nan(x: f32) -> bool { let b = bitcast<u32>(x); return (b & 0x7f800000u) == 0x7f800000u && (b & 0x007fffffu) != 0u; }
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn f32_inf() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }
fn f32_nan() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }`;
