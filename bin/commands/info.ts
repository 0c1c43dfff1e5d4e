/** `sparsegrad info`: version, backends, GL renderer; with --data a data set's storage report. */
import * as sg from '../../index.js';
import { describe, formatStats } from '../../datasets/describe.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { loadData, SCALES } from '../data.js';
import { common } from '../common-options.js';
import { print } from '../format.js';

export const INFO: CommandSpec = {
  name: 'info',
  summary: 'library version, backends, GL renderer and extensions; --data prints a data set\'s storage report',
  examples: [
    ['sparsegrad info', 'version, backends, and the WebGL renderer and extensions (or why there is no context)'],
    ['sparsegrad info --data synthetic --scale ml20m', 'also the ML-20M-shaped data set: counts, sparsity, dense vs CSR bytes'],
  ],
  options: [
    { name: 'data', type: 'string', help: "'synthetic' or a MovieLens / Netflix directory" },
    { name: 'format', type: 'string', choices: ['movielens', 'netflix'], default: 'movielens', help: 'format of --data' },
    { name: 'scale', type: 'string', choices: SCALES, default: 'small', help: 'size of the synthetic data set' },
    { name: 'skip-bad-lines', type: 'flag', help: 'skip (and count) malformed lines in the data files' },
    common.help,
  ],
};

export async function info(a: ParsedArgs): Promise<void> {
  const lines = await sg.info();
  console.log(lines);
  if (a.data) {
    const d = await loadData(a.data as string, a.scale as string, 0, a.format as string, { skipBadLines: !!a['skip-bad-lines'] });
    print(formatStats(describe(d)));
  }
}

