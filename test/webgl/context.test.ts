/**
 * What goes wrong says what is wrong: no X display, a lost context, a shader that does not
 * compile. Plus the pool and program cache doing their jobs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createWebGLBackend, WebGLBackend } from '../../backends/webgl/index.js';
import { GLSL_ADDRESSING } from '../../backends/webgl/layout.js';

// Child mode: this same file, run by `node` without DISPLAY, only tries to make a context.
if (process.env.SG_WEBGL_CONTEXT_CHILD) {
  createWebGLBackend().then(
    () => console.log('CONTEXT OK'),
    (e: Error) => console.log(`CONTEXT ERROR: ${e.message}`),
  );
} else {
  test('without an X display the error says to use xvfb-run', () => {
    const env: Record<string, string | undefined> = { ...process.env, SG_WEBGL_CONTEXT_CHILD: '1' };
    delete env.DISPLAY;
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], { env, encoding: 'utf8', timeout: 30000 });
    const line = child.stdout.split('\n').find((l) => l.startsWith('CONTEXT')) ?? `(no output; stderr: ${child.stderr.slice(-500)})`;
    assert.match(line, /CONTEXT ERROR: .*DISPLAY is not set.*xvfb-run -a/);
  });

  test('a lost context fails loudly instead of computing zeros', async () => {
    const real = await createWebGLBackend();
    let lost = false;
    const be = new WebGLBackend({ ...real.ctx, isLost: () => lost, release: () => {} });
    const x = { dataId: be.write(Float32Array.from([1, 2, 3]), 'float32'), shape: [3], dtype: 'float32' as const };
    assert.equal(Array.from(be.readSync(be.unary('neg', x, 'float32'))), [-1, -2, -3]);
    lost = true;
    assert.throws(() => be.unary('exp', x, 'float32'), /context was lost/);
    assert.throws(() => be.readSync(x.dataId), /context was lost/);
    real.destroy();
  });

  test('a shader that does not compile names the kernel and carries the info log', async () => {
    const be = await createWebGLBackend();
    try {
      be.gpu.program('test:broken', 'myKernel', () => ({ fs: 'out vec4 o;\nvoid main() { o = vec4(undefinedThing); }' }));
      assert.unreachable('compiled a broken shader');
    } catch (e) {
      const msg = (e as Error).message;
      assert.match(msg, /webgl kernel 'myKernel': the fragment shader failed to compile/);
      assert.match(msg, /undefinedThing/);
    }
    be.destroy();
  });

  test('idiv / imod are exact integer division (float estimate, integer correction)', async () => {
    const be = await createWebGLBackend();
    const gpu = be.gpu;
    const program = gpu.program('test:idiv', 'idivTest', () => ({
      fs: `${GLSL_ADDRESSING}
uniform int uBase;
uniform int uStep;
out vec4 outColor;
void main() {
  int i = outIndex();
  int a = uBase + i * uStep;
  int ok = 1;
  for (int b = 1; b < 2000; b += 37) {
    int q = idiv(a, b);
    int r = imod(a, b);
    if (r < 0 || r >= b || q * b + r != a) ok = 0;
  }
  outColor = vec4(float(ok));
}`,
    }));
    for (const [base, step] of [[0, 1], [16777000, 1], [2147000000, 77], [123456789, 9973]]) {
      const out = gpu.output(4096, 'float32');
      gpu.draw(program, out, { uBase: base, uStep: step }, { size: 4096 });
      const v = gpu.read(out, 4096);
      assert.ok(v.every((x) => x === 1), `idiv wrong near ${base} (step ${step})`);
      gpu.release(out);
    }
    be.destroy();
  });

  test('programs are compiled once and textures come back from the pool', async () => {
    const be = await createWebGLBackend();
    const x = { dataId: be.write(new Float32Array(100).fill(2), 'float32'), shape: [100], dtype: 'float32' as const };
    const step = () => be.dispose(be.binary('mul', x, x, [100], 'float32'));
    step();
    const s1 = be.stats();
    for (let i = 0; i < 10; i++) step();
    const s2 = be.stats();
    assert.is(s2.programs, s1.programs, 'no new programs for the same shape-class');
    assert.is(s2.allocatedTextures, s1.allocatedTextures, 'no new textures: the pool hands them back');
    assert.is(be.memory().numBuffers, 1);
    be.dispose(x.dataId);
    assert.equal(be.memory(), { numBuffers: 0, numBytes: 0 });
    be.destroy();
  });

  test.run();
}
