#!/usr/bin/env node
// `npm run bench -- <scenario> [options]`: makes sure the gateway build is fresh and Mosquitto (the reference
// broker) is installed, then runs bench/scenarios/<scenario>.mjs with the options. A scenario is a plain ESM
// program that also runs on its own (`node bench/scenarios/<name>.mjs`) and writes
// bench/results/<scenario>-<date>.json; `npm run bench -- <scenario> --help` lists its options.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prerequisites from './lib/prerequisites.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const scenariosDir = join(root, 'bench/scenarios');
const [scenario, ...args] = process.argv.slice(2);

const scenarios = () =>
  readdirSync(scenariosDir)
    .filter((name) => name.endsWith('.mjs'))
    .map((name) => name.slice(0, -'.mjs'.length))
    .sort();

if (!scenario || scenario.startsWith('-')) {
  process.stdout.write(
    [
      'usage: npm run bench -- <scenario> [--runs 3] [--duration S] [...]',
      `scenarios: ${scenarios().join(', ')}`,
      'options of one scenario: npm run bench -- <scenario> --help',
      '',
    ].join('\n'),
  );
  process.exit(scenario ? 0 : 2);
}
const script = join(scenariosDir, `${scenario}.mjs`);
if (!existsSync(script)) {
  prerequisites.fail('bench', `no scenario ${scenario}; there are: ${scenarios().join(', ')}`);
}

prerequisites.ensureBuilt('bench', root);
if (!prerequisites.ensureDebianPackage('bench', 'mosquitto', 'mosquitto')) {
  prerequisites.say(
    'bench',
    'mosquitto (the reference broker) is missing and this user cannot install it: ' +
      'sudo apt-get install mosquitto. Scenarios that compare with it will say so and skip it.',
  );
}

const child = spawn(process.execPath, [script, ...args], { stdio: 'inherit', cwd: root });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
