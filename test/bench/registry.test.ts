import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { registry, selectBenchmarks } from '../../bench/registry.js';
import { parseBenchArgs } from '../../bench/cli.js';
import { SIZE_MODES } from '../../bench/types.js';

test('every benchmark declares cases for every size, with unique ids, used by its comparisons and charts', () => {
  const names = new Set<string>();
  for (const b of registry) {
    assert.not.ok(names.has(b.name), `duplicate benchmark ${b.name}`);
    names.add(b.name);
    assert.ok(b.comparisons.length > 0, `${b.name}: no comparisons`);
    for (const [size, backend] of SIZE_MODES.flatMap((m) => [[m, 'cpu'], [m, 'webgl']] as const)) {
      const cases = b.cases(size, backend);
      assert.ok(cases.length > 0, `${b.name}/${size}/${backend}: no cases`);
      assert.is(new Set(cases.map((c) => c.id)).size, cases.length, `${b.name}/${size}: duplicate case ids`);
      for (const cmp of b.comparisons) {
        assert.ok(cmp.sides.length > 0, `${b.name}/${cmp.id}: no sides`);
        assert.ok(cases.some((c) => !cmp.appliesTo || cmp.appliesTo(c)), `${b.name}/${size}: comparison ${cmp.id} has no case`);
      }
    }
    for (const ch of b.charts ?? []) {
      assert.ok(b.comparisons.some((c) => c.id === ch.comparison), `${b.name}: chart ${ch.id} names unknown comparison ${ch.comparison}`);
      const full = b.cases('full').filter((c) => Object.entries(ch.where ?? {}).every(([k, v]) => c.params[k] === v));
      assert.ok(full.length >= 2 && full.every((c) => typeof c.params[ch.x] === 'number'), `${b.name}: chart ${ch.id} has fewer than 2 numeric points in full mode`);
    }
  }
});

test('--only selects by name and rejects unknown names, listing the known ones', () => {
  assert.equal(selectBenchmarks(['scaling']).map((b) => b.name), ['scaling']);
  assert.throws(() => selectBenchmarks(['nope']), /unknown benchmark 'nope' \(known: sparse-grad/);
});

test('argument parsing', () => {
  const a = parseBenchArgs(['--quick', '--only', 'sparse-grad,scaling', '--backend', 'cpu', '--out=dir']);
  assert.equal([a.size, a.only, a.backends, a.out], ['quick', ['sparse-grad', 'scaling'], ['cpu'], 'dir']);
  assert.equal(parseBenchArgs([]).backends, ['cpu', 'webgl']);
  assert.is(parseBenchArgs([]).size, 'full');
  assert.throws(() => parseBenchArgs(['--backend', 'tpu']), /--backend must be cpu, webgl, webgpu or all/);
  assert.equal(parseBenchArgs(['--backend', 'webgpu']).backends, ['webgpu']);
  assert.throws(() => parseBenchArgs(['--frobnicate']), /unknown option '--frobnicate'/);
  assert.throws(() => parseBenchArgs(['--only']), /--only needs a value/);
});

test.run();
