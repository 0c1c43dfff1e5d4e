#!/usr/bin/env node
// The API reference, generated from the doc comments by TypeDoc (a dev dependency: it reads
// the TypeScript program the way tsc does, so every exported name, signature and comment
// comes from the source — nothing written twice):
//   node scripts/api-docs.mjs           → docs/api/index.html (HTML, git-ignored; typedoc.json)
//   node scripts/api-docs.mjs --check   → no output files; fails when an exported API refers
//                                         to a type the package does not export (a user could
//                                         not name it), on a broken {@link}, or on a broken
//                                         relative link or #anchor in the repository's Markdown
// The test suite runs --check (test/package/api-docs.test.ts).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkMarkdownLinks, trackedMarkdown } from './doc-links.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const check = process.argv.includes('--check');
// --check emits nothing, so it needs no source links: without --disableSources TypeDoc warns (an
// error under --treatWarningsAsErrors) in a checkout with no usable git remote, e.g. one never pushed.
const typedoc = spawnSync(process.execPath, ['node_modules/typedoc/bin/typedoc', ...(check ? ['--emit', 'none', '--treatWarningsAsErrors', '--disableSources'] : [])], {
  cwd: root, encoding: 'utf8',
});
const typedocOut = `${typedoc.stdout}${typedoc.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
let failed = typedoc.status !== 0;
if (failed || !check) process.stdout.write(typedocOut);
if (check) {
  const problems = checkMarkdownLinks(root, trackedMarkdown(root));
  for (const p of problems) console.log(`broken link: ${p}`);
  failed ||= problems.length > 0;
  console.log(failed ? 'api-docs: check failed' : 'api-docs: every type the API names is exported; every link resolves');
}
process.exit(failed ? 1 : 0);
