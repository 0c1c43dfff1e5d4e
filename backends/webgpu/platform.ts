/**
 * Getting a WebGPU device, in Node and in browsers, with errors that say how to get one.
 *
 * Node: the optional `webgpu` npm package (Dawn's Node binding, prebuilt for linux-x64,
 * macOS and Windows) over the system's Vulkan / Metal / D3D12. On a Linux machine with no
 * GPU, Dawn rejects Mesa's lavapipe, but SwiftShader's Vulkan driver — shipped inside
 * Debian's `chromium` package — works: when no Vulkan driver is installed (or
 * SPARSEGRAD_WEBGPU_ADAPTER=swiftshader), VK_ICD_FILENAMES is pointed at it before Dawn
 * starts. An explicit VK_ICD_FILENAMES is always respected.
 *
 * Browser: `navigator.gpu`. A cross-origin-isolated page (SharedArrayBuffer available)
 * gets a GPU worker and synchronous reads; otherwise WebGPU runs in the page's thread and
 * only `await t.data()` can read.
 *
 * Node modules are loaded through variable specifiers (`await import(name)`), so the
 * browser bundle contains no `node:` import and never evaluates this code's Node half.
 */
import { InlineHost, WorkerHost, workerSource, type Host, type WorkerPort } from './host.js';
import type { GPULike } from './gpu-types.js';

export interface WebGPUBackendOptions {
  /**
   * A GPU to use instead of finding one: `navigator.gpu`, or the `webgpu` package's
   * `create([...])`. It runs in this thread, so reads are asynchronous only.
   */
  gpu?: GPULike;
  /** Run WebGPU in a worker so that reads can be synchronous (default: wherever possible). */
  worker?: boolean;
  /** Node only: options for Dawn (`create(flags)`), e.g. ['backend=vulkan', 'adapter=SwiftShader Device (Subzero)']. */
  dawnFlags?: string[];
}

/** How the device was found, for `sg.info()`. */
export interface PlatformReport {
  /** 'webgpu package (Dawn)' in Node, 'navigator.gpu' in a browser, 'given' for options.gpu */
  source: string;
  /** Node: the Vulkan driver manifest Dawn was pointed at (null: the system's drivers) */
  vulkanDriver: string | null;
}

type ProcessLike = { versions?: { node?: string }; env: Record<string, string | undefined>; platform: string; cwd(): string; argv: string[] };
const proc = (globalThis as { process?: ProcessLike }).process;
const isNode = !!proc?.versions?.node;

/** Dynamic import through a variable, so bundlers leave Node modules alone. */
async function nodeModule<T>(name: string): Promise<T> {
  return (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as T;
}

// ---- Node -------------------------------------------------------------------------------

const INSTALL_HINT = "install it with 'npm install webgpu' (an optional dependency of sparsegrad; scripts/setup.sh installs it)";

/** The `webgpu` package's entry file, resolved from the working directory or the main script. */
async function resolveWebGPUPackage(): Promise<string> {
  const override = proc!.env.SPARSEGRAD_WEBGPU_MODULE;
  if (override) return override;
  const { createRequire } = await nodeModule<typeof import('node:module')>('node:module');
  const { join } = await nodeModule<typeof import('node:path')>('node:path');
  const bases = [join(proc!.cwd(), 'package.json'), proc!.argv[1]].filter((b): b is string => !!b);
  for (const base of bases) {
    try {
      return createRequire(base).resolve('webgpu');
    } catch {
      // try the next base
    }
  }
  throw new Error(`webgpu: the 'webgpu' package (Dawn's Node binding) was not found from ${bases.join(' or ')}; ${INSTALL_HINT}`);
}

const VULKAN_DRIVER_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const SWIFTSHADER_MANIFESTS = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',          // Debian / Ubuntu chromium
  '/usr/lib64/chromium-browser/vk_swiftshader_icd.json', // Fedora
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
  '/opt/google/chrome/vk_swiftshader_icd.json',
];
const VULKAN_LOADERS = ['/usr/lib/x86_64-linux-gnu/libvulkan.so.1', '/usr/lib/aarch64-linux-gnu/libvulkan.so.1', '/usr/lib64/libvulkan.so.1', '/usr/lib/libvulkan.so.1'];

