/**
 * Everything the CLI prints goes through here. Titles, ids, file names and error texts come
 * from files and checkpoints a user may not have written, so they are shown terminal-safe:
 * control characters and invisible reordering marks appear as escapes (`\x1B`, `\x07`,
 * `\u202E`) instead of clearing the screen, retitling the window or ringing the bell, and
 * fields are clipped to a bounded length (datasets/io/safe-text.ts).
 */
import type { Recommender } from '../models/recommender.js';
import { clip, safeField, terminalSafe } from '../datasets/io/safe-text.js';

export { safeField };

/** One or more lines to stdout, terminal-safe (line breaks kept). */
export function print(text: string): void {
  console.log(terminalSafe(text, { keepNewlines: true }));
}

/** An error line to stderr, terminal-safe and bounded. */
export function printError(text: string): void {
  console.error(terminalSafe(clip(text, 4000), { keepNewlines: true }));
}

/** How the CLI prints an item: raw id and title, both terminal-safe. */
export function titleOf(model: Recommender, index: number): string {
  const raw = model.meta.itemIds ? model.meta.itemIds[index] : index;
  const title = model.meta.itemTitles?.[index];
  return `${safeField(String(raw), 40).padStart(7)}  ${safeField(title ?? '')}`;
}

// the characters terminalSafe escapes that JSON.stringify leaves as they are (DEL, C1
// controls, bidi and zero-width marks, line/paragraph separators)
const JSON_UNSAFE = /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

/** `value` as JSON (`--format json`), with every character a terminal could act on as a \u escape: still valid JSON. */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Prints `value` as terminal-safe JSON (see jsonText). */
export function printJson(value: unknown): void {
  console.log(jsonText(value));
}

/** An item's raw id (as in the data) for output: the id map's entry, else the index. */
export function itemIdOf(model: Recommender, index: number): string | number {
  return model.meta.itemIds ? model.meta.itemIds[index] : index;
}

/** A user's raw id for output. */
export function userIdOf(model: Recommender, index: number): string | number {
  return model.meta.userIds ? model.meta.userIds[index] : index;
}

/** One TSV field: tabs and line breaks (which would shift columns) as spaces, terminal-safe. */
export function tsvField(value: string | number): string {
  return terminalSafe(String(value).replace(/[\t\r\n]/g, ' '));
}
