#!/usr/bin/env node
// The commands of the README: `npm start`, `npm test`, `npm run simulate` and `npm run trainer`. Node built-ins only, because this runs before
// `npm ci` on a fresh clone. It installs what is missing, then hands over to the gateway or to jest.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  readFileSync,
  statSync,
  writeFileSync,
  readdirSync,
  utimesSync,
} from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [command, ...args] = process.argv.slice(2);

function say(message) {
  process.stderr.write(`[bootstrap] ${message}\n`);
}

function fail(message) {
  say(message);
  process.exit(1);
}

function run(cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`${cmd} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(`${cmd} ${cmdArgs.join(' ')} exited with ${result.status}`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(`Node ${process.versions.node} is too old: the gateway needs Node >= 20.19.`);
  }
}

/** `npm ci` when node_modules is missing or was installed from another package-lock.json. */
function ensureDependencies() {
  const lock = join(root, 'package-lock.json');
  const stamp = join(root, 'node_modules', '.iag-lock-sha256');
  const wanted = createHash('sha256').update(readFileSync(lock)).digest('hex');
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

function onPath(binary) {
  if (binary.includes('/')) return existsSync(binary);
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir && existsSync(join(dir, binary)));
}

/** Installs Debian's package when `binary` is missing and this user is root; false when it could not. */
function aptInstall(binary, pkg) {
  if (onPath(binary)) return true;
  if (typeof process.getuid !== 'function' || process.getuid() !== 0 || !onPath('apt-get')) {
    return false;
  }
  say(`${binary} not found: installing Debian package ${pkg} (apt-get)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', pkg], { env });
  return onPath(binary);
}

/** The gateway starts its own influxd unless INFLUX_URL names a server; install Debian's package if needed. */
function ensureInfluxd() {
  if (process.env.INFLUX_URL) return;
  const binary = process.env.INFLUXD_PATH || 'influxd';
  if (aptInstall(binary, 'influxdb')) return;
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
  if (aptInstall('/usr/bin/chromium', 'chromium')) return;
  say(
    'chromium is missing and this user cannot install it: the dashboard browser test will fail. ' +
      'Install it with:   sudo apt-get install chromium',
  );
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    // sources, and the dashboard's assets that the build copies
    else if (/\.(ts|js|css|html)$/.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** Compiles an app of nest-cli.json when its sources (the app and the libs) are newer than its build. */
function ensureBuilt(app) {
  const entry = join(root, `dist/apps/${app}/apps/${app}/src/main.js`);
  const sources = Math.max(newestMtime(join(root, 'apps', app)), newestMtime(join(root, 'libs')));
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return entry;
  say(`building the ${app}...`);
  run(process.execPath, [join(root, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', app]);
  if (!existsSync(entry)) fail(`build finished but ${entry} is missing`);
  // an incremental build leaves an unchanged main.js as it was: mark this build as fresh
  const now = new Date();
  utimesSync(entry, now, now);
  return entry;
}

/** Runs a child in the foreground, passing signals on, and exits with its code. */
function handOver(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { stdio: 'inherit', cwd: root });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR2']) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

checkNode();
ensureDependencies();
if (command === 'simulate') {
  // the simulator needs no influxd: it talks to a running gateway
  handOver(process.execPath, ['--enable-source-maps', ensureBuilt('simulator'), ...args]);
} else if (command === 'trainer') {
  // nor does the trainer: it reads CSV files, or an InfluxDB named by --influx-url
  handOver(process.execPath, ['--enable-source-maps', ensureBuilt('trainer'), ...args]);
} else if (command === 'start') {
  ensureInfluxd();
  handOver(process.execPath, ['--enable-source-maps', ensureBuilt('gateway'), ...args]);
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
