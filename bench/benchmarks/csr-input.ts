/**
 * Dense vs CSR input for a user-row model (issue 3; the Mult-VAE case study's 12.5×). A
 * user's row over 20,000 items at 1% density has 200 entries; densified it is 20,000
 * floats, and the first layer's product and weight gradient scale with that width.
 *
 * Two comparisons: the input layer alone (what the input format changes), and the whole
 * autoencoder step with a dense decoder back to all items — whose cost is the same on both
 * sides, so it bounds the end-to-end ratio (Amdahl) however fast the sparse input is.
 */
import type { BenchCase, Benchmark, BenchContext, Comparison, SizeMode } from '../types.js';
import { multVAEStep, userRowStep } from './workloads.js';

const SEED_VAE = { seedRatio: 12.5, source: 'Mult-VAE case study, sparse input (MXNet, GPU)' };

function cases(size: SizeMode): BenchCase[] {
  const mk = (part: 'input-layer' | 'autoencoder', items: number, batch: number, hidden: number): BenchCase => ({
    id: `${part},items=${items},batch=${batch},hidden=${hidden}`,
    label: `${items.toLocaleString('en-US')} items 1%, batch ${batch}, hidden ${hidden}`,
    params: { part, items, batch, hidden, density: 0.01 },
    items: batch,
    itemUnit: 'users',
    repeats: part === 'autoencoder' && size === 'full' ? { minRounds: 3, warmup: 1 } : undefined,
  });
  const vae = (items: number, batch: number, hidden: number, latent: number): BenchCase => ({
    id: `mult-vae,items=${items},batch=${batch},hidden=${hidden},latent=${latent}`,
    label: `Mult-VAE ${items.toLocaleString('en-US')} items 1%, batch ${batch}, ${hidden}-${latent}`,
    params: { part: 'mult-vae', items, batch, hidden, latent, density: 0.01 },
    items: batch,
    itemUnit: 'users',
    repeats: size === 'full' ? { minRounds: 3, warmup: 1 } : undefined,
  });
  if (size === 'tiny') return [mk('input-layer', 1000, 8, 16), mk('autoencoder', 1000, 8, 16), vae(1000, 8, 16, 8)];
  // the dense batch-500 input layer takes ~16 s per step on this CPU (and ~30 s on software
  // WebGL): batch 100 keeps CI in minutes with about the same ratio
  if (size === 'quick') return [mk('input-layer', 20000, 100, 600), mk('autoencoder', 20000, 16, 200), vae(20000, 100, 600, 200)];
  // The decoder's [batch, hidden]·[hidden, 20000] product dominates the full step: at the
  // VAE's batch 500 and hidden 600 that is 6·10⁹ multiply-adds per product on this CPU.
  return [
    mk('input-layer', 20000, 500, 600), mk('input-layer', 20000, 100, 600),
    mk('autoencoder', 20000, 64, 600), mk('autoencoder', 20000, 16, 200),
    vae(20000, 500, 600, 200),
  ];
}

function comparison(part: 'input-layer' | 'autoencoder', title: string): Comparison {
  const side = (input: 'dense' | 'csr') => ({
    label: input,
    setup: (c: BenchCase, ctx: BenchContext) => userRowStep({
      items: c.params.items as number, batch: c.params.batch as number, hidden: c.params.hidden as number,
      density: c.params.density as number, input, decoder: part === 'autoencoder',
    }, ctx),
  });
  return {
    id: part,
    title,
    sides: [side('dense'), side('csr')],
    appliesTo: (c) => c.params.part === part,
    // the 10× target is the input format's: the input layer; a whole step also runs the
    // dense decoder back to every item on both sides, which bounds its ratio (Amdahl)
    reference: (c) => (part === 'input-layer' && c.params.items === 20000 ? { targetRatio: 10, ...SEED_VAE } : SEED_VAE),
  };
}

export const csrInput: Benchmark = {
  name: 'csr-input',
  description: 'User-row model step with 1%-dense rows: the batch densified to [batch, items] and multiplied densely '
    + '(dense weight gradient) vs the CSR batch through spmm (RowSparse weight gradient, lazy Adam). Speedup = dense / csr.',
  cases,
  comparisons: [
    comparison('input-layer', 'Input layer (items → hidden, tanh): dense vs CSR input'),
    comparison('autoencoder', 'Autoencoder step (items → hidden → items, multinomial likelihood): dense vs CSR input'),
    {
      id: 'mult-vae',
      title: 'Mult-VAE step (models/vae.ts, 600-200, −ELBO, Adam): densified vs CSR input',
      sides: (['dense', 'csr'] as const).map((input) => ({
        label: input,
        setup: (c: BenchCase, ctx: BenchContext) => multVAEStep({
          items: c.params.items as number, batch: c.params.batch as number, hidden: c.params.hidden as number,
          latent: c.params.latent as number, density: c.params.density as number, input,
        }, ctx),
      })),
      appliesTo: (c) => c.params.part === 'mult-vae',
      reference: () => SEED_VAE,
    },
  ],
};
