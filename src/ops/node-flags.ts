// The node flags the `planet` command starts with: the first line of bin/planet.js
// (`#!/usr/bin/env -S node …`, docs/decisions/0028-serve-footprint.md). `planet serve` starts each
// fetch pass's child with them (pass/child-process.ts), so a scheduled pass runs as a cron job's
// `planet fetch` does; the benches run each build's `planet` with its own.
import { readFileSync } from 'node:fs';

/** The flags on `bin`'s `#!/usr/bin/env -S node …` line; none for any other first line. */
export function nodeFlagsOf(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  return /^#!\/usr\/bin\/env -S node(.*)$/.exec(first)?.[1]!.trim().split(/\s+/).filter(Boolean) ?? [];
}
