#!/usr/bin/env node
// The `planet` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { main } from '../dist/cli.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => { console.error(err); process.exitCode = 1; },
);
