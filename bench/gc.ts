/**
 * `bench --gc`: a full garbage collection before every timed run (untimed). Interleaving
 * puts two workloads in one heap, and one side's garbage may be collected during the other
 * side's run; this moves collections out of the timings. Off by default: on this machine a
 * forced collection made the next small step slower rather than steadier (V8 shrinks its
 * young generation after a full GC), and a training loop never runs one.
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
