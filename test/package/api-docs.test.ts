/**
 * The API reference builds from the doc comments with every type the public API names
 * exported (TypeDoc's notExported / invalidLink validation as errors) and every relative link
 * and #anchor in the repository's Markdown resolves (`node scripts/api-docs.mjs --check`).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

test('api-docs --check: TypeDoc finds no unexported type and no broken link; the Markdown links resolve', () => {
  const r = spawnSync(process.execPath, ['scripts/api-docs.mjs', '--check'], { encoding: 'utf8' });
  assert.is(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /every type the API names is exported; every link resolves/);
});

test('the link checker finds missing files and anchors, and accepts good ones', async () => {
  const { checkMarkdownLinks, slug } = await import(pathToFileURL(resolve('scripts/doc-links.mjs')).href) as {
    checkMarkdownLinks(root: string, files: string[]): string[];
    slug(h: string): string;
  };
  assert.is(slug('Pictures (`sg.viz`, `sparsegrad plot`)'), 'pictures-sgviz-sparsegrad-plot');
  assert.is(slug('Where this differs from the design, and why'), 'where-this-differs-from-the-design-and-why');
  const dir = mkdtempSync(join(tmpdir(), 'sg-links-'));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'b.md'), '# Part two\n\n## Part two\n');
  writeFileSync(join(dir, 'a.md'), [
    '# Top', '[ok](docs/b.md) [ok anchor](docs/b.md#part-two) [dup](docs/b.md#part-two-1) [self](#top)',
    '[web](https://example.org/x) `[not a link](nope.md)`', '```', '[in code](nope.md)', '```',
    '[missing](nope.md) [bad anchor](docs/b.md#part-three) ![img](docs/missing.svg)',
  ].join('\n'));
  const problems = checkMarkdownLinks(dir, ['a.md', 'docs/b.md']);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(problems, [
    'a.md: nope.md (no such file)',
    "a.md: docs/b.md#part-three (no heading '#part-three' in docs/b.md)",
    'a.md: docs/missing.svg (no such file)',
  ]);
});

test.run();
