/**
 * The rating-table parser shared by MovieLens's three layouts: one rating per line, fields
 * split by a delimiter (',' for ratings.csv, '::' for ratings.dat, tab for u.data).
 *
 * Hot path: numbers are parsed straight from the bytes (no strings), which keeps a 20M-line
 * file at a few seconds. Any line the hot path does not accept (a header, odd spacing, an
 * exponent, garbage) goes to a slow path that decodes the text, accepts what is valid and
 * otherwise reports exactly what is wrong, with file and line.
 */
import { BadLines } from '../io/errors.js';
import { clip, quoted } from '../io/safe-text.js';
import { RatingColumns } from '../io/columns.js';
import type { RatingScale } from '../types.js';

export type Column = 'user' | 'item' | 'rating' | 'timestamp';

export interface TableSpec {
  /** field delimiter: ',', '::' or '\t' */
  delimiter: string;
  /** the field → column layout when there is no header */
  columns: Column[];
  /** names used in messages, e.g. 'userId,movieId,rating,timestamp' */
  names: string;
  scale: RatingScale;
  /** may the first line be a header? */
  header: boolean;
  encoding: 'utf8' | 'latin1';
}

const HEADER_NAMES: Record<string, Column> = {
  userid: 'user', user_id: 'user', user: 'user',
  movieid: 'item', movie_id: 'item', movie: 'item', itemid: 'item', item_id: 'item', item: 'item',
  rating: 'rating', score: 'rating',
  timestamp: 'timestamp', time: 'timestamp',
};

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT32_MAX = 2147483647;

export class TableParser {
  readonly out: RatingColumns;
  headerLines = 0;
  emptyLines = 0;
  private columns: Column[];
  private readonly delim: Uint8Array;
  private readonly vals = new Float64Array(16);
  private seenData = false;
  // column positions (-1: absent) and field count
  private ui = 0;
  private ii = 1;
  private ri = 2;
  private ti = 3;
  private nf = 4;

  constructor(readonly file: string, readonly spec: TableSpec, readonly bad: BadLines, capacity: number) {
    this.columns = spec.columns.slice();
    this.delim = Buffer.from(spec.delimiter, 'latin1');
    this.layout();
    this.out = new RatingColumns(capacity, this.ti !== -1);
  }

  private layout(): void {
    this.ui = this.columns.indexOf('user');
    this.ii = this.columns.indexOf('item');
    this.ri = this.columns.indexOf('rating');
    this.ti = this.columns.indexOf('timestamp');
    this.nf = this.columns.length;
  }

  /** One line, as bytes buf[a, b). */
  line(buf: Buffer, a: number, b: number, lineNo: number): void {
    // trim spaces and tabs at both ends
    while (a < b && (buf[a] === 32 || buf[a] === 9)) a++;
    while (b > a && (buf[b - 1] === 32 || buf[b - 1] === 9)) b--;
    if (a === b) {
      this.emptyLines++;
      return;
    }
    if (!this.fast(buf, a, b)) this.slow(buf.toString(this.spec.encoding, a, b), lineNo);
    this.seenData = true;
  }

  /** Byte-level parse of a well-formed line; false sends the line to the slow path. */
  private fast(buf: Buffer, a: number, b: number): boolean {
    const vals = this.vals;
    const d0 = this.delim[0];
    const dl = this.delim.length;
    let p = a;
    let f = 0;
    for (;;) {
      while (p < b && buf[p] === 32) p++;
      let v = 0;
      let digits = 0;
      let c = buf[p] - 48;
      while (p < b && c >= 0 && c <= 9) {
        v = v * 10 + c;
        digits++;
        c = buf[++p] - 48;
      }
      if (p < b && buf[p] === 46) {
        // fraction: integer over a power of ten, exact for short decimals
        let frac = 0;
        let scale = 1;
        c = buf[++p] - 48;
        while (p < b && c >= 0 && c <= 9) {
          frac = frac * 10 + c;
          scale *= 10;
          digits++;
          c = buf[++p] - 48;
        }
        v += frac / scale;
      }
      if (digits === 0 || f === this.nf) return false;
      vals[f++] = v;
      while (p < b && buf[p] === 32) p++;
      if (p === b) break;
      if (buf[p] !== d0 || (dl === 2 && buf[p + 1] !== this.delim[1])) return false;
      p += dl;
    }
    if (f !== this.nf) return false;
    return this.accept(vals);
  }

