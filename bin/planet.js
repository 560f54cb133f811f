#!/usr/bin/env -S node --v8-pool-size=1
// The `planet` command: runs the compiled CLI (built by `npm install` / `npm run build`).
// Before anything is loaded, V8's young generation is held at the 1 MB semi-space it starts with,
// and the flag above keeps V8 to one helper thread: tens of MB of a server's RSS for no measurable
// throughput (docs/decisions/0028-serve-footprint.md). `planet fetch` lets the young generation grow
// again (src/ops/heap.ts). The flag applies when `planet` is run as a command (npm's bin link, the
// Docker image, a service unit); `node bin/planet.js …` runs without it.
import { holdYoungGeneration } from '../dist/ops/heap.js';

holdYoungGeneration();
const { runCli } = await import('../dist/cli.js');

runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
