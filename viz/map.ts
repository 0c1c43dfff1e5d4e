/**
 * A 2-D map of embeddings as SVG: one dot per item, coloured by a group (an item's first
 * genre), a legend, and a few items labelled (placed so no two labels collide).
 */
import { INK, MUTED, OTHER, overlaps, PALETTE, r2, svgFrame, text, textWidth, type Box } from './svg.js';

export interface MapLabel {
  /** the point (row of coords) */
  index: number;
  text: string;
}

export interface EmbeddingMapOptions {
  title: string;
  /** a line under the title (what was mapped, how well) */
  subtitle?: string;
  /** name of each group index */
  groupNames: string[];
  /** candidates to label, most wanted first; those that would collide are skipped */
  labels?: MapLabel[];
  /** at most this many labels (default 12) */
  maxLabels?: number;
  /** the legend's heading (default 'first genre') */
  legendTitle?: string;
}

const SIZE = 660;
const LEFT = 16;
const TOP = 62;
const LABEL_FONT = 11;

/** The picture; `coords` [n, 2] row-major, `groups` one group index per point. */
export function embeddingMapSvg(coords: ArrayLike<number>, groups: ArrayLike<number>, opts: EmbeddingMapOptions): string {
  const n = groups.length;
  // the biggest groups get colours, the rest share grey
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(groups[i], (counts.get(groups[i]) ?? 0) + 1);
  const byCount = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const coloured = byCount.slice(0, PALETTE.length);
  const colourOf = new Map(coloured.map(([g], k) => [g, PALETTE[k]] as const));
  const otherGroups = byCount.slice(PALETTE.length);

  // equal scales on both axes (distances mean the same in every direction), 3% margin
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, coords[2 * i]); maxX = Math.max(maxX, coords[2 * i]);
    minY = Math.min(minY, coords[2 * i + 1]); maxY = Math.max(maxY, coords[2 * i + 1]);
  }
  const span = Math.max(maxX - minX, maxY - minY) * 1.06 || 1;
  const px = (i: number) => LEFT + SIZE / 2 + ((coords[2 * i] - (minX + maxX) / 2) / span) * SIZE;
  const py = (i: number) => TOP + SIZE / 2 - ((coords[2 * i + 1] - (minY + maxY) / 2) / span) * SIZE;

  const out: string[] = [];
  if (opts.subtitle) out.push(text(12, 42, opts.subtitle, `fill="${MUTED}"`));
  out.push(`<rect x="${LEFT}" y="${TOP}" width="${SIZE}" height="${SIZE}" fill="#fcfcfd" stroke="#dee2e6"/>`);
  // grey first, then the coloured groups from the biggest to the smallest, so small ones stay visible
  const order = Array.from({ length: n }, (_, i) => i);
  const rank = new Map(byCount.map(([g], k) => [g, colourOf.has(g) ? k : -1] as const));
  order.sort((a, b) => (rank.get(groups[a])! - rank.get(groups[b])!) || a - b);
  for (const i of order) {
    out.push(`<circle cx="${r2(px(i))}" cy="${r2(py(i))}" r="2.6" fill="${colourOf.get(groups[i]) ?? OTHER}" fill-opacity="0.8"/>`);
  }

  // labels: try right, left, above, below the point; skip one that hits another label or a side
  const taken: Box[] = [];
  const plot: Box = { x0: LEFT + 2, y0: TOP + 2, x1: LEFT + SIZE - 2, y1: TOP + SIZE - 2 };
  const inside = (b: Box) => b.x0 >= plot.x0 && b.x1 <= plot.x1 && b.y0 >= plot.y0 && b.y1 <= plot.y1;
  let placed = 0;
  for (const label of opts.labels ?? []) {
    if (placed >= (opts.maxLabels ?? 12)) break;
    const s = label.text.length > 34 ? `${label.text.slice(0, 33)}…` : label.text;
    const w = textWidth(s, LABEL_FONT);
    const x = px(label.index);
    const y = py(label.index);
    const spots: [Box, string, number, number][] = [
      [{ x0: x + 5, y0: y - 6, x1: x + 5 + w, y1: y + 6 }, 'start', x + 5, y + 4],
      [{ x0: x - 5 - w, y0: y - 6, x1: x - 5, y1: y + 6 }, 'end', x - 5, y + 4],
      [{ x0: x - w / 2, y0: y - 19, x1: x + w / 2, y1: y - 6 }, 'middle', x, y - 8],
      [{ x0: x - w / 2, y0: y + 6, x1: x + w / 2, y1: y + 19 }, 'middle', x, y + 16],
    ];
    const spot = spots.find(([b]) => inside(b) && !taken.some((t) => overlaps(b, t, 3)));
    if (!spot) continue;
    taken.push(spot[0], { x0: x - 4, y0: y - 4, x1: x + 4, y1: y + 4 });
    out.push(`<circle cx="${r2(x)}" cy="${r2(y)}" r="4" fill="none" stroke="${INK}" stroke-width="1.2"/>`);
    out.push(text(spot[2], spot[3], s, `text-anchor="${spot[1]}" font-size="${LABEL_FONT}" fill="${INK}" stroke="#ffffff" stroke-width="3" paint-order="stroke"`));
    placed++;
  }

  // the legend, right of the map
  const lx = LEFT + SIZE + 24;
  let ly = TOP + 10;
  out.push(text(lx, ly, opts.legendTitle ?? 'first genre', `font-weight="600" fill="${INK}"`));
  ly += 20;
  for (const [g, c] of coloured) {
    out.push(`<circle cx="${lx + 6}" cy="${ly - 4}" r="5" fill="${colourOf.get(g)}"/>`);
    out.push(text(lx + 18, ly, `${opts.groupNames[g] ?? `group ${g}`} (${c})`, `fill="${INK}"`));
    ly += 20;
  }
  if (otherGroups.length > 0) {
    const c = otherGroups.reduce((s, [, k]) => s + k, 0);
    out.push(`<circle cx="${lx + 6}" cy="${ly - 4}" r="5" fill="${OTHER}"/>`);
    out.push(text(lx + 18, ly, `${otherGroups.length} more (${c})`, `fill="${INK}"`));
  }
  return svgFrame(LEFT + SIZE + 260, TOP + SIZE + 20, opts.title, out);
}