interface VulkanSetup {
  /** the driver manifest we pointed VK_ICD_FILENAMES at (null: left to the system) */
  chosen: string | null;
  /** a SwiftShader manifest to fall back to if the system's drivers give no adapter */
  fallback: string | null;
  notes: string[];
}

async function setUpVulkan(): Promise<VulkanSetup> {
  const setup: VulkanSetup = { chosen: null, fallback: null, notes: [] };
  if (proc!.platform !== 'linux') return setup;
  const { existsSync, readdirSync } = await nodeModule<typeof import('node:fs')>('node:fs');
  if (!VULKAN_LOADERS.some((p) => existsSync(p))) {
    setup.notes.push("the Vulkan loader libvulkan.so.1 was not found (Debian: 'apt-get install libvulkan1')");
  }
  if (proc!.env.VK_ICD_FILENAMES) {
    setup.notes.push(`VK_ICD_FILENAMES=${proc!.env.VK_ICD_FILENAMES} (set by you)`);
    return setup;
  }
  const swiftshader = proc!.env.SPARSEGRAD_SWIFTSHADER_ICD ?? SWIFTSHADER_MANIFESTS.find((p) => existsSync(p)) ?? null;
  if (!swiftshader) setup.notes.push("no SwiftShader Vulkan driver was found (Debian: 'apt-get install chromium' ships one in /usr/lib/chromium)");
  const systemDrivers = VULKAN_DRIVER_DIRS.flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => `${d}/${f}`);
    } catch {
      return [];
    }
  });
  const forced = proc!.env.SPARSEGRAD_WEBGPU_ADAPTER === 'swiftshader';
  if (swiftshader && (forced || systemDrivers.length === 0)) {
    // setenv in this process: Dawn's Vulkan loader reads it when it starts (in the worker)
    proc!.env.VK_ICD_FILENAMES = swiftshader;
    setup.chosen = swiftshader;
  } else {
    if (systemDrivers.length > 0) setup.notes.push(`system Vulkan drivers: ${systemDrivers.join(', ')}`);
    setup.fallback = swiftshader;
  }
  return setup;
}

function noAdapterError(where: string, vk: VulkanSetup, reason: string): Error {
  const tried = vk.chosen ? `SwiftShader (${vk.chosen})` : (proc?.env.VK_ICD_FILENAMES ?? "the system's Vulkan drivers");
  return new Error(`webgpu: no WebGPU adapter in ${where} (${reason}; tried ${tried}). ` +
    (vk.notes.length ? `Notes: ${vk.notes.join('; ')}. ` : '') +
    'To get one: a GPU with a Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver; or, with no GPU, ' +
    "SwiftShader's software Vulkan driver: 'apt-get install libvulkan1 chromium' (scripts/setup.sh --browser does), " +
    'which this backend finds by itself, or set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json.');
}

function nodeWorkerPort(worker: import('node:worker_threads').Worker): WorkerPort {
  // An idle GPU worker must not keep the process alive. Adding a 'message' listener refs the
  // worker's port again, so unref after each one — unless the worker is opening its device or
  // a read is outstanding (the host says so with keepAlive).
  let kept = true;
  const settle = () => (kept ? worker.ref() : worker.unref());
  settle();
  return {
    post: (m, t) => worker.postMessage(m, t as never),
    onMessage: (f) => {
      worker.on('message', f);
      settle();
    },
    onExit: (f) => {
      worker.on('error', (e) => f(e.message));
      worker.on('exit', (code) => f(`exit code ${code}`));
      settle();
    },
    terminate: () => void worker.terminate(),
    keepAlive: (on) => {
      kept = on;
      settle();
    },
  };
}

