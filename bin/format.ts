/** How the CLI prints items: raw id and title. */
import type { Recommender } from '../models/recommender.js';

export function titleOf(model: Recommender, index: number): string {
  const raw = model.meta.itemIds ? model.meta.itemIds[index] : index;
  const title = model.meta.itemTitles?.[index];
  return `${String(raw).padStart(7)}  ${title ?? ''}`;
}

