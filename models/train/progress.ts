/** A one-line progress bar on a TTY (redrawn with \r); silent elsewhere. */
export class ProgressBar {
  private readonly tty: boolean;
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WriteStream | null = typeof process !== 'undefined' ? process.stderr : null) {
    this.tty = !!(this.stream && this.stream.isTTY);
  }

  update(label: string, done: number, total: number | null, suffix: string): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && done !== total) return;
    this.lastDraw = now;
    const width = 30;
    let bar = '';
    if (total) {
      const filled = Math.min(width, Math.round((done / total) * width));
      bar = `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}] ${Math.floor((done / total) * 100)}%`;
    } else {
      bar = `${done} batches`;
    }
    this.stream!.write(`\r${label} ${bar} ${suffix}\x1b[K`);
  }

  clear(): void {
    if (this.tty) this.stream!.write('\r\x1b[K');
  }
}