async function openNode(options: WebGPUBackendOptions): Promise<{ host: Host; report: PlatformReport }> {
  const modulePath = await resolveWebGPUPackage();
  const vk = await setUpVulkan();
  const flags = options.dawnFlags ?? [];
  const attempt = async (): Promise<Host> => {
    if (options.worker === false) {
      const { pathToFileURL } = await nodeModule<typeof import('node:url')>('node:url');
      const mod = await nodeModule<{ create(flags: string[]): GPULike }>(pathToFileURL(modulePath).href);
      return InlineHost.open(mod.create(flags));
    }
    const { Worker } = await nodeModule<typeof import('node:worker_threads')>('node:worker_threads');
    const worker = new Worker(workerSource('node'), { eval: true, workerData: { modulePath, flags } });
    return WorkerHost.open(nodeWorkerPort(worker));
  };
  try {
    return { host: await attempt(), report: { source: 'webgpu package (Dawn)', vulkanDriver: vk.chosen } };
  } catch (e) {
    const message = (e as Error).message;
    if (!message.startsWith('no-adapter')) {
      if (/Cannot find|ERR_MODULE_NOT_FOUND|ERR_DLOPEN_FAILED|dawn\.node/.test(message)) {
        throw new Error(`webgpu: the 'webgpu' package could not be loaded (${message}); ${INSTALL_HINT}`);
      }
      throw new Error(`webgpu: could not open a device: ${message}`);
    }
    // the system's drivers gave nothing: try SwiftShader once
    if (vk.fallback) {
      proc!.env.VK_ICD_FILENAMES = vk.fallback;
      vk.chosen = vk.fallback;
      try {
        return { host: await attempt(), report: { source: 'webgpu package (Dawn)', vulkanDriver: vk.chosen } };
      } catch (e2) {
        throw noAdapterError('Node', vk, (e2 as Error).message);
      }
    }
    throw noAdapterError('Node', vk, message);
  }
}

// ---- browser ------------------------------------------------------------------------------

const BROWSER_HINT = 'WebGPU needs Chrome/Edge 113+, Safari 26+ or Firefox 141+ with a supported GPU; a headless Chromium ' +
  'needs --enable-unsafe-webgpu --enable-features=Vulkan --use-webgpu-adapter=swiftshader';

async function openBrowser(options: WebGPUBackendOptions): Promise<{ host: Host; report: PlatformReport }> {
  const g = globalThis as { navigator?: { gpu?: GPULike }; crossOriginIsolated?: boolean; Worker?: unknown; Blob?: unknown; URL?: { createObjectURL?: unknown } };
  const gpu = g.navigator?.gpu;
  if (!gpu) throw new Error(`webgpu: this browser has no navigator.gpu. ${BROWSER_HINT}.`);
  const report: PlatformReport = { source: 'navigator.gpu', vulkanDriver: null };
  const workerPossible = options.worker !== false && g.crossOriginIsolated === true && typeof g.Worker === 'function';
  try {
    if (!workerPossible) return { host: await InlineHost.open(gpu), report };
    const url = URL.createObjectURL(new Blob([workerSource('browser')], { type: 'text/javascript' }));
    const worker = new Worker(url);
    URL.revokeObjectURL(url);
    const port: WorkerPort = {
      post: (m, t) => worker.postMessage(m, t ?? []),
      onMessage: (f) => worker.addEventListener('message', (e) => f((e as MessageEvent).data)),
      onExit: (f) => worker.addEventListener('error', (e) => f((e as ErrorEvent).message ?? 'error')),
      terminate: () => worker.terminate(),
    };
    return { host: await WorkerHost.open(port), report };
  } catch (e) {
    const message = (e as Error).message;
    if (message.startsWith('no-adapter')) throw new Error(`webgpu: navigator.gpu.requestAdapter() returned null: no usable adapter. ${BROWSER_HINT}.`);
    throw new Error(`webgpu: could not open a device: ${message}`);
  }
}

/** Opens a device wherever we are. */
export async function openHost(options: WebGPUBackendOptions = {}): Promise<{ host: Host; report: PlatformReport }> {
  if (options.gpu) {
    try {
      return { host: await InlineHost.open(options.gpu), report: { source: 'given', vulkanDriver: null } };
    } catch (e) {
      throw new Error(`webgpu: the given GPU offers no device: ${(e as Error).message}`);
    }
  }
  return isNode ? openNode(options) : openBrowser(options);
}
