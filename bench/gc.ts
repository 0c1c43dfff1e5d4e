/**
 * A full garbage collection between timed runs (untimed). Interleaving puts two workloads
 * in one heap: without this, the dense side's freed 100 MB gradients are collected at
 * random moments — often during the sparse side's run, which then looks slower. Allocation
 * and page-fault costs still land in the time of the side that allocates.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let gc: (() => void) | null | undefined;

/** Runs a full GC when one can be had (--expose-gc, or enabled here at run time); false when not. */
export function collectGarbage(): boolean {
  if (gc === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gc = exposed;
    else {
      try {
        v8.setFlagsFromString('--expose-gc');
        gc = vm.runInNewContext('gc') as () => void;
      } catch {
        gc = null;
      }
    }
  }
  if (!gc) return false;
  gc();
  return true;
}
