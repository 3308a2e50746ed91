#!/usr/bin/env node
// usage: node bench/tools/cpu-profile-top.mjs FILE.cpuprofile [--top 25] [--by function|file|area] [--window FROM,TO]
// (--window: µs of CLOCK_MONOTONIC, as the bench logs for the load of each run)
// Prints the frames with the most self time, to compare a profile before and after a change.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { formatTop, topFrames } from '../lib/cpu-profile.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    by: { type: 'string', default: 'function' },
    window: { type: 'string', default: '' },
  },
});
if (positionals.length !== 1) {
  process.stderr.write(
    'usage: node bench/tools/cpu-profile-top.mjs FILE.cpuprofile [--top 25] [--by function|file|area]\n',
  );
  process.exit(2);
}
const [fromUs, toUs] = values.window ? values.window.split(',').map(Number) : [];
const frames = topFrames(JSON.parse(readFileSync(positionals[0], 'utf8')), {
  group: values.by,
  fromUs,
  toUs,
});
process.stdout.on('error', () => process.exit(0)); // piped into head
process.stdout.write(`${formatTop(frames, Number(values.top))}\n`);
