/**
 * What a long stream pass needs from a browser worker's event loop (the extract worker and the
 * subject workers use the same wrapper around their projector):
 *
 * - Yield. The pass is one long promise chain; when inflated data are already buffered it runs
 *   for seconds on microtasks alone and the page's messages (cancel!) wait until the end. At most
 *   every YIELD_EVERY_MS it yields one macrotask.
 * - Let the garbage go. Inflated chunks arrive as fresh ArrayBuffers (~1.2 GB for a full-size
 *   run, all dead at once). The pass allocates almost no JS objects, so V8 runs no young-generation
 *   GC and frees them only when its external-memory trigger fires: measured up to ~370 MB of dead
 *   chunks (bench/RESULTS.md). Every NUDGE_EVERY_BYTES of volumes it allocates a few MB of
 *   short-lived objects, which makes V8 scavenge, and a scavenge frees the young dead
 *   ArrayBuffers: ~60–90 MB instead, for ~1 % time.
 */
import type { Projector } from '../../core/extract/projector.ts';

const YIELD_EVERY_MS = 50;
const NUDGE_EVERY_BYTES = 24 << 20;
const NUDGE_OBJECTS = 200_000;

const yieldChannel = new MessageChannel();
/** A macrotask turn (MessageChannel: no 4 ms clamp as with setTimeout). */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => {
    yieldChannel.port1.onmessage = () => resolve();
    yieldChannel.port2.postMessage(0);
  });
}

let nudgeSink: unknown = null;
/** Allocates short-lived objects so that V8 runs a scavenge (which frees young dead ArrayBuffers). */
export function nudgeYoungGc(): void {
  const a: { i: number }[] = [];
  for (let i = 0; i < NUDGE_OBJECTS; i++) a.push({ i });
  nudgeSink = a;
  nudgeSink = null;
}

/** Calls `nudgeYoungGc` once per NUDGE_EVERY_BYTES counted. */
export function gcNudger(): (bytes: number) => void {
  let since = 0;
  return (bytes) => {
    since += bytes;
    if (since >= NUDGE_EVERY_BYTES) {
      since = 0;
      nudgeYoungGc();
    }
  };
}

/** The projector, yielding a macrotask at most every 50 ms and nudging the GC every 24 MB of volumes. */
export function yieldingProjector(p: Projector, bytesPerVolume: number): Projector {
  let last = performance.now();
  const counted = gcNudger();
  return {
    gather: (raw, slot) => p.gather(raw, slot),
    async project(w, b) {
      await p.project(w, b);
      counted(b * bytesPerVolume);
      if (performance.now() - last >= YIELD_EVERY_MS) {
        await macrotask();
        last = performance.now();
      }
    },
    result: () => p.result(),
    dispose: () => p.dispose(),
  };
}
