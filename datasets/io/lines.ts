/**
 * Streaming line reader: reads a file in 4 MB chunks and hands each line to a callback as
 * a byte range of the chunk buffer, so a 20M-line file never becomes one string (or 20M
 * strings). Numeric parsers read the bytes directly; text parsers decode just their line.
 *
 * Line endings: '\n' and '\r\n' (Windows); a UTF-8 byte-order mark on the first line is
 * dropped. The last line may lack a newline.
 */
import { node } from './node.js';

/** Called once per line with buf[start, end) (without the line ending); 1-based line number. */
export type LineSink = (buf: Buffer, start: number, end: number, lineNo: number) => void;

export interface ReadLinesOptions {
  chunkSize?: number;
  /** called after each chunk with the bytes read so far (progress bars) */
  onBytes?: (bytes: number) => void;
}

export async function readLines(file: string, onLine: LineSink, opts: ReadLinesOptions = {}): Promise<{ lines: number; bytes: number }> {
  const fh = await node().fsp.open(file, 'r');
  let buf = Buffer.allocUnsafe(opts.chunkSize ?? 4 << 20);
  let carry = 0; // bytes of an unfinished line at buf[0, carry)
  let lineNo = 0;
  let bytes = 0;
  const emit = (a: number, b: number) => {
    if (b > a && buf[b - 1] === 13) b--; // '\r\n'
    lineNo++;
    if (lineNo === 1 && b - a >= 3 && buf[a] === 0xef && buf[a + 1] === 0xbb && buf[a + 2] === 0xbf) a += 3;
    onLine(buf, a, b, lineNo);
  };
  try {
    for (;;) {
      if (carry === buf.length) {
        // a line longer than the buffer: grow it
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, carry);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, carry, buf.length - carry, null);
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
      buf.copyWithin(0, start, end);
      carry = end - start;
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
): Promise<{ lines: number; bytes: number }> {
  return readLines(file, (buf, a, b, n) => onLine(buf.toString(encoding, a, b), n));
}
