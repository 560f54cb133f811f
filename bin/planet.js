#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=1
// The `planet` command: runs the compiled CLI (built by `npm install` / `npm run build`).
// The node flags above bound V8's young generation and its helper threads: tens of MB of a
// server's RSS for no measurable throughput (docs/decisions/0028-serve-footprint.md). They apply
// when `planet` is run as a command (npm's bin link, the Docker image, a service unit); a server
// started as `node bin/planet.js serve` runs without them. The fetch passes `planet serve` starts
// have flags of their own (src/pass/child-process.ts).
import { runCli } from '../dist/cli.js';

runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
