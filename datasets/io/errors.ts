/**
 * Bad input is never dropped silently: a malformed line throws a DataFormatError naming
 * file, line and the text found, or, with `skipBadLines`, is counted and a few samples kept
 * for the load report.
 */
import type { BadLine } from '../types.js';

export class DataFormatError extends Error {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  readonly reason: string;

  constructor(file: string, line: number, text: string, reason: string) {
    super(`${file}:${line}: ${reason}; found ${JSON.stringify(clip(text))}`);
    this.name = 'DataFormatError';
    this.file = file;
    this.line = line;
    this.text = text;
    this.reason = reason;
  }
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** How many bad-line samples a report keeps. */
const MAX_SAMPLES = 20;

/** Collects bad lines for one load: throws on the first unless skipping. */
export class BadLines {
  count = 0;
  readonly samples: BadLine[] = [];

  constructor(readonly skip: boolean) {}

  /** Records (or throws for) a bad line. */
  add(file: string, line: number, text: string, reason: string): void {
    if (!this.skip) throw new DataFormatError(file, line, text, reason);
    this.count++;
    if (this.samples.length < MAX_SAMPLES) this.samples.push({ file, line, text: clip(text), reason });
  }
}
