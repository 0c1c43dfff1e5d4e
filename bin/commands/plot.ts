/** `sparsegrad plot metrics.jsonl`: training and validation curves from a metrics log, as SVG. */
import { readFileSync, writeFileSync } from 'node:fs';
import * as sg from '../../index.js';
import { UsageError, type CommandSpec, type ParsedArgs } from '../args.js';
import { common } from '../common-options.js';
import { print } from '../format.js';

export const PLOT: CommandSpec = {
  name: 'plot',
  summary: 'draw training/validation curves from a metrics log (train --log-file) as SVG',
  positional: { name: 'log', help: 'the metrics log, JSON lines (sparsegrad train --log-file metrics.jsonl)', required: true },
  examples: [
    ['sparsegrad plot metrics.jsonl', 'writes metrics.svg: loss and every metric, training and validation, per epoch'],
    ['sparsegrad plot run2.jsonl --out run2.svg --title "MF, lr 0.01"', 'another log, its own file and title'],
  ],
  options: [
    { name: 'out', type: 'out-file', help: 'SVG to write (default: the log\'s name with .svg)' },
    { name: 'title', type: 'string', help: 'picture title' },
    common.help,
  ],
};

export async function plot(a: ParsedArgs): Promise<void> {
  const file = a.log as string;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`plot: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const records = sg.viz.parseMetricsLog(text, file);
  const svg = sg.viz.trainingCurvesSvg(records, { title: (a.title as string | undefined) ?? `training curves: ${file}` });
  const out = (a.out as string | undefined) ?? file.replace(/(\.jsonl|\.json|\.log)?$/, '.svg');
  writeFileSync(out, svg);
  const panels = [...sg.viz.curvePanels(records).keys()];
  print(`Wrote ${out}: ${panels.join(', ')} over ${records.filter((r) => r.type === 'epoch').length} epoch(s)`);
}
