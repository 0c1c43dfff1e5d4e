// Broken links in Markdown: a relative link must name a file (or folder) that exists, and a
// #anchor must match a heading of the file it points into (GitHub's heading slugs).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** The repository's Markdown files (tracked by git), relative to `root`. */
export function trackedMarkdown(root) {
  return execFileSync('git', ['ls-files', '*.md'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading) {
  return heading.trim().toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(text) {
  const seen = new Map();
  const out = new Set();
  for (const line of text.replace(/```[\s\S]*?```/g, '').split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1].replace(/`/g, ''));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** Every broken relative link of `files` (paths relative to `root`), as 'file: target (why)'. */
export function checkMarkdownLinks(root, files) {
  const problems = [];
  const anchors = new Map();
  const anchorsIn = (path) => {
    if (!anchors.has(path)) anchors.set(path, anchorsOf(readFileSync(path, 'utf8')));
    return anchors.get(path);
  };
  for (const file of files) {
    const path = join(root, file);
    const text = readFileSync(path, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
    for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [file2, anchor] = target.split('#');
      const dest = file2 ? join(dirname(path), decodeURIComponent(file2)) : path;
      if (!existsSync(dest)) { problems.push(`${file}: ${target} (no such file)`); continue; }
      if (anchor && dest.endsWith('.md') && statSync(dest).isFile() && !anchorsIn(dest).has(anchor.toLowerCase())) {
        problems.push(`${file}: ${target} (no heading '#${anchor}' in ${relative(root, dest)})`);
      }
    }
  }
  return problems;
}
