/**
 * Atomic file replacement: write a temp file next to the target, fsync it, rename it over
 * the target. A reader sees the old file or the new one, never half of one.
 *
 * Only regular files are replaced: a device, FIFO or socket at the target is refused, and a
 * symbolic link is followed (its target is replaced, the link kept).
 *
 * Temp files never outlive a failure: any error while writing (ENOSPC, EIO, the target
 * being a directory) removes the temp before the error is thrown, naming the target. A
 * process killed mid-write (kill -9, power loss) cannot clean up, so every write first
 * sweeps the target's stale temps: names `<target>.tmp-<pid>-<nonce>` whose process is no
 * longer alive (the pid is checked with signal 0).
 */
import type * as FS from 'node:fs';

/** The fs calls the writers use: Node's by default; tests inject faults through this. */
export type SyncFs = Pick<typeof FS, 'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'unlinkSync' | 'statSync' | 'readdirSync'>
  & Partial<Pick<typeof FS, 'realpathSync'>>;

const TEMP = /^(.*)\.tmp-(\d+)-[0-9a-z]+$/;
/** the data-set cache's temp names before this module existed: `<file>.<pid>.tmp` */
const OLD_CACHE_TEMP = /^(.*)\.(\d+)\.tmp$/;

function nonce(): string {
  return Math.floor(Math.random() * 2 ** 48).toString(36);
}

/** A fresh temp path for `target`, in the same directory (so rename stays atomic). */
export function tempPathFor(target: string): string {
  return `${target}.tmp-${process.pid}-${nonce()}`;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** Removes temps of `target` left by dead processes; returns how many. Never throws. */
export function sweepStaleTemps(fs: SyncFs, dir: string, base: string, join: (a: string, b: string) => string): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir) as string[];
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const m = TEMP.exec(name) ?? OLD_CACHE_TEMP.exec(name);
    if (!m || m[1] !== base || alive(Number(m[2]))) continue;
    try {
      fs.unlinkSync(join(dir, name));
      removed++;
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/** `target` with symbolic links resolved, when it exists and `fs` can resolve them; else `target`. */
function followLink(fs: SyncFs, target: string): string {
  if (!fs.realpathSync) return target;
  try {
    return fs.realpathSync(target) as string;
  } catch {
    return target; // does not exist yet (or a dangling link: written as a new file at the link's path)
  }
}

/** Why `target` cannot be written, checked before any work: it is a directory, or its directory is missing. */
export function checkWritableTarget(fs: SyncFs, target: string, dir: string, what: string): void {
  let st: FS.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) throw new Error(`${what}: ${target} is a directory; give a file path (e.g. ${target.replace(/\/+$/, '')}/model.sgm)`);
  // A rename over a device, FIFO or socket would replace that node itself (as root,
  // `--out /dev/null` would turn /dev/null into a regular file): only regular files are replaced.
  if (st && !st.isFile()) throw new Error(`${what}: ${target} is not a regular file (a device, FIFO or socket); the file is written by renaming a finished temp over the target, which would replace it — give a file path`);
  let d: FS.Stats;
  try {
    d = fs.statSync(dir);
  } catch {
    throw new Error(`${what}: the directory ${dir} of ${target} does not exist`);
  }
  if (!d.isDirectory()) throw new Error(`${what}: ${dir} (the directory of ${target}) is not a directory`);
}

/**
 * Writes `chunks` to `target` atomically (synchronously). On any failure the temp file is
 * removed and the error names `target`; the previous `target`, if any, is left untouched.
 */
export function writeFileAtomicSync(target: string, chunks: Iterable<Uint8Array>, opts: { fs: SyncFs; dirname: (p: string) => string; basename: (p: string) => string; join: (a: string, b: string) => string; what: string }): void {
  const { fs, what } = opts;
  // A symbolic link is followed, so the link stays and the file it points at is replaced
  // (renaming over the link itself would silently turn it into a plain file).
  target = followLink(fs, target);
  const dir = opts.dirname(target);
  checkWritableTarget(fs, target, dir, what);
  sweepStaleTemps(fs, dir, opts.basename(target), opts.join);
  const tmp = tempPathFor(target);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx');
    for (const c of chunks) {
      for (let done = 0; done < c.byteLength;) done += fs.writeSync(fd, c, done, Math.min(c.byteLength - done, 1 << 30));
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, target);
  } catch (e) {
    if (fd !== null) {
      try { fs.closeSync(fd); } catch { /* already failing */ }
    }
    try { fs.unlinkSync(tmp); } catch { /* never created, or renamed */ }
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOSPC' ? 'the disk is full' : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied'
      : err.code === 'EROFS' ? 'the file system is read-only' : err.message;
    const wrapped = new Error(`${what}: could not write ${target}: ${why} (nothing was changed; no temp file is left)`);
    (wrapped as NodeJS.ErrnoException).code = err.code;
    throw wrapped;
  }
}
