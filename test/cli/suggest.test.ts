/** Did-you-mean: edit distance with adjacent swaps, prefixes, and no guess when nothing is close. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { closest, editDistance } from '../../bin/suggest.js';
import { formatHelp, wrap } from '../../bin/help.js';

test('edit distance', () => {
  assert.is(editDistance('train', 'train'), 0);
  assert.is(editDistance('trian', 'train'), 1, 'an adjacent swap is one edit');
  assert.is(editDistance('epoch', 'epochs'), 1);
  assert.is(editDistance('', 'abc'), 3);
  assert.is(editDistance('kitten', 'sitting'), 3);
});

test('closest: prefixes, typos, nothing for strangers', () => {
  const opts = ['--epochs', '--batch-size', '--lr', '--log-file', '--seed', '--help'];
  assert.is(closest('--epoch', opts), '--epochs');
  assert.is(closest('--batch', opts), '--batch-size', 'a unique prefix');
  assert.is(closest('--bacth-size', opts), '--batch-size');
  assert.is(closest('--ir', opts), '--lr');
  assert.is(closest('--EPOCHS', opts), '--epochs', 'case-insensitive');
  assert.is(closest('--transformer', opts), null);
  assert.is(closest('fly', ['train', 'recommend', 'map']), null);
  assert.is(closest('mpa', ['train', 'recommend', 'map']), 'map');
});

test('help layout: wraps long help under its column; examples indented under their command', () => {
  assert.is(wrap('a b c d', 3, 2), 'a b\n  c d');
  const h = formatHelp({
    name: 'demo', summary: 'a demo',
    options: [{ name: 'very-long-option-name-here', type: 'string', help: 'x '.repeat(60).trim() }, { name: 'k', alias: 'k', type: 'number', default: 10, help: 'how many' }],
    examples: [['sparsegrad demo -k 3', 'three']],
  });
  assert.match(h, /^sparsegrad demo — a demo\n\nUsage: sparsegrad demo \[options\]\n\nOptions:\n/);
  assert.match(h, /-k, --k <n>\s+how many \(default: 10\)/);
  assert.ok(h.split('\n').every((l) => l.length <= 100), 'lines fit 100 columns');
  assert.match(h, /Examples:\n  sparsegrad demo -k 3\n      three$/);
});

test('every command of the CLI has examples in its help', async () => {
  const { COMMANDS } = await import('../../bin/cli.js');
  for (const { spec } of COMMANDS) assert.ok((spec.examples?.length ?? 0) > 0, `${spec.name} has no examples`);
});

test.run();
