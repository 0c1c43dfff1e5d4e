/**
 * Streaming line reader: reads a file in 4 MB chunks and hands each line to a callback as
 * a byte range of the chunk buffer, so a 20M-line file never becomes one string (or 20M
 * strings). Numeric parsers read the bytes directly; text parsers decode just their line.
 *
 * Line endings: '\n' and '\r\n' (Windows); a UTF-8 byte-order mark on the first line is
 * dropped. The last line may lack a newline.
 *
 * Bounded: a line longer than `maxLineBytes` (default 1 MiB; real rating and catalog lines
 * are under 1 KB) is an error naming file, line and byte offset, so a file with no newline
 * (a sparse 3 GB file, a link to /dev/zero) fails after reading 1 MiB instead of growing a
 * buffer until the process dies. Only regular files are read: a directory, device or pipe
 * is refused by name before reading.
 */
import { DataFormatError } from './errors.js';
import { DEFAULT_MAX_LINE_BYTES } from './limits.js';
import { node } from './node.js';

/** Called once per line with buf[start, end) (without the line ending); 1-based line number. */
export type LineSink = (buf: Buffer, start: number, end: number, lineNo: number) => void;

export interface ReadLinesOptions {
  chunkSize?: number;
  /** longest line accepted, in bytes (default 1 MiB) */
  maxLineBytes?: number;
  /** called after each chunk with the bytes read so far (progress bars) */
  onBytes?: (bytes: number) => void;
}

/** What kind of thing `st` is, for messages ("a directory", "a character device"). */
function kindOf(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Opens `file` for reading, refusing anything but a regular file; errors name the file. */
export async function openRegularFile(file: string): Promise<import('node:fs/promises').FileHandle> {
  const { fsp } = node();
  let fh;
  try {
    fh = await fsp.open(file, 'r');
  } catch (e) {
    throw fileError(file, e);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new Error(`${file} is ${kindOf(st)}, not a file`);
  }
  return fh;
}

/** An fs error as a message that names the file ("cannot read x: EISDIR …" names none). */
export function fileError(file: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return new Error(`${file} does not exist`);
  if (err?.code === 'EISDIR') return new Error(`${file} is a directory, not a file`);
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return new Error(`${file} cannot be read: permission denied`);
  return new Error(`cannot read ${file}: ${err?.message ?? String(e)}`);
}

export async function readLines(file: string, onLine: LineSink, opts: ReadLinesOptions = {}): Promise<{ lines: number; bytes: number }> {
  const maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!(Number.isInteger(maxLine) && maxLine > 0)) throw new Error(`readLines: maxLineBytes must be a positive integer, got ${maxLine}`);
  const fh = await openRegularFile(file);
  let buf = Buffer.allocUnsafe(opts.chunkSize ?? 4 << 20);
  let carry = 0; // bytes of an unfinished line at buf[0, carry)
  let base = 0; // file offset of buf[0]
  let lineNo = 0;
  let bytes = 0;
  const tooLong = (start: number, length: number, complete: boolean) => new DataFormatError(file, lineNo + 1,
    buf.toString('latin1', start, start + Math.min(length, 24)),
    `line ${lineNo + 1} (starting at byte offset ${base + start}) is longer than the ${maxLine.toLocaleString('en-US')}-byte limit` +
    `${complete ? ` (${length.toLocaleString('en-US')} bytes)` : ' and has no end in sight'}: not a line-based data file? ` +
    '(the maxLineBytes option raises the limit)', base + start);
  const emit = (a: number, b: number) => {
    if (b > a && buf[b - 1] === 13) b--; // '\r\n'
    if (b - a > maxLine) throw tooLong(a, b - a, true);
    lineNo++;
    if (lineNo === 1 && b - a >= 3 && buf[a] === 0xef && buf[a + 1] === 0xbb && buf[a + 2] === 0xbf) a += 3;
    onLine(buf, a, b, lineNo);
  };
  try {
    for (;;) {
      if (carry === buf.length) {
        // a line longer than the buffer (only when maxLineBytes exceeds the chunk size): grow it
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, maxLine + 2));
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(buf, carry, buf.length - carry, null));
      } catch (e) {
        throw fileError(file, e);
      }
      if (bytesRead === 0) {
        if (carry > 0) emit(0, carry);
        break;
      }
      bytes += bytesRead;
      const end = carry + bytesRead;
      const view = buf.subarray(0, end);
      let start = 0;
      for (let nl = view.indexOf(10, carry); nl !== -1; nl = view.indexOf(10, start)) {
        emit(start, nl);
        start = nl + 1;
      }
      carry = end - start;
      // an unfinished line already over the limit: stop now, not at the end of the file
      if (carry > maxLine + 1) throw tooLong(start, carry, false);
      buf.copyWithin(0, start, end);
      base += start;
      opts.onBytes?.(bytes);
    }
  } finally {
    await fh.close();
  }
  return { lines: lineNo, bytes };
}

/** Same, decoding each line to a string (for small text files: catalogs, titles). */
export async function readTextLines(
  file: string,
  encoding: 'utf8' | 'latin1',
  onLine: (text: string, lineNo: number) => void,
  opts: Pick<ReadLinesOptions, 'maxLineBytes'> = {},
): Promise<{ lines: number; bytes: number }> {
  return readLines(file, (buf, a, b, n) => onLine(buf.toString(encoding, a, b), n), opts);
}
