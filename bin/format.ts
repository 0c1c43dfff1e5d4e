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
