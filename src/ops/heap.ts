// The heap of a process that allocates fast and keeps little, as `planet fetch` does: V8's young
// generation is held at the size it has reached instead of growing to its 32 MB maximum.
import { setFlagsFromString } from 'node:v8';

let held = false;

/**
 * Stops V8 from growing the young generation of this process's heaps past their present size.
 * V8 reads the growth factor each time it would grow the space (1: grow to 1× the present size,
 * i.e. stay), so unlike --max-semi-space-size it takes effect after start-up. `planet fetch`
 * holds it at the 8 MB the command line's modules leave it; a cold pass left alone grows it to
 * 32 MB, about 24 MB of the process's peak RSS (docs/decisions/0027-cpu-pool.md has the figures).
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
