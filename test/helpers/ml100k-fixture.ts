/**
 * A generated ml-100k-style directory (no real data may ship): u.data, u1.base / u1.test
 * (80/20), u.item with titles and genre flags. Ratings 1–5 come from a rank-2 taste model
 * plus noise, so models have structure to learn; raw item ids start at 101 so an index is
 * never its id.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomStream } from '../../core/random.js';

export function writeMl100kFixture(dir: string, opts: { users?: number; items?: number; density?: number; seed?: number } = {}): void {
  const U = opts.users ?? 120;
  const I = opts.items ?? 80;
  const r = randomStream('ml100k-fixture', opts.seed ?? 1);
  mkdirSync(dir, { recursive: true });
  const a = Array.from({ length: U * 2 }, () => r.normal());
  const b = Array.from({ length: I * 2 }, () => r.normal());
  const all: string[] = [];
  const base: string[] = [];
  const test: string[] = [];
  for (let u = 0; u < U; u++) {
    for (let i = 0; i < I; i++) {
      if (r.next() > (opts.density ?? 0.45)) continue;
      const s = 3 + 0.9 * (a[2 * u] * b[2 * i] + a[2 * u + 1] * b[2 * i + 1]) + 0.3 * r.normal();
      const line = `${u + 1}\t${i + 101}\t${Math.max(1, Math.min(5, Math.round(s)))}\t${880000000 + u * 100 + i}`;
      all.push(line);
      (r.next() < 0.2 ? test : base).push(line);
    }
  }
  writeFileSync(join(dir, 'u.data'), `${all.join('\n')}\n`);
  writeFileSync(join(dir, 'u1.base'), `${base.join('\n')}\n`);
  writeFileSync(join(dir, 'u1.test'), `${test.join('\n')}\n`);
  const flags = (i: number) => Array.from({ length: 19 }, (_, g) => (g === i % 19 ? 1 : 0)).join('|');
  writeFileSync(join(dir, 'u.item'), Array.from({ length: I }, (_, i) => `${i + 101}|Movie ${i + 101} (19${50 + (i % 50)})|01-Jan-1995||http://x|${flags(i)}`).join('\n') + '\n');
}
