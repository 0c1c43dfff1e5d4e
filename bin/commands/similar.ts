/** `sparsegrad similar`: the items nearest to an item in embedding space. */
import * as sg from '../../index.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { UsageError } from '../args.js';
import { common } from '../common-options.js';
import { itemIdOf, print, printJson, titleOf } from '../format.js';

export const SIMILAR: CommandSpec = {
  name: 'similar',
  summary: 'items nearest to an item in embedding space (cosine)',
  examples: [
    ['sparsegrad similar --model model.sgm --item 1', 'the 10 items nearest to item 1 by cosine similarity of their embeddings'],
  ],
  options: [
    { name: 'model', type: 'path', default: 'model.sgm', help: 'checkpoint' },
    { name: 'item', type: 'string', help: 'raw item id' },
    { name: 'k', alias: 'k', type: 'int', min: 1, default: 10, help: 'how many' },
    { name: 'format', type: 'string', choices: ['text', 'json'], default: 'text', help: 'output' },
    common.backend, common.help,
  ],
};

export async function similar(a: ParsedArgs): Promise<void> {
  if (a.item === undefined) throw new UsageError('similar: --item <raw id> is required');
  await sg.setBackend(a.backend as string);
  const model = sg.load(a.model as string);
  const i = model.itemIndexOf(a.item as string);
  const top = model.similarItems(i, a.k as number);
  // EASE ranks by its item-item weight, ItemKNN by its stored cosine, the rest by embedding cosine
  const measure = model instanceof sg.models.EASE ? 'weight' : 'cosine';
  if (a.format === 'json') {
    printJson({
      item: a.item, title: model.meta.itemTitles?.[i] ?? null, measure,
      items: Array.from(top.indices, (j, r) => ({ rank: r + 1, item: itemIdOf(model, j), title: model.meta.itemTitles?.[j] ?? null, score: top.scores[r] })),
    });
    return;
  }
  print(`Items most similar to ${titleOf(model, i).trim()}:`);
  top.indices.forEach((j, r) => print(`${String(r + 1).padStart(3)}. ${titleOf(model, j)}   ${measure} ${top.scores[r].toFixed(3)}`));
}

