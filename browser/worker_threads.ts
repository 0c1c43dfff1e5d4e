/**
 * `node:worker_threads` in the browser builds: there are no Node workers, so the CPU
 * backend's second thread (backends/cpu/threads.ts) finds no `Worker` and runs every row on
 * the page's thread. scripts/browser-build.mjs maps the import here.
 */
export const Worker = undefined;
export const isMainThread = true;
export const parentPort = null;
export const workerData = null;
export const threadId = 0;
export const MessageChannel = undefined;
export const receiveMessageOnPort = undefined;
