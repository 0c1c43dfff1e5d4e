/** `sparsegrad map --model m.sgm`: a 2-D t-SNE map of the item embeddings, coloured by first genre, as SVG. */
import { writeFileSync } from 'node:fs';
import * as sg from '../../index.js';
import type { CommandSpec, ParsedArgs } from '../args.js';
import { common } from '../common-options.js';
import { print } from '../format.js';

export const MAP: CommandSpec = {
  name: 'map',
  summary: 'draw a 2-D map (t-SNE) of the item embeddings, coloured by first genre, as SVG',
  examples: [
    ['sparsegrad map --model model.sgm', 'writes map.svg: the 2,000 most-rated items, coloured by first genre, and prints how well the map keeps neighbours'],
    ['sparsegrad map --items 5000 --labels 20 --out map-5k.svg', 'more items and labels (t-SNE time grows about as n log n)'],
  ],
  options: [
    { name: 'model', type: 'path', default: 'model.sgm', help: 'checkpoint' },
    { name: 'out', type: 'out-file', default: 'map.svg', help: 'SVG to write' },
    { name: 'items', type: 'int', min: 5, default: 2000, help: 'how many items to map (the most rated ones)' },
    { name: 'labels', type: 'int', min: 0, default: 12, help: 'how many titles to label' },
    { name: 'perplexity', type: 'positive', default: 30, help: 't-SNE: effective number of neighbours per item' },
    { name: 'iterations', type: 'int', min: 1, default: 1000, help: 't-SNE: gradient steps' },
    common.help,
  ],
};

export async function map(a: ParsedArgs): Promise<void> {
  const model = sg.load(a.model as string);
  const { values, dim } = model.itemVectors();
  const meta = model.meta;
  const counts = model.seen ? itemCounts(model.seen, model.numItems) : undefined;
  const genres = Array.isArray(meta.itemFirstGenre) && Array.isArray(meta.genreNames)
    ? { groups: meta.itemFirstGenre as number[], groupNames: [...(meta.genreNames as string[]), '(no genre)'] } : null;
  if (!genres) print('note: this checkpoint has no genres (it predates them, or its data had none): one colour for all items');
  // an item-item model (EASE, ItemKNN): its rows score the whole catalog
  const itemItem = dim === model.numItems && dim > 256;
  if (itemItem) print(`note: ${model.constructor.name} describes items by their scores of other items; the map uses the scores among the mapped items`);
  const result = sg.viz.itemMap(values, model.numItems, dim, {
    itemItem,
    items: a.items as number, counts, titles: meta.itemTitles, labels: a.labels as number,
    perplexity: a.perplexity as number, iterations: a.iterations as number,
    ...(genres ?? {}),
    title: `item embeddings of ${a.model as string}${meta.dataset ? ` (${meta.dataset})` : ''}`,
  });
  writeFileSync(a.out as string, result.svg);
  const n = result.items.length;
  const p = result.preservation;
  print(`Map: t-SNE of ${counts ? `the ${n.toLocaleString('en-US')} most-rated` : n.toLocaleString('en-US')} of ${model.numItems.toLocaleString('en-US')} items `
    + `(${itemItem ? `item-item scores among them` : `${dim}-d embeddings`}, cosine), ${a.iterations} iterations, KL ${result.kl.toFixed(3)}, ${result.seconds.toFixed(1)} s`);
  print(`Neighbourhood preservation (share of each item's ${p.k} nearest neighbours that are also its ${p.k} nearest on the map): `
    + `t-SNE ${p.tsne.toFixed(3)}, PCA ${p.pca.toFixed(3)}, random ${p.random.toFixed(3)}`);
  const g = result.groupAgreement;
  if (g && genres) {
    print(`Same first genre among the ${p.k} nearest: in the embedding ${g.embedding.toFixed(3)}, on the map ${g.map.toFixed(3)}, by chance ${g.chance.toFixed(3)}`);
  }
  print(`Wrote ${a.out}`);
}

function itemCounts(seen: sg.CSR, numItems: number): Int32Array {
  const counts = new Int32Array(numItems);
  for (const i of seen.indices) counts[i]++;
  return counts;
}
