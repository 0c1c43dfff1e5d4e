/** `--log-file`: the metrics log of a training run, appended line by line (a crash keeps what was written). */
import { appendFileSync, writeFileSync } from 'node:fs';
import * as sg from '../index.js';

/** The callback writing `path` (emptied first), or none without a path. */
export function metricsLog(path: string | undefined): sg.train.Callback[] {
  if (!path) return [];
  writeFileSync(path, '');
  return [new sg.train.MetricsLog((line) => appendFileSync(path, `${line}\n`))];
}
