/**
 * Bad input is never dropped silently: a malformed line throws a DataFormatError naming
 * file, line and the text found, or, with `skipBadLines`, is counted and a few samples kept
 * for the load report. Every message is bounded: the text and the reason are clipped
 * (`clip` says how long they really were), so a 10 MB field gives a short error.
 */
import type { BadLine } from '../types.js';
import { clip, quoted } from './safe-text.js';

/** Longest reason kept in a message (a reason quotes fields, which are clipped already). */
const MAX_REASON_CHARS = 600;

export class DataFormatError extends Error {
  readonly file: string;
  readonly line: number;
  /** the offending text, clipped */
  readonly text: string;
  readonly reason: string;
  /** byte offset in the file where the line starts, when known */
  readonly byteOffset?: number;

  constructor(file: string, line: number, text: string, reason: string, byteOffset?: number) {
    const r = clip(reason, MAX_REASON_CHARS);
    super(`${clip(file)}:${line}: ${r}; found ${quoted(text)}`);
    this.name = 'DataFormatError';
    this.file = file;
    this.line = line;
    this.text = clip(text);
    this.reason = r;
    if (byteOffset !== undefined) this.byteOffset = byteOffset;
  }
}

/** A data set with nothing in it (an empty file, only a header, every line skipped). */
export class EmptyDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmptyDataError';
  }
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
    if (this.samples.length < MAX_SAMPLES) this.samples.push({ file, line, text: clip(text), reason: clip(reason, MAX_REASON_CHARS) });
  }
}
