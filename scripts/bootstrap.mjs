#!/usr/bin/env node
// The two commands of the README: `npm start` and `npm test`. Node built-ins only, because this runs before
// `npm ci` on a fresh clone. It installs what is missing, then hands over to the gateway or to jest.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import * as prerequisites from './lib/prerequisites.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);

const say = (message) => prerequisites.say('bootstrap', message);
const fail = (message) => prerequisites.fail('bootstrap', message);
const run = (cmd, cmdArgs, options = {}) =>
  prerequisites.run('bootstrap', cmd, cmdArgs, { cwd: root, ...options });

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node ${process.versions.node} is too old: the gateway needs Node >= 20.19.`);
  }
}

/** What node_modules was installed from: package-lock.json and the patches postinstall applies to it. */
function installFingerprint() {
  const hash = createHash('sha256').update(readFileSync(join(root, 'package-lock.json')));
  const patches = join(root, 'patches');
  if (existsSync(patches)) {
    for (const name of readdirSync(patches).sort()) {
      hash.update(name).update(readFileSync(join(patches, name)));
    }
  }
  return hash.digest('hex');
}

/** `npm ci` when node_modules is missing or was installed from another lock file or other patches. */
function ensureDependencies() {
  const stamp = join(root, 'node_modules', '.iag-lock-sha256');
  const wanted = installFingerprint();
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  say('installing npm packages (npm ci)...');
  const ci = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit', cwd: root });
  if (ci.status !== 0) {
    // npm >= 11.6 writes lock files without other platforms' optional packages and then refuses them in
    // `npm ci` (npm/cli#8669); `npm install` installs the same locked versions.
    say('npm ci refused the lock file; installing the locked versions with npm install instead...');
    run('npm', ['install', '--no-audit', '--no-fund']);
  }
  writeFileSync(stamp, wanted);
}

/**
 * A setting as the gateway will read it: the environment, else the checkout's `.env` (the gateway
 * runs in the checkout and reads it there; libs/config checks the file, this only peeks).
 */
function setting(name) {
  if (process.env[name] !== undefined) return process.env[name];
  const file = join(root, '.env');
  try {
    return existsSync(file) ? parseEnv(readFileSync(file, 'utf8'))[name] : undefined;
  } catch {
    return undefined; // unreadable: the gateway says why
  }
}

/**
 * The gateway starts its own influxd unless INFLUX_URL names a server; install Debian's package if
 * needed. `npm test` reads the environment alone: the suite starts its own influxd, whatever `.env` says.
 */
function ensureInfluxd(read = (name) => process.env[name]) {
  if (read('INFLUX_URL')) return;
  if (
    prerequisites.ensureDebianPackage('bootstrap', read('INFLUXD_PATH') || 'influxd', 'influxdb')
  ) {
    return;
  }
  fail(
    [
      'influxd (InfluxDB 1.x) is not installed and this user cannot install it.',
      'Install it, then run this again:   sudo apt-get install influxdb',
      'Or point the gateway at an existing InfluxDB 1.x:   INFLUX_URL=http://host:8086 npm start',
    ].join('\n  '),
  );
}

/** The dashboard's browser test drives Debian's chromium (playwright cannot download browsers here). */
function ensureChromium() {
  if (prerequisites.ensureDebianPackage('bootstrap', '/usr/bin/chromium', 'chromium')) return;
  say('without chromium the dashboard browser test will fail: sudo apt-get install chromium');
}

/**
 * Runs a child in the foreground, passing signals on, and exits with its code. The child shares this
 * process group, so a terminal's Ctrl-C reaches it directly too: the gateway takes that copy and the
 * forwarded one for one request (apps/gateway/src/stop-signals.ts). Forwarding is still needed for a
 * signal sent to this process alone (`kill <pid>`, a container runtime stopping its first process).
 */
function handOver(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR2']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const built = (app) => prerequisites.ensureBuilt('bootstrap', root, app);

checkNode();
ensureDependencies();
if (command === 'simulate') {
  // the simulator needs no influxd: it talks to a running gateway
  handOver(process.execPath, ['--enable-source-maps', built('simulator'), ...args]);
} else if (command === 'trainer') {
  // nor does the trainer: it reads CSV files, or an InfluxDB named by --influx-url
  handOver(process.execPath, ['--enable-source-maps', built('trainer'), ...args]);
} else if (command === 'start') {
  ensureInfluxd(setting);
  handOver(process.execPath, [
    ...prerequisites.GATEWAY_NODE_FLAGS,
    '--enable-source-maps',
    built('gateway'),
    ...args,
  ]);
} else if (command === 'test') {
  ensureInfluxd();
  ensureChromium();
  const jest = join(root, 'node_modules/jest/bin/jest.js');
  const ci = process.env.CI ? ['--ci'] : [];
  handOver(process.execPath, [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    jest,
    ...ci,
    ...args,
  ]);
} else {
  fail('usage: node scripts/bootstrap.mjs <start|test|simulate|trainer> [args...]');
}
