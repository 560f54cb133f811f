#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=1
// The `planet` command: runs the compiled CLI (built by `npm install` / `npm run build`).
// The node flags above bound V8's young generation and its helper threads: tens of MB of a
// server's RSS for no measurable throughput (docs/decisions/0028-serve-footprint.md). They apply
// when `planet` is run as a command (npm's bin link, the Docker image, a service unit), and to the
// fetch passes `planet serve` starts (src/ops/node-flags.ts reads them from this line); a server
// started as `node bin/planet.js serve` runs without them.
import { runCli } from '../dist/cli.js';

runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
