#!/usr/bin/env node
// The `planet` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { runCli } from '../dist/cli.js';

runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
