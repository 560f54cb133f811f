// The node flags a checkout's `planet` command starts with: its bin/planet.js first line
// (`#!/usr/bin/env -S node …`, docs/decisions/0028-serve-footprint.md). The benches run each
// build's `planet` with its own flags, as users run it, but through the bench's node binary.
import { readFileSync } from 'node:fs';

export function nodeFlagsOf(bin: string): string[] {
  const first = readFileSync(bin, 'utf8').split('\n', 1)[0]!;
  return /^#!\/usr\/bin\/env -S node(.*)$/.exec(first)?.[1]!.trim().split(/\s+/).filter(Boolean) ?? [];
}
