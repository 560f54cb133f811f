// V8 tuned for a process that allocates fast, keeps little and runs for seconds, as `planet fetch`
// does: its young generation held at the size it has reached instead of growing to its 32 MB
// maximum, its old generation collected sooner, and its code optimized later. Each is a
// process-wide V8 flag that V8 reads as it goes, so it takes effect when set (the heap sizes V8
// reads once, at start-up, are bin/planet.js's: docs/decisions/0028-serve-footprint.md).
import { setFlagsFromString } from 'node:v8';

/**
 * Stops V8 from growing the young generation of this process's heaps past their present size.
 * V8 reads the growth factor each time it would grow the space (1: grow to 1× the present size,
 * i.e. stay), so unlike --max-semi-space-size it takes effect after start-up. Once `planet fetch`
 * has loaded its modules (started without bin/planet.js's 1 MB semi-spaces, as `planet serve`
 * starts its passes: pass/child-process.ts) the main thread's is 16 MB, and a cold pass left
 * alone grows it to 32 MB:
 * held, the pass peaks 16 MB lower; held at 8 MB (from start-up) it peaks higher, more of what is
 * in flight promoted to the old generation (docs/decisions/0027-cpu-pool.md has the figures).
 * Setting up a worker's heap puts the factor back to V8's default: the CPU pool's workers grow
 * theirs up to the limit the pool gives them.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Has V8 collect the old generation once it has grown by half what was live at the last full
 * collection, where it lets a heap like this grow to 3-4 times that. A pass promotes most of
 * what it has in flight (entries waiting to be sanitized and stored) and drops it soon after: at
 * V8's own pace the main thread's old generation reached 56 MB between collections with 15 MB
 * live, and the pass peaked ~30 MB higher for no time saved (docs/decisions/0027-cpu-pool.md).
 */
export function collectOldGenerationSooner(): void {
  setFlagsFromString('--heap-growing-percent=50');
}

/** V8's default budget of bytecode a function runs before it is considered for optimizing. */
const DEFAULT_INTERRUPT_BUDGET = 66 * 1024;

/**
 * Has V8 wait four times longer before optimizing a function. A pass reads a thousand feeds of
 * many shapes in a few seconds: at the default budget TurboFan compiles the per-entry readers of
 * `parse/` before they have seen those shapes, throws the code away at the next kind of array
 * ("wrong map") and compiles them again, five times each at ~100 ms, on V8's one helper thread,
 * where it competes with the pass for 2 cores. Later, they are compiled twice: a cold pass
 * compiles for 1.1 s instead of 2.3 (docs/decisions/0027-cpu-pool.md has the figures).
 */
export function delayOptimizing(): void {
  setFlagsFromString(`--interrupt-budget=${4 * DEFAULT_INTERRUPT_BUDGET}`);
}
