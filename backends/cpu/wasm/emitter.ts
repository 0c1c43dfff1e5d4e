/**
 * A tiny WebAssembly assembler: just enough of the binary format to write one module by hand
 * from TypeScript (no external toolchain, no checked-in binary).
 *
 * A module is a magic number, a version, and numbered sections; every count and size in it is
 * LEB128 (7 bits per byte, high bit = "more bytes follow"). Function bodies are a stack
 * machine: `local.get a; local.get b; i32.add` leaves a+b on the stack. The `Code` builder
 * below appends instructions by name, so the kernel generator (gemm-module.ts) reads like
 * assembly. Reference: https://webassembly.github.io/spec/core/binary/
 */

export const I32 = 0x7f;
export const V128 = 0x7b;
export const F32 = 0x7d;
export const F64 = 0x7c;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

function utf8(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}

/** A length-prefixed vector of already-encoded items. */
function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** Memory access alignment hints are log2(bytes); 2 = 4-byte, which every f32 access is. */
const ALIGN4 = 2;
const SIMD = 0xfd;

/** Instruction builder for one function body. Locals are numbered: parameters first. */
export class Code {
  readonly bytes: number[] = [];

  private op(...b: number[]): this { this.bytes.push(...b); return this; }
  private simd(code: number, ...imm: number[]): this { return this.op(SIMD, ...uleb(code), ...imm); }

  // control flow (blocks have no result type: 0x40)
  block(): this { return this.op(0x02, 0x40); }
  loop(): this { return this.op(0x03, 0x40); }
  if(): this { return this.op(0x04, 0x40); }
  else(): this { return this.op(0x05); }
  end(): this { return this.op(0x0b); }
  /** branch to the `depth`-th enclosing block (0 = innermost); to a loop it means "continue" */
  br(depth: number): this { return this.op(0x0c, ...uleb(depth)); }
  brIf(depth: number): this { return this.op(0x0d, ...uleb(depth)); }

  // locals and integers
  get(local: number): this { return this.op(0x20, ...uleb(local)); }
  set(local: number): this { return this.op(0x21, ...uleb(local)); }
  i32(value: number): this { return this.op(0x41, ...sleb(value)); }
  tee(local: number): this { return this.op(0x22, ...uleb(local)); }
  add(): this { return this.op(0x6a); }
  sub(): this { return this.op(0x6b); }
  mul(): this { return this.op(0x6c); }
  gtS(): this { return this.op(0x4a); }
  leS(): this { return this.op(0x4c); }
  eqz(): this { return this.op(0x45); }
  ltS(): this { return this.op(0x48); }
  geS(): this { return this.op(0x4e); }
  or(): this { return this.op(0x72); }
  and(): this { return this.op(0x71); }
  eq(): this { return this.op(0x46); }
  ne(): this { return this.op(0x47); }
  /** calls function `index` of the module (functions are numbered in the order given to emitModule) */
  call(index: number): this { return this.op(0x10, ...uleb(index)); }
  i32Load(offset = 0): this { return this.op(0x28, ALIGN4, ...uleb(offset)); }
  /** local += value (an i32 local and a constant or another local) */
  inc(local: number, by: { local: number } | number): this {
    this.get(local);
    if (typeof by === 'number') this.i32(by); else this.get(by.local);
    return this.add().set(local);
  }

