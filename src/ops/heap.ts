// V8's young generation, held or let grow for what a process does. `planet` holds it from its
// first line (bin/planet.js): a server, a build or a one-off command keeps the 1 MB semi-space V8
// starts with. `planet fetch` lets it grow again: a pass allocates fast and keeps what is in
// flight for a while, and a small young generation promotes all of that into the old generation.
import { setFlagsFromString } from 'node:v8';

/** V8's own growth factor (--semi-space-growth-factor): the young generation doubles as needed, up to 16 MB a semi-space. */
const V8_GROWTH_FACTOR = 2;

/**
 * Stops V8 from growing the young generation of this process's heap past its present size. V8
 * reads the growth factor each time it would grow the space (1: grow to 1× its size, i.e. stay),
 * so unlike --max-semi-space-size it takes effect after start-up. Setting up another heap (a worker
 * thread's) puts it back to V8's default (measured): a process that starts workers and wants the
 * hold must set it again.
 */
export function holdYoungGeneration(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/** Undoes holdYoungGeneration: the young generation grows as V8 grows it by default. */
export function releaseYoungGeneration(): void {
  setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
}
