/**
 * How step time scales (issue 8). With dense gradients a step costs O(rows · dim) — it
 * grows linearly with the catalog; with row-sparse gradients it costs O(batch · dim) and
 * stays flat as the catalog grows, growing with the batch instead. Two sweeps, drawn as
 * curves: catalog size at a fixed batch, and batch size at ML-20M's item count.
 */
import type { BenchCase, Benchmark, BenchContext, Comparison, SizeMode } from '../types.js';
import { embeddingStep } from './workloads.js';

const DIM = 25;
const CATALOG_BATCH = 1000;
const BATCH_ROWS = 131262;

function cases(size: SizeMode, backend = 'cpu'): BenchCase[] {
  // a dense 1M-row step takes ~9 s on software WebGL: quick mode stops at 300k there
  const quickCatalog = backend === 'cpu' ? [10000, 100000, 1000000] : [10000, 100000, 300000];
  const catalog = size === 'tiny' ? [500, 5000] : size === 'quick' ? quickCatalog : [10000, 30000, 100000, 300000, 1000000];
  const batches = size === 'tiny' ? [16, 128] : size === 'quick' ? [250, 5000, 25000] : [250, 1000, 5000, 25000];
  const batchRows = size === 'tiny' ? 5000 : BATCH_ROWS;
  const catalogBatch = size === 'tiny' ? 64 : CATALOG_BATCH;
  const mk = (sweep: string, rows: number, batch: number): BenchCase => ({
    id: `${sweep}:rows=${rows},batch=${batch}`,
    label: `${rows.toLocaleString('en-US')} rows, batch ${batch.toLocaleString('en-US')}`,
    params: { sweep, rows, batch, dim: DIM },
    items: batch,
    repeats: rows >= 1000000 ? { minRounds: 3 } : undefined,
  });
  return [
    ...catalog.map((rows) => mk('catalog', rows, catalogBatch)),
    ...batches.map((batch) => mk('batch', batchRows, batch)),
  ];
}

const comparison: Comparison = {
  id: 'adam',
  title: 'Adam step, dense vs row-sparse gradient, as the catalog and the batch grow',
  sides: (['dense', 'sparse'] as const).map((label) => ({
    label,
    setup: (c: BenchCase, ctx: BenchContext) => embeddingStep({
      users: c.params.rows as number, items: c.params.rows as number, dim: c.params.dim as number,
      batch: c.params.batch as number, sparse: label === 'sparse', optimizer: 'adam',
    }, ctx),
  })),
};

export const scaling: Benchmark = {
  name: 'scaling',
  description: `Embedding-model Adam step (dim ${DIM}) as the tables grow (batch ${CATALOG_BATCH}) and as the batch grows `
    + `(${BATCH_ROWS.toLocaleString('en-US')} rows): sparse should stay flat in the catalog, dense grow linearly.`,
  cases,
  comparisons: [comparison],
  charts: [
    { id: 'catalog', title: 'Step time vs catalog size (rows per table)', comparison: 'adam', x: 'rows', y: 'time', where: { sweep: 'catalog' } },
    { id: 'batch', title: 'Throughput vs batch size', comparison: 'adam', x: 'batch', y: 'throughput', where: { sweep: 'batch' } },
  ],
};
