/**
 * Sparse × dense: out[M,N] = A[M,K] (CSR, on the host) · B[K,N].
 *
 * The CSR arrays are uploaded as three storage buffers (indptr, column indices, values);
 * invocation (i, j) walks row i's stored entries: Σ_p values[p] · B[indices[p], j]. Work is
 * O(nnz · N): a user's row over 20,000 items with 200 ratings costs 200 terms, not 20,000.
 *
 * Uploads are cached on the CSR (`csr.cache`, keyed by this backend), so a batch used in
 * forward and backward is uploaded once. A CSR has no dispose(), so only the most recent
 * CACHE_ENTRIES uploads are kept and older ones freed (an evicted CSR is uploaded again).
 */
import type { CSRInfo } from '../../core/kernels.js';
import type { DType } from '../../core/dtype.js';
import type { Gpu, GpuBuffer } from './gpu.js';
import { binding, grid, input, MAIN_1D, paramsDecl, WG } from './wgsl.js';
import { finishOutput, outputBuffer, type GTensor } from './tensor.js';

const CACHE_ENTRIES = 8;

interface Upload {
  indptr: GpuBuffer;
  indices: GpuBuffer;
  values: GpuBuffer;
  freed: boolean;
}

type Cacheable = CSRInfo & { cache?: Map<string, unknown> };

export class CsrUploads {
  private recent: { csr: Cacheable; up: Upload }[] = [];
  /** bytes held by cached uploads */
  bytes = 0;

  constructor(private gpu: Gpu, private cacheKey: string) {}

  get(csr: Cacheable): Upload {
    const cached = csr.cache?.get(this.cacheKey) as Upload | undefined;
    if (cached && !cached.freed) {
      const k = this.recent.findIndex((e) => e.up === cached);
      if (k >= 0) this.recent.push(...this.recent.splice(k, 1));
      return cached;
    }
    const put = (a: Int32Array | Float32Array) => {
      const buf = this.gpu.alloc(Math.max(4, a.byteLength));
      this.gpu.upload(buf, a);
      this.bytes += buf.bytes;
      return buf;
    };
    const values = csr.values ?? new Float32Array(csr.indices.length).fill(1);
    const up: Upload = { indptr: put(csr.indptr), indices: put(csr.indices), values: put(values), freed: false };
    csr.cache?.set(this.cacheKey, up);
    this.recent.push({ csr, up });
    while (this.recent.length > CACHE_ENTRIES) this.evict(this.recent.shift()!);
    return up;
  }

  private evict(e: { csr: Cacheable; up: Upload }): void {
    e.up.freed = true;
    for (const b of [e.up.indptr, e.up.indices, e.up.values]) {
      this.bytes -= b.bytes;
      this.gpu.release(b);
    }
    e.csr.cache?.delete(this.cacheKey);
  }

  clear(): void {
    for (const e of this.recent) this.evict(e);
    this.recent = [];
  }
}

const FIELDS = [['n', 'u32'], ['N', 'u32']] as const;

export function spmm(gpu: Gpu, uploads: CsrUploads, a: CSRInfo, b: GTensor, outDtype: DType): GpuBuffer {
  const M = a.shape[0];
  const N = b.shape[1];
  const n = M * N;
  const out = outputBuffer(gpu, n, outDtype);
  if (n > 0) {
    const up = uploads.get(a);
    const k = gpu.kernel(`spmm:${b.dtype}`, () => ({
      fields: FIELDS,
      code: `${binding(0, 'ptr', 'int32')}
${binding(1, 'idx', 'int32')}
${binding(2, 'val', 'float32')}
${input(3, 'b', b.dtype)}
${binding(4, 'out', 'float32', true)}
${paramsDecl(FIELDS, 5)}
${MAIN_1D}
  if (i >= params.n) { return; }
  let r = i / params.N;
  let j = i - r * params.N;
  var acc = 0.0;
  for (var p = u32(ptr[r]); p < u32(ptr[r + 1u]); p++) { acc += val[p] * ld_b(u32(idx[p]) * params.N + j); }
  out[i] = acc;
}`,
    }));
    gpu.dispatch(k, [up.indptr, up.indices, up.values, b.buf, out], { n, N }, grid(Math.ceil(n / WG)));
  }
  return finishOutput(gpu, out, n, outDtype);
}
