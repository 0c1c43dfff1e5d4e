/**
 * Dense vs row-sparse embedding gradients (issue 3). The project's reason to exist: a
 * batch of 1,000 ratings touches ~2,000 of 262,524 table rows, yet a dense gradient makes
 * every step pay for all of them — a [rows, dim] zero-filled gradient plus an optimizer
 * pass over every row. Row-sparse gradients with lazy updates pay O(batch · dim).
 */
import type { BenchCase, Benchmark, BenchContext, Comparison, SizeMode } from '../types.js';
import { embeddingStep, type OptimizerKind } from './workloads.js';

const ML20M_ITEMS = 131262;

function grid(size: SizeMode): { rows: number[]; batch: number[]; dim: number[] } {
  if (size === 'tiny') return { rows: [2000], batch: [64], dim: [8] };
  if (size === 'quick') return { rows: [ML20M_ITEMS], batch: [1000], dim: [25] };
  return { rows: [10000, ML20M_ITEMS, 1000000], batch: [1000, 25000], dim: [25, 64] };
}

function cases(size: SizeMode): BenchCase[] {
  const g = grid(size);
  const out: BenchCase[] = [];
  for (const dim of g.dim) {
    for (const batch of g.batch) {
      for (const rows of g.rows) {
        out.push({
          id: `rows=${rows},batch=${batch},dim=${dim}`,
          label: `${rows.toLocaleString('en-US')} rows, batch ${batch.toLocaleString('en-US')}, dim ${dim}`,
          params: { rows, batch, dim },
          items: batch,
          // a dense 1M × 64 Adam step takes seconds: fewer rounds are enough to see a 100× gap
          repeats: size === 'full' && rows >= 1000000 ? { minRounds: 3, warmup: 1 } : undefined,
        });
      }
    }
  }
  return out;
}

function comparison(kind: OptimizerKind, title: string): Comparison {
  const side = (sparse: boolean) => ({
    label: sparse ? 'sparse' : 'dense',
    setup: (c: BenchCase, ctx: BenchContext) => embeddingStep({
      users: c.params.rows as number, items: c.params.rows as number, dim: c.params.dim as number,
      batch: c.params.batch as number, sparse, optimizer: kind,
    }, ctx),
  });
  return {
    id: kind,
    title,
    sides: [side(false), side(true)],
    reference: (c) => (c.params.rows === ML20M_ITEMS && c.params.batch === 1000
      ? { targetRatio: 10, seedRatio: 1.5, source: 'MXNet row_sparse + lazy_update (music embeddings post)' }
      : { seedRatio: 1.5, source: 'MXNet row_sparse + lazy_update (music embeddings post)' }),
  };
}

export const sparseGrad: Benchmark = {
  name: 'sparse-grad',
  description: 'Embedding-model training step (user and item tables of `rows` rows each, dot product, MSE): '
    + 'dense gradient + dense update vs RowSparse gradient + lazy update. Speedup = dense / sparse.',
  cases,
  comparisons: [
    comparison('adam', 'Lazy Adam: dense vs row-sparse gradient'),
    comparison('sgd-wd', 'SGD + weight decay: dense vs row-sparse gradient'),
  ],
  charts: [
    { id: 'adam-rows', title: 'Adam step time vs table rows (batch 1000, dim 25)', comparison: 'adam', x: 'rows', y: 'time', where: { batch: 1000, dim: 25 } },
  ],
};
