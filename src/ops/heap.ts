// The heap of a process that allocates fast and keeps little, as `planet fetch` does: V8's young
// generation is held at the size it has reached instead of growing to its 32 MB maximum.
import { setFlagsFromString } from 'node:v8';

let held = false;

/**
 * Stops V8 from growing the young generation of this process's heaps past their present size.
 * V8 reads the growth factor each time it would grow the space (1: grow to 1× the present size,
 * i.e. stay), so unlike --max-semi-space-size it takes effect after start-up. Once `planet fetch`
 * has loaded its modules the main thread's is 16 MB, and a cold pass left alone grows it to 32 MB:
 * held, the pass peaks 16 MB lower; held at 8 MB (from start-up) it peaks higher, more of what is
 * in flight promoted to the old generation (docs/decisions/0027-cpu-pool.md has the figures).
 */
export function holdYoungGeneration(): void {
  held = true;
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * V8 puts the growth factor back to its minimum of 2 whenever a heap is set up, so a worker
 * started after the hold undoes it (measured): the CPU pool calls this once each worker is online.
 */
export function keepYoungGenerationHeld(): void {
  if (held) setFlagsFromString('--semi-space-growth-factor=1');
}
