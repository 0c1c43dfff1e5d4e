/**
 * "Did you mean …?" for mistyped commands, options and choices: the candidate a prefix
 * points to (`--epoch` → `--epochs`), else the closest by edit distance (adjacent swaps
 * count as one edit: `trian` → `train`) when it is close enough to be a typo.
 */

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The candidate `word` most likely meant, or null when none is close. Case-insensitive. */
export function closest(word: string, candidates: readonly string[]): string | null {
  const w = word.toLowerCase();
  const strip = (s: string) => s.replace(/^-+/, '');
  // a prefix of exactly one candidate (at least 3 letters), or a candidate plus a few extra letters
  if (strip(w).length >= 3) {
    const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(w));
    if (prefixed.length === 1) return prefixed[0];
  }
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(w, c.toLowerCase());
    if (dist < bestD) { best = c; bestD = dist; }
  }
  const len = strip(w).length;
  const allowed = len <= 3 ? 1 : len <= 6 ? 2 : 3;
  return bestD <= allowed ? best : null;
}

/** " (did you mean 'x'?)" or ''. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closest(word, candidates);
  return c ? ` (did you mean '${c}'?)` : '';
}
