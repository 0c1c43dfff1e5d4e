/**
 * A one-line progress bar on stderr for long loads (only on a terminal, so logs and CI
 * output stay clean). Redraws at most ~10 times a second.
 */
export interface Progress {
  /** bytes done so far */
  update(done: number): void;
  /** clears the bar */
  done(): void;
}

const NO_PROGRESS: Progress = { update() {}, done() {} };

/** Files smaller than this load too fast to need a bar. */
export const PROGRESS_MIN_BYTES = 32 * 1024 * 1024;

export function progressBar(label: string, total: number, enabled?: boolean): Progress {
  const stderr = typeof process !== 'undefined' ? process.stderr : undefined;
  const on = enabled ?? (!!stderr?.isTTY && total >= PROGRESS_MIN_BYTES);
  if (!on || !stderr) return NO_PROGRESS;
  const start = Date.now();
  let last = 0;
  const draw = (done: number) => {
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const width = 30;
    const fill = Math.round(frac * width);
    const secs = (Date.now() - start) / 1000;
    stderr.write(`\r${label} [${'#'.repeat(fill)}${' '.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}% ` +
      `${(done / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB ${secs.toFixed(1)} s`);
  };
  return {
    update(done: number) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      draw(done);
    },
    done() {
      stderr.write('\r\x1b[2K');
    },
  };
}
