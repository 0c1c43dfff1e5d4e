#!/usr/bin/env node
// Runs sparsegrad's browser bundle in headless Chromium (Debian's /usr/bin/chromium, WebGL2 on
// SwiftShader): builds the bundle, serves it with a page on 127.0.0.1, and the page POSTs its
// results back. Used by test/webgl/browser.test.ts; run directly for a quick check:
//   node scripts/browser-test.mjs        → trains a few MF steps on 'webgl' in Chromium
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { browserIifeOptions } from './browser-build.mjs';

/** Builds the browser bundle to `outfile` (default: a temp file); returns its path. */
export async function buildBrowserBundle(outfile = join(mkdtempSync(join(tmpdir(), 'sg-bundle-')), 'sparsegrad.browser.js')) {
  await build({ ...browserIifeOptions, outfile });
  return outfile;
}

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Chromium flags for WebGPU on SwiftShader in a headless browser with no GPU. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader'];

/**
 * Serves `bundlePath` (as /sparsegrad.js) and a page running `pageScript`, opens it in headless
 * Chromium, and resolves with what the page POSTs to /result (any JSON). The page calls
 * `report(value)`; uncaught errors are reported as {error}. Chromium is killed after
 * `timeoutMs` (a hang fails instead of blocking CI). `chromiumArgs` are added to Chromium's
 * (the WebGPU run: WEBGPU_ARGS); `isolated` serves the page cross-origin isolated
 * (COOP/COEP headers), which gives it SharedArrayBuffer — and the webgpu backend its worker.
 */
export async function runInChromium({ bundlePath, pageScript, timeoutMs = 60000, chromiumArgs = [], isolated = false }) {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`browser test: ${CHROMIUM} not found; install Debian's chromium ('apt-get install -y chromium', or scripts/setup.sh --browser)`);
  }
  const bundle = readFileSync(bundlePath);
  const page = `<!doctype html><meta charset="utf-8"><title>sparsegrad webgl</title>
<script>
  function report(value) { return fetch('/result', { method: 'POST', body: JSON.stringify(value) }); }
  addEventListener('error', (e) => report({ error: 'uncaught: ' + (e.error && e.error.stack || e.message) }));
  addEventListener('unhandledrejection', (e) => report({ error: 'unhandled: ' + (e.reason && e.reason.stack || e.reason) }));
</script>
<script src="/sparsegrad.js"></script>
<script type="module">${pageScript}</script>`;

  let settle;
  const result = new Promise((resolve) => { settle = resolve; });
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        res.end('ok');
        try { settle({ value: JSON.parse(body) }); } catch (e) { settle({ value: { error: `bad JSON from the page: ${e.message}` } }); }
      });
      return;
    }
    const isolation = isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
    if (req.url === '/sparsegrad.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', ...isolation });
      res.end(bundle);
    } else if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html', ...isolation });
      res.end(page);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/`;
  const profile = mkdtempSync(join(tmpdir(), 'sg-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-extensions', '--mute-audio', `--user-data-dir=${profile}`, ...chromiumArgs, url];
  // its own process group, so the renderer and GPU processes go with it
  const chrome = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  chrome.stderr.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  const exited = new Promise((resolve) => chrome.on('exit', (code, signal) => resolve({ code, signal })));
  let timeout;
  const timer = new Promise((resolve) => { timeout = setTimeout(() => resolve({ value: { error: `timed out after ${timeoutMs} ms` } }), timeoutMs); });
  const early = exited.then((e) => ({ value: { error: `chromium exited early (${e.code ?? e.signal})` } }));
  try {
    const out = await Promise.race([result, timer, early]);
    return { ...out.value, chromiumLog: stderr };
  } finally {
    clearTimeout(timeout);
    try { process.kill(-chrome.pid, 'SIGKILL'); } catch { /* already gone */ }
    let grace;
    await Promise.race([exited, new Promise((r) => { grace = setTimeout(r, 5000); })]);
    clearTimeout(grace);
    server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Renders a file (SVG or HTML) in headless Chromium to a PNG of `width`×`height` CSS pixels at
 * `out`; resolves with `out`. Used to look at the pictures (plot, map, benchmark charts) and to
 * test them by their pixels.
 */
export async function screenshot({ file, out, width = 900, height = 700, timeoutMs = 60000 }) {
  if (!existsSync(CHROMIUM)) throw new Error(`screenshot: ${CHROMIUM} not found ('apt-get install -y chromium', or scripts/setup.sh --browser)`);
  const profile = mkdtempSync(join(tmpdir(), 'sg-chromium-'));
  const args = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-extensions',
    `--user-data-dir=${profile}`, `--window-size=${width},${height}`, `--screenshot=${out}`, pathToFileURL(file).href];
  const chrome = spawn(CHROMIUM, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  chrome.stderr.on('data', (c) => { stderr = (stderr + c).slice(-4000); });
  let timer;
  const code = await new Promise((resolve) => {
    chrome.on('exit', (c) => resolve(c));
    timer = setTimeout(() => { try { process.kill(-chrome.pid, 'SIGKILL'); } catch { /* gone */ } resolve('timeout'); }, timeoutMs);
  });
  clearTimeout(timer);
  rmSync(profile, { recursive: true, force: true });
  if (code !== 0 || !existsSync(out)) throw new Error(`screenshot of ${file} failed (${code}):\n${stderr}`);
  return out;
}

// ---- standalone: a few MF steps on webgl in Chromium --------------------------------------
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bundlePath = await buildBrowserBundle();
  const out = await runInChromium({
    bundlePath,
    pageScript: `
      await sg.setBackend('webgl');
      const user = new sg.nn.Embedding({ num: 50, dim: 8, seed: 1, init: { kind: 'normal', std: 0.5 } });
      const item = new sg.nn.Embedding({ num: 40, dim: 8, seed: 2, init: { kind: 'normal', std: 0.5 } });
      const opt = new sg.optim.Adam([...user.parameters(), ...item.parameters()], { lr: 0.05 });
      const losses = [];
      for (let s = 0; s < 20; s++) {
        // four batches, cycled: the loss on each falls epoch by epoch
        const u = Int32Array.from({ length: 64 }, (_, k) => (k * 7 + (s % 4)) % 50);
        const i = Int32Array.from({ length: 64 }, (_, k) => (k * 3 + 2 * (s % 4)) % 40);
        const y = Float32Array.from(u, (x, k) => ((x + i[k]) % 5) / 2);
        losses.push(sg.tidy(() => {
          const l = sg.mse(sg.sum(sg.mul(user.forward(u), item.forward(i)), 1), sg.tensor(y));
          l.backward(); opt.step(); opt.zeroGrad();
          return l.item();
        }));
      }
      report({ info: sg.webglInfo(), losses });`,
  });
  rmSync(dirname(bundlePath), { recursive: true, force: true });
  if (out.error) {
    console.error(`browser run failed: ${out.error}\n${out.chromiumLog}`);
    process.exit(1);
  }
  console.log(`renderer: ${out.info.unmaskedRenderer ?? out.info.renderer}`);
  console.log(`losses by epoch (4 batches each): ${out.losses.map((l, k) => (k % 4 === 0 ? '| ' : '') + l.toFixed(4)).join(' ')}`);
}