  // float scalars
  f32Zero(): this { return this.op(0x43, 0, 0, 0, 0); }
  f32Const(value: number): this { return this.op(0x43, ...new Uint8Array(new Float32Array([value]).buffer)); }
  f32Add(): this { return this.op(0x92); }
  f32Sub(): this { return this.op(0x93); }
  f32Mul(): this { return this.op(0x94); }
  f32Div(): this { return this.op(0x95); }
  f32Sqrt(): this { return this.op(0x91); }
  f32Gt(): this { return this.op(0x5e); }
  /** NaN-propagating max */
  f32Max(): this { return this.op(0x97); }
  f32Abs(): this { return this.op(0x8b); }
  f32Neg(): this { return this.op(0x8c); }
  // f64 scalars (long sums)
  f64Load(offset = 0): this { return this.op(0x2b, 3, ...uleb(offset)); }
  f64Store(offset = 0): this { return this.op(0x39, 3, ...uleb(offset)); }
  f64PromoteF32(): this { return this.op(0xbb); }
  f64Add(): this { return this.op(0xa0); }
  f64Zero(): this { return this.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0); }
  /** [x, y, cond] → cond ? x : y */
  select(): this { return this.op(0x1b); }
  /** discards the top of the stack */
  drop(): this { return this.op(0x1a); }
  /** memory.fill (bulk memory): [dest, byte value, length] → nothing */
  memoryFill(): this { return this.op(0xfc, ...uleb(11), 0x00); }

  // memory: the address is on the stack, `offset` is a constant added to it
  f32Load(offset = 0): this { return this.op(0x2a, ALIGN4, ...uleb(offset)); }
  f32Store(offset = 0): this { return this.op(0x38, ALIGN4, ...uleb(offset)); }
  v128Load(offset = 0): this { return this.simd(0x00, ALIGN4, ...uleb(offset)); }
  v128Store(offset = 0): this { return this.simd(0x0b, ALIGN4, ...uleb(offset)); }
  /** one f32 from memory copied into all four lanes */
  load32Splat(offset = 0): this { return this.simd(0x09, ALIGN4, ...uleb(offset)); }
  v128Zero(): this { return this.simd(0x0c, ...new Array(16).fill(0)); }
  f32x4ExtractLane(lane: number): this { return this.simd(0x1f, lane); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Mul(): this { return this.simd(0xe6); }
  /** relaxed-SIMD [a, b, c] → a·b + c, fused where the hardware has FMA (not in Node 20 without a flag) */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Div(): this { return this.simd(0xe7); }
  f32x4Sqrt(): this { return this.simd(0xe3); }
  f32x4Abs(): this { return this.simd(0xe0); }
  f32x4Neg(): this { return this.simd(0xe1); }
  /** one f32 from the stack copied into all four lanes */
  f32x4Splat(): this { return this.simd(0x13); }
  /** pseudo-max: pmax(a, b) = a < b ? b : a, so pmax(0, x) is exactly JS's x > 0 ? x : 0 (NaN → 0) */
  f32x4Pmax(): this { return this.simd(0xeb); }
  /** lane-wise a > b → all-ones or all-zeros lanes, a mask for v128And */
  f32x4Gt(): this { return this.simd(0x44); }
  v128And(): this { return this.simd(0x4e); }
  /** a & ~b */
  v128AndNot(): this { return this.simd(0x4f); }
  /** four lanes of the same f32 constant */
  f32x4Const(value: number): this {
    const lane = [...new Uint8Array(new Float32Array([value]).buffer)];
    return this.simd(0x0c, ...lane, ...lane, ...lane, ...lane);
  }
  /** NaN-propagating lane-wise min / max */
  f32x4Min(): this { return this.simd(0xe8); }
  f32x4Max(): this { return this.simd(0xe9); }
  /** round to nearest, ties to even */
  f32x4Nearest(): this { return this.simd(0x6a); }
  f32x4Lt(): this { return this.simd(0x43); }
  i32x4Add(): this { return this.simd(0xae); }
  /** [v, count] → each lane shifted left by count (an i32) */
  i32x4Shl(): this { return this.simd(0xab); }
  /** float lanes → int lanes, truncating (saturating; NaN → 0) */
  i32x4TruncSatF32x4S(): this { return this.simd(0xf8); }
}

/** Numbers a function's extra locals after its parameters, and remembers their types. */
export class Locals {
  readonly types: ValType[] = [];
  constructor(private readonly numParams: number) {}
  i32(): number { return this.add(I32); }
  f32(): number { return this.add(F32); }
  f64(): number { return this.add(F64); }
  v128(): number { return this.add(V128); }
  add(t: ValType): number { this.types.push(t); return this.numParams + this.types.length - 1; }
}

export interface FunctionDef {
  name: string;
  params: ValType[];
  /** extra locals, in order after the parameters */
  locals: ValType[];
  body: Code;
}

/**
 * A module importing its memory as env.memory (so the caller owns and grows it, and can
 * share it between threads) and exporting the given functions, none of which return values.
 */
export function emitModule(fns: FunctionDef[], memory: { shared: boolean; maxPages: number }): Uint8Array<ArrayBuffer> {
  const types = fns.map((f) => [0x60, ...vec(f.params.map((p) => [p])), ...uleb(0)]);
  // limits: flag 1 = min and max, flag 3 = min, max and shared
  const limits = [memory.shared ? 0x03 : 0x01, ...uleb(1), ...uleb(memory.maxPages)];
  const name = (s: string) => [...uleb(utf8(s).length), ...utf8(s)];
  const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]]);
  const funcs = vec(fns.map((_, i) => uleb(i)));
  const exports = vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const bodies = vec(fns.map((f) => {
    const locals = vec(f.locals.map((t) => [...uleb(1), t]));
    const body = [...locals, ...f.body.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }));
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, bodies),
  ]);
}
