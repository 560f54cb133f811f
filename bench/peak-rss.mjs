// Preloaded into a command the bench runs (`node --import ./bench/peak-rss.mjs bin/planet.js …`):
// at exit, writes the process's peak RSS in bytes to the file named by PLANET_BENCH_PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.PLANET_BENCH_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