  /** Validates and stores one row of values by field position; false when a value is out of range. */
  private accept(vals: Float64Array): boolean {
    const u = vals[this.ui];
    const i = vals[this.ii];
    const r = vals[this.ri];
    const t = this.ti === -1 ? 0 : vals[this.ti];
    if (!(Number.isInteger(u) && u >= 0 && u <= INT32_MAX)) return false;
    if (!(Number.isInteger(i) && i >= 0 && i <= INT32_MAX)) return false;
    if (!onScale(r, this.spec.scale)) return false;
    if (!(Number.isInteger(t) && Math.abs(t) <= INT32_MAX)) return false;
    this.out.push(u, i, r, t);
    return true;
  }

  /** Decoded line: a header, a valid line the fast path skipped, or a bad line. */
  private slow(text: string, lineNo: number): void {
    // some exports quote every field: "1","31","2.5","1260759144"
    const fields = text.split(this.spec.delimiter).map((s) => s.trim().replace(/^"(.*)"$/, '$1').trim());
    const isNum = fields.map((s) => NUMBER.test(s));
    if (this.spec.header && !this.seenData && isNum.some((x) => !x) && fields.some((s) => /[A-Za-z]/.test(s))) {
      this.header(fields, text, lineNo);
      return;
    }
    const reason = this.check(fields, isNum);
    if (reason) {
      this.bad.add(this.file, lineNo, text, reason);
      return;
    }
    for (let f = 0; f < fields.length; f++) this.vals[f] = Number(fields[f]);
    this.accept(this.vals);
  }

  /** What is wrong with a line's fields, or null. */
  private check(fields: string[], isNum: boolean[]): string | null {
    if (fields.length !== this.nf) {
      return `expected ${this.nf} fields (${this.columns.map(columnName).join(', ')}) separated by ${JSON.stringify(this.spec.delimiter)}, found ${fields.length}`;
    }
    for (let f = 0; f < fields.length; f++) {
      const col = this.columns[f];
      if (!isNum[f]) return `${columnName(col)} (field ${f + 1}) is not a number: ${quoted(fields[f], 60)}`;
      const v = Number(fields[f]);
      if ((col === 'user' || col === 'item') && !(Number.isInteger(v) && v >= 0 && v <= INT32_MAX)) {
        return `${columnName(col)} (field ${f + 1}) must be a non-negative integer id, found ${clip(fields[f], 60)}`;
      }
      if (col === 'rating' && !onScale(v, this.spec.scale)) {
        const s = this.spec.scale;
        return `rating ${clip(fields[f], 60)} is outside the scale ${s.min}..${s.max} in steps of ${s.step}`;
      }
      if (col === 'timestamp' && !(Number.isInteger(v) && Math.abs(v) <= INT32_MAX)) {
        return `timestamp (field ${f + 1}) must be an integer number of seconds, found ${clip(fields[f], 60)}`;
      }
    }
    return null;
  }

  private header(fields: string[], text: string, lineNo: number): void {
    const cols: Column[] = [];
    for (const raw of fields) {
      const name = raw.replace(/^"|"$/g, '').trim().toLowerCase();
      const col = HEADER_NAMES[name];
      if (!col) {
        this.bad.add(this.file, lineNo, text, `unknown column ${quoted(raw, 60)} in the header (expected ${this.spec.names})`);
        return;
      }
      if (cols.includes(col)) {
        this.bad.add(this.file, lineNo, text, `column ${quoted(raw, 60)} appears twice in the header`);
        return;
      }
      cols.push(col);
    }
    for (const need of ['user', 'item', 'rating'] as Column[]) {
      if (!cols.includes(need)) {
        this.bad.add(this.file, lineNo, text, `the header has no ${columnName(need)} column (expected ${this.spec.names})`);
        return;
      }
    }
    if (this.out.length === 0 && (cols.includes('timestamp') !== (this.ti !== -1))) {
      // the header decides whether there are timestamps
      this.out.timestamps = cols.includes('timestamp') ? new Int32Array(this.out.users.length) : null;
    }
    this.columns = cols;
    this.layout();
    this.headerLines++;
  }
}

function columnName(c: Column): string {
  return c === 'user' ? 'userId' : c === 'item' ? 'movieId' : c;
}

/** Is `r` one of min, min+step, …, max? */
export function onScale(r: number, s: RatingScale): boolean {
  if (!(r >= s.min - 1e-9 && r <= s.max + 1e-9)) return false;
  const k = (r - s.min) / s.step;
  return Math.abs(k - Math.round(k)) < 1e-6;
}
