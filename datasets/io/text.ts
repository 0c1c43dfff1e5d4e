/**
 * Small text helpers for catalog files: RFC 4180 CSV fields (movies.csv titles are quoted
 * when they contain commas, with "" for a quote), and day counts for dates.
 */

/** Splits one CSV line; returns the fields, or a string describing what is wrong. */
export function splitCsvLine(line: string): string[] | string {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line[i] === '"') {
      // quoted field: runs to the closing quote; "" inside is one quote
      let field = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q === -1) return `unterminated quoted field starting at column ${i + 1}`;
        field += line.slice(j, q);
        if (line[q + 1] === '"') {
          field += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      out.push(field);
      if (j === n) return out;
      if (line[j] !== ',') return `unexpected text after the closing quote at column ${j + 1}`;
      i = j + 1;
    } else {
      const c = line.indexOf(',', i);
      if (c === -1) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** A release year from a MovieLens title ("Heat (1995)", "Fawlty Towers (1975-1979)"), or 0. */
export function yearFromTitle(title: string): number {
  const m = /\((\d{4})(?:[-–]\d{0,4})?\)\s*$/.exec(title);
  return m ? Number(m[1]) : 0;
}

/** A 32-bit FNV-1a hash as 8 hex digits (cache file names and fingerprints). */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
