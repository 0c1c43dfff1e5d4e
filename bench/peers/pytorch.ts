/**
 * Talks to the PyTorch step server (pytorch-steps.ts) in a child process: one process for the
 * whole benchmark run, started on first use, one request at a time. Where python3 or torch
 * is missing, `pytorch()` rejects with the reason and the peers benchmark skips PyTorch.
 * SPARSEGRAD_PYTHON names the interpreter (default python3).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PYTORCH_STEPS } from './pytorch-steps.js';

export interface PyTorchPeer {
  version: string;
  threads: number;
  request(msg: Record<string, unknown>): Promise<Record<string, unknown>>;
}

let peer: Promise<PyTorchPeer> | null = null;

function start(): Promise<PyTorchPeer> {
  const python = process.env.SPARSEGRAD_PYTHON || 'python3';
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(python, ['-u', '-c', PYTORCH_STEPS], { stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    return Promise.reject(new Error(`cannot start ${python}: ${(err as Error).message}`));
  }
  const waiting: { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
  let stderr = '';
  let dead: Error | null = null;
  const fail = (e: Error) => {
    dead = e;
    for (const w of waiting.splice(0)) w.reject(e);
  };
  child.stderr.on('data', (b) => { stderr = (stderr + b.toString()).slice(-2000); });
  child.on('error', (err) => fail(new Error(`cannot start ${python}: ${err.message}`)));
  child.on('exit', (code) => fail(new Error(`${python} exited (${code})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`)));
  // the pipe keeps this process alive only while a request waits for its answer
  const out = child.stdout as unknown as { ref?: () => void; unref?: () => void };
  createInterface({ input: child.stdout }).on('line', (line) => {
    const w = waiting.shift();
    if (waiting.length === 0) out.unref?.();
    if (!w) return;
    try {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (typeof msg.error === 'string') w.reject(new Error(`PyTorch: ${msg.error}`));
      else w.resolve(msg);
    } catch {
      w.reject(new Error(`PyTorch said: ${line.slice(0, 200)}`));
    }
  });
  // never keep the benchmark process alive for the peer (its stdin closes at exit, ending it)
  child.unref();
  for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void }).unref?.();
  const request = (msg: Record<string, unknown>) => new Promise<Record<string, unknown>>((resolve, reject) => {
    if (dead) return reject(dead);
    waiting.push({ resolve, reject });
    out.ref?.();
    child.stdin.write(JSON.stringify(msg) + '\n');
  });
  return request({ cmd: 'hello' }).then((hello) => ({
    version: String(hello.torch), threads: Number(hello.threads), request,
  }));
}

/** The running peer (started on first call), or a rejection saying why there is none. */
export function pytorch(): Promise<PyTorchPeer> {
  if (!peer) {
    peer = start();
    peer.catch(() => {}); // a missing peer is reported by each setup that asks
  }
  return peer;
}
