// The heap of a process that allocates fast and keeps little, as `planet fetch` does: V8's young
// generation is held at the size it has reached instead of growing to its 32 MB maximum.
import { setFlagsFromString } from 'node:v8';

/**
 * Stops V8 from growing the young generation of this process's heaps past their present size.
 * V8 reads the growth factor each time it would grow the space (1: grow to 1× the present size,
 * i.e. stay), so unlike --max-semi-space-size it takes effect after start-up. Once `planet fetch`
 * has loaded its modules the main thread's is 16 MB, and a cold pass left alone grows it to 32 MB:
 * held, the pass peaks 16 MB lower; held at 8 MB (from start-up) it peaks higher, more of what is
 * in flight promoted to the old generation (docs/decisions/0027-cpu-pool.md has the figures).
 * Setting up a worker's heap puts the factor back to V8's default: the CPU pool's workers grow
 * theirs up to the limit the pool gives them.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
