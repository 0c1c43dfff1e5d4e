/**
 * Text from files is hostile until shown otherwise. Two rules, used everywhere a string
 * from a data file, a checkpoint or the command line reaches a message or a terminal:
 *
 * - **bounded**: `clip` cuts a long field and says how long it was, so a 10 MB "movie id"
 *   gives a 200-character error, not a 10 MB one;
 * - **terminal-safe**: `terminalSafe` shows control characters as visible escapes (`\x1B`,
 *   `\x07`, `\u202E`), so a title holding `ESC[2J`, an OSC window-title sequence, a bell or
 *   a right-to-left override prints as text instead of acting on the terminal.
 *
 * No Node imports: the browser build uses these too.
 */

/** Longest field quoted in an error message (characters). */
export const MAX_FIELD_CHARS = 200;

/** `text`, or its first `max` characters followed by how long it really was. */
export function clip(text: string, max = MAX_FIELD_CHARS): string {
  if (text.length <= max) return text;
  // do not cut a surrogate pair in half
  let end = max;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}… (${text.length.toLocaleString('en-US')} characters in all)`;
}

/** A field quoted for a message: clipped, then JSON-quoted (so quotes and newlines show). */
export function quoted(text: string, max = MAX_FIELD_CHARS): string {
  return JSON.stringify(clip(text, max));
}

// C0 controls, DEL, C1 controls, and the Unicode format characters that reorder or hide
// text (bidi embeddings/overrides/isolates, zero-width marks, line/paragraph separators)
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
const UNSAFE_KEEP_NEWLINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

function escape(ch: string): string {
  const c = ch.charCodeAt(0);
  if (c === 9) return '\\t';
  if (c === 10) return '\\n';
  if (c === 13) return '\\r';
  return c < 0x100 ? `\\x${c.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `text` with every control or invisible formatting character shown as an escape. With
 * `keepNewlines`, '\n' stays a line break (multi-line messages); otherwise it shows as `\n`.
 */
export function terminalSafe(text: string, opts: { keepNewlines?: boolean } = {}): string {
  return String(text).replace(opts.keepNewlines ? UNSAFE_KEEP_NEWLINES : UNSAFE, escape);
}

/** One field for one line of output: clipped and terminal-safe. */
export function safeField(text: string, max = MAX_FIELD_CHARS): string {
  return terminalSafe(clip(String(text), max));
}
