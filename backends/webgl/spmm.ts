/**
 * Sparse × dense: out[M,N] = A[M,K] (CSR) · B[K,N].
 *
 * The CSR arrays are uploaded as three float textures (indptr, column indices, values) and
 * fragment (i, j) walks row i's stored entries:  Σ_p values[p] · B[indices[p], j].
 * Work is O(nnz · N): a user's 20,000-item row with 200 ratings costs 200 terms, not 20,000.
 *
 * Uploads are cached on the CSR (`csr.cache`, keyed by this backend) so a batch used for
 * forward and backward is uploaded once. A CSR has no dispose(), so the backend keeps the
 * most recent uploads only (an LRU of CACHE_ENTRIES) and frees older ones; an evicted CSR
 * that comes back is simply uploaded again.
 */
import type { CSRInfo } from '../../core/kernels.js';
import type { DType } from '../../core/dtype.js';
import { GLSL_ADDRESSING } from './layout.js';
import type { Gpu, GpuTensor } from './gpu.js';
import type { Tex } from './textures.js';

const CACHE_ENTRIES = 8;

interface Upload {
  indptr: Tex;
  indices: Tex;
  values: Tex;
  freed: boolean;
}

/** What `csr.cache` holds when the CSR is a core/csr.ts CSR (a plain CSRInfo has no cache). */
type Cacheable = CSRInfo & { cache?: Map<string, unknown> };

export class CsrUploads {
  private recent: { csr: Cacheable; up: Upload }[] = [];

  constructor(private gpu: Gpu, private cacheKey: string) {}

  get(csr: Cacheable): Upload {
    const cached = csr.cache?.get(this.cacheKey) as Upload | undefined;
    if (cached && !cached.freed) {
      // move to the most-recent end
      const k = this.recent.findIndex((e) => e.up === cached);
      if (k >= 0) this.recent.push(...this.recent.splice(k, 1));
      return cached;
    }
    const nnz = csr.indices.length;
    if (nnz >= 2 ** 24 || csr.shape[1] >= 2 ** 24) {
      throw new Error(`webgl spmm: CSR ${csr.shape[0]}×${csr.shape[1]} with ${nnz} entries is beyond the 2^24 that float32 index textures hold exactly`);
    }
    const up: Upload = {
      indptr: this.gpu.uploadFloats(csr.indptr),
      indices: this.gpu.uploadFloats(csr.indices),
      values: this.gpu.uploadFloats(csr.values),
      freed: false,
    };
    csr.cache?.set(this.cacheKey, up);
    this.recent.push({ csr, up });
    while (this.recent.length > CACHE_ENTRIES) this.evict(this.recent.shift()!);
    return up;
  }

  private evict(e: { csr: Cacheable; up: Upload }): void {
    e.up.freed = true;
    for (const t of [e.up.indptr, e.up.indices, e.up.values]) this.gpu.release(t);
    e.csr.cache?.delete(this.cacheKey);
  }

  clear(): void {
    for (const e of this.recent) this.evict(e);
    this.recent = [];
  }
}

export function spmm(gpu: Gpu, uploads: CsrUploads, a: CSRInfo, b: GpuTensor, outDtype: DType): Tex {
  const [M] = a.shape;
  const N = b.shape[1];
  const size = M * N;
  const out = gpu.output(size, outDtype);
  if (size === 0) return out;
  const up = uploads.get(a);
  const program = gpu.program('spmm', 'spmm', () => ({
    fs: `${GLSL_ADDRESSING}
uniform sampler2D PTR;
uniform sampler2D IDX;
uniform sampler2D VAL;
uniform sampler2D B;
uniform int uN;
out vec4 outColor;
void main() {
  int o = outIndex();
  if (o >= uOutSize) { outColor = vec4(0.0); return; }
  int i = idiv(o, uN);
  int j = o - i * uN;
  int p0 = int(fetch(PTR, i));
  int p1 = int(fetch(PTR, i + 1));
  int sIdx = widthShift(IDX);
  int sB = widthShift(B);
  float acc = 0.0;
  for (int p = p0; p < p1; p++) {
    int k = int(fetchAt(IDX, sIdx, p));
    acc += fetchAt(VAL, sIdx, p) * fetchAt(B, sB, k * uN + j);
  }
  outColor = vec4(store(acc));
}`,
  }));
  gpu.draw(program, out, { PTR: up.indptr, IDX: up.indices, VAL: up.values, B: b.tex, uN: N }, { size });
  return out;
}
