/**
 * Option values, checked before a command does any work: a typo'd number, a fraction out
 * of range or an unwritable `--out` is a usage error naming the option, not a failure
 * after an epoch of training. (The parser and the help are args.ts; this is what a value
 * of each kind must be.)
 *
 *   number     any finite decimal number: 0.005, -3, 1e-3 (no hex, no Infinity, no blanks)
 *   int        a whole number written as digits (1.5 and 1e3 are not); `min`/`max` bound it
 *   positive   a decimal number > 0 (learning rates)
 *   fraction   a decimal number strictly between 0 and 1
 *   path       an existing file or directory to read
 *   out-file   a file to write: not a directory, in a directory that exists and is writable
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { safeField } from './format.js';

export type ValueKind = 'string' | 'number' | 'int' | 'positive' | 'fraction' | 'path' | 'out-file';

/** What parseValue needs to know of an option. */
export interface ValueRule {
  name: string;
  type: ValueKind | 'flag';
  /** bounds for 'int' (inclusive) */
  min?: number;
  max?: number;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DIGITS = /^[+-]?\d+$/;

/** A value that breaks its option's rule: the message says which option and what it needs. */
export class ValueError extends Error {}

const shown = (v: string) => `'${safeField(v, 60)}'`;

/** `raw` as its option's kind (a number for numeric kinds), or a ValueError. */
export function parseValue(command: string, rule: ValueRule, raw: string): string | number {
  const opt = `${command}: --${rule.name}`;
  switch (rule.type) {
    case 'number':
    case 'positive':
    case 'fraction': {
      const n = Number(raw);
      if (!DECIMAL.test(raw) || !Number.isFinite(n)) throw new ValueError(`${opt} needs a decimal number (got ${shown(raw)})`);
      if (rule.type === 'positive' && !(n > 0)) throw new ValueError(`${opt} must be greater than 0 (got ${shown(raw)})`);
      if (rule.type === 'fraction' && !(n > 0 && n < 1)) throw new ValueError(`${opt} must be a fraction between 0 and 1, exclusive (got ${shown(raw)})`);
      return n;
    }
    case 'int': {
      const n = Number(raw);
      if (!DIGITS.test(raw) || !Number.isSafeInteger(n)) throw new ValueError(`${opt} needs a whole number (got ${shown(raw)})`);
      if (rule.min !== undefined && n < rule.min) throw new ValueError(`${opt} must be at least ${rule.min} (got ${shown(raw)})`);
      if (rule.max !== undefined && n > rule.max) throw new ValueError(`${opt} must be at most ${rule.max} (got ${shown(raw)})`);
      return n;
    }
    default:
      if (raw === '') throw new ValueError(`${opt} needs a value (got an empty string)`);
      return raw;
  }
}

/**
 * The file-system checks of 'path' and 'out-file' options, defaults included (a default
 * `--out model.sgm` in a read-only directory fails here, not after training).
 */
export function checkPaths(command: string, rules: readonly ValueRule[], values: Record<string, unknown>): void {
  for (const rule of rules) {
    const v = values[rule.name];
    if (typeof v !== 'string') continue;
    const opt = `${command}: --${rule.name}`;
    if (rule.type === 'path') {
      try {
        statSync(v);
      } catch {
        throw new ValueError(`${opt}: ${safeField(v)} does not exist`);
      }
    } else if (rule.type === 'out-file') {
      checkOutFile(opt, v);
    }
  }
}

function checkOutFile(opt: string, file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch {
    st = null;
  }
  if (st?.isDirectory()) throw new ValueError(`${opt}: ${safeField(file)} is a directory; give a file path inside it (e.g. ${safeField(file.replace(/\/+$/, ''))}/model.sgm)`);
  const dir = dirname(resolve(file));
  let d;
  try {
    d = statSync(dir);
  } catch {
    throw new ValueError(`${opt}: the directory ${safeField(dir)} does not exist (create it first)`);
  }
  if (!d.isDirectory()) throw new ValueError(`${opt}: ${safeField(dir)} is not a directory`);
  try {
    accessSync(dir, constants.W_OK);
    if (st) accessSync(file, constants.W_OK);
  } catch {
    throw new ValueError(`${opt}: ${safeField(st ? file : dir)} is not writable`);
  }
}
