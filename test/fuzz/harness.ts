/**
 * Fuzzing harness: seeded mutations of real-format files, each suite run in a child
 * process so that a crash (a native abort), a hang (a timeout) or a memory blow-up (peak
 * RSS) fails the test instead of taking the test runner down with it.
 *
 * A suite file calls `fuzzSuite(name, cases, runCase)`: in the test runner it registers one
 * test that re-runs the same (built) file as a child with SG_FUZZ=<name>; in the child it
 * runs `cases` seeded cases and prints a summary line. Every case must end in "a clear
 * error or a correct load" — runCase asserts which, and throws otherwise.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { randomStream, type RandomStream } from '../../core/random.js';

export type Outcome = 'error' | 'ok';

/** Bytes that make parsers take odd branches: digits, separators, quotes, line ends, NUL, invalid UTF-8, letters of "e", "NaN". */
const ALPHABET = Buffer.from('0123456789,,,::\t\n\n\r"" .-+eE:|\x00\xff\xc3\xa9NaI', 'latin1');
/** Numbers that overflow, underflow or sit on a boundary. */
const HUGE = ['99999999999999999999', '2147483648', '4294967297', '-1', '-0', '1e308', '1e999', '1e-400', '0.0000000001', '4.50000001',
  'NaN', 'Infinity', '9'.repeat(400), '1'.repeat(30) + '.5', '0x10', '1_000'];

export interface Mutated {
  bytes: Buffer;
  what: string;
}

/** One random mutation of `base`: bit flips, a cut, inserted bytes, a huge number, a deleted or repeated range. */
export function mutate(base: Buffer, r: RandomStream): Mutated {
  const n = base.length;
  const pos = () => r.int(n + 1);
  switch (r.int(6)) {
    case 0: {
      const b = Buffer.from(base);
      const flips = 1 + r.int(4);
      const at: number[] = [];
      for (let k = 0; k < flips && n > 0; k++) {
        const p = r.int(n);
        b[p] ^= 1 << r.int(8);
        at.push(p);
      }
      return { bytes: b, what: `flip bits at ${at.join(', ')}` };
    }
    case 1: {
      const p = pos();
      return { bytes: base.subarray(0, p), what: `truncate to ${p} bytes` };
    }
    case 2: {
      const p = pos();
      const ins = Buffer.from(Array.from({ length: 1 + r.int(16) }, () => ALPHABET[r.int(ALPHABET.length)]));
      return { bytes: Buffer.concat([base.subarray(0, p), ins, base.subarray(p)]), what: `insert ${JSON.stringify(ins.toString('latin1'))} at ${p}` };
    }
    case 3: {
      // replace a run of digits with a huge number (or write one anywhere)
      const text = base.toString('latin1');
      const runs = [...text.matchAll(/\d+(\.\d+)?/g)];
      const h = HUGE[r.int(HUGE.length)];
      if (runs.length === 0) {
        const p = pos();
        return { bytes: Buffer.concat([base.subarray(0, p), Buffer.from(h), base.subarray(p)]), what: `insert ${h.slice(0, 30)} at ${p}` };
      }
      const m = runs[r.int(runs.length)];
      const a = m.index!;
      return { bytes: Buffer.concat([base.subarray(0, a), Buffer.from(h, 'latin1'), base.subarray(a + m[0].length)]), what: `number at ${a} → ${h.slice(0, 30)}` };
    }
    case 4: {
      const a = pos();
      const b = Math.min(n, a + 1 + r.int(40));
      return { bytes: Buffer.concat([base.subarray(0, a), base.subarray(b)]), what: `delete bytes ${a}..${b}` };
    }
    default: {
      const a = pos();
      const b = Math.min(n, a + 1 + r.int(60));
      const p = pos();
      return { bytes: Buffer.concat([base.subarray(0, p), base.subarray(a, b), base.subarray(p)]), what: `copy bytes ${a}..${b} to ${p}` };
    }
  }
}

export const rng = (name: string, seed: number) => randomStream(`fuzz/${name}`, seed);

/** The limits every case is held to, besides its own assertions. */
export const LIMITS = { caseMs: 3000, messageChars: 1200, rssBytes: 1.5 * 2 ** 30 };

/**
 * In the test runner: one test that runs this suite in a child (crash, hang and memory
 * checked there). In the child (SG_FUZZ=name): the cases.
 */
export function fuzzSuite(name: string, fileUrl: string, cases: number, setup: () => Promise<(k: number) => Promise<Outcome>>): void {
  if (process.env.SG_FUZZ === name) {
    void (async () => {
      const runCase = await setup();
      const counts: Record<Outcome, number> = { error: 0, ok: 0 };
      const t0 = performance.now();
      for (let k = 0; k < cases; k++) {
        process.stderr.write(`case ${k}\r`);
        const c0 = performance.now();
        counts[await runCase(k)]++;
        const ms = performance.now() - c0;
        if (ms > LIMITS.caseMs) throw new Error(`case ${k} took ${ms.toFixed(0)} ms (limit ${LIMITS.caseMs})`);
      }
      const rss = process.resourceUsage().maxRSS * 1024;
      console.log(JSON.stringify({ suite: name, cases, ...counts, seconds: (performance.now() - t0) / 1000, peakRssMB: Math.round(rss / 2 ** 20) }));
    })().catch((e) => {
      process.stderr.write(`\nFUZZ FAILURE in ${name}: ${(e as Error).stack ?? e}\n`);
      process.exit(1);
    });
    return;
  }
  if (process.env.SG_FUZZ) return; // a child of another suite
  test(`fuzz ${name}: ${cases} seeded mutations, each a clear error or a correct load (no crash, hang or wrong data)`, () => {
    const r = spawnSync(process.execPath, ['--enable-source-maps', fileURLToPath(fileUrl)], {
      env: { ...process.env, SG_FUZZ: name, SPARSEGRAD_THREADS: '1' }, encoding: 'utf8', timeout: 90_000, maxBuffer: 1 << 24,
    });
    const tail = (r.stderr ?? '').slice(-3000);
    assert.is(r.signal, null, `the ${name} fuzz child was killed by ${r.signal} (a hang or a crash): ${tail}`);
    assert.is(r.status, 0, `the ${name} fuzz child failed: ${tail}`);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.is(summary.cases, cases);
    assert.ok(summary.error > 0 && summary.ok > 0, `both outcomes occur (${JSON.stringify(summary)})`);
    assert.ok(summary.peakRssMB * 2 ** 20 < LIMITS.rssBytes, `peak RSS ${summary.peakRssMB} MB`);
    console.log(`  ${JSON.stringify(summary)}`);
  });
  test.run();
}

/** An error is "clear" when it is an Error with a bounded message naming where (file and, for data, line). */
export function assertClear(e: unknown, mustMention: string, what: string): void {
  if (!(e instanceof Error)) throw new Error(`${what}: threw a non-Error ${String(e)}`);
  const msg = e.message;
  if (msg.length > LIMITS.messageChars) throw new Error(`${what}: unbounded message (${msg.length} chars): ${msg.slice(0, 300)}`);
  if (!msg.includes(mustMention)) throw new Error(`${what}: the message does not name ${mustMention}: ${e.name}: ${msg}\n${e.stack}`);
  if (/Cannot read propert|is not a function|is not iterable|Invalid (typed )?array length|Maximum call stack|out of memory/.test(msg)) {
    throw new Error(`${what}: an internal error leaked out instead of a clear one: ${msg}\n${e.stack}`);
  }
}
