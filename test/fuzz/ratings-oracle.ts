/**
 * A reference reader for MovieLens ratings.csv, written from the loader's documented rules
 * (datasets/loaders/table.ts, io/lines.ts) the slow, obvious way: split lines, decode, split
 * fields, apply the rules. The fuzz suite checks the real, byte-level parser against it:
 * the same ratings in the same order, the same bad lines, the same first error line.
 *
 * Rules: lines end at '\n' (one '\r' before it is dropped; a final line may lack '\n'); a
 * UTF-8 BOM is dropped from line 1; spaces and tabs around a line are ignored and a line
 * with nothing else is empty; fields split at ',' and are trimmed and unquoted ("x" → x);
 * the first non-empty line is a header when a field is not a number and some field has a
 * letter; user and movie ids are integers 0 … 2^31-1, the rating is on 0.5 … 5 in steps of
 * 0.5, the timestamp an integer of at most 2^31-1 in magnitude.
 */

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const MAX = 2147483647;
const NAMES: Record<string, string> = {
  userid: 'user', user_id: 'user', user: 'user',
  movieid: 'item', movie_id: 'item', movie: 'item', itemid: 'item', item_id: 'item', item: 'item',
  rating: 'rating', score: 'rating', timestamp: 'timestamp', time: 'timestamp',
};

export interface Reference {
  /** [raw user, raw item, float32 rating, timestamp] in file order */
  ratings: [number, number, number, number][];
  /** 1-based line numbers of bad lines */
  bad: number[];
  lines: number;
}

const onHalfStars = (r: number) => r >= 0.5 - 1e-9 && r <= 5 + 1e-9 && Math.abs((r - 0.5) / 0.5 - Math.round((r - 0.5) / 0.5)) < 1e-6;

export function referenceRatings(bytes: Buffer): Reference {
  const out: Reference = { ratings: [], bad: [], lines: 0 };
  const pieces: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) { pieces.push(bytes.subarray(start, i)); start = i + 1; }
  if (start < bytes.length) pieces.push(bytes.subarray(start));
  let columns = ['user', 'item', 'rating', 'timestamp'];
  let seenData = false;
  pieces.forEach((raw, k) => {
    const lineNo = k + 1;
    out.lines = lineNo;
    let a = 0;
    let b = raw.length;
    if (b > a && raw[b - 1] === 13) b--;
    if (lineNo === 1 && b - a >= 3 && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) a += 3;
    while (a < b && (raw[a] === 32 || raw[a] === 9)) a++;
    while (b > a && (raw[b - 1] === 32 || raw[b - 1] === 9)) b--;
    if (a === b) return;
    const text = raw.toString('utf8', a, b);
    const fields = text.split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1').trim());
    const isNum = fields.map((s) => NUMBER.test(s));
    if (!seenData && isNum.some((x) => !x) && fields.some((s) => /[A-Za-z]/.test(s))) {
      seenData = true;
      const cols = fields.map((f) => NAMES[f.replace(/^"|"$/g, '').trim().toLowerCase()]);
      if (cols.some((c) => !c) || new Set(cols).size !== cols.length || !['user', 'item', 'rating'].every((c) => cols.includes(c))) {
        out.bad.push(lineNo);
        return;
      }
      columns = cols;
      return;
    }
    seenData = true;
    if (fields.length !== columns.length || isNum.some((x) => !x)) {
      out.bad.push(lineNo);
      return;
    }
    const v: Record<string, number> = {};
    columns.forEach((c, f) => { v[c] = Number(fields[f]); });
    const id = (x: number) => Number.isInteger(x) && x >= 0 && x <= MAX;
    const t = v.timestamp ?? 0;
    if (!id(v.user) || !id(v.item) || !onHalfStars(v.rating) || !(Number.isInteger(t) && Math.abs(t) <= MAX)) {
      out.bad.push(lineNo);
      return;
    }
    out.ratings.push([v.user === 0 ? 0 : v.user, v.item === 0 ? 0 : v.item, Math.fround(v.rating), t]);
  });
  return out;
}
