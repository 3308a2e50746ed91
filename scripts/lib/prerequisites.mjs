// Checks shared by `npm start`, `npm test` and `npm run bench`. Node built-ins only: this runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Node flags the gateway runs with, wherever it is started (npm start, the bench, process tests).
 * A 64 MiB young generation (V8's default tops out at 16 MiB): under 20k msg/s the default
 * scavenged ~8 times a second and promoted short-lived message objects into the old generation;
 * with it, GC time fell from 1.97 s to 0.54 s in a 20 s flood and peak RSS from 380 to 289 MiB
 * (issue 7). It is a ceiling, not a reservation: an idle gateway does not grow into it.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=64'];

export function say(tool, message) {
  process.stderr.write(`[${tool}] ${message}\n`);
}

/** Runs a command in the foreground; exits this process when it fails. */
export function run(tool, cmd, cmdArgs, options = {}) {
  const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit', ...options });
  if (result.error) fail(tool, `${cmd} could not run: ${result.error.message}`);
  if (result.status !== 0) fail(tool, `${cmd} ${cmdArgs.join(' ')} exited with ${result.status}`);
}

export function fail(tool, message) {
  say(tool, message);
  process.exit(1);
}

export function onPath(binary) {
  if (binary.includes('/')) return existsSync(binary);
  return (process.env.PATH ?? '')
    .split(delimiter)
    .some((dir) => dir && existsSync(join(dir, binary)));
}

/**
 * Makes sure `binary` is on PATH, installing Debian's `pkg` with apt-get when running as root.
 * Returns false when it is missing and this user cannot install it (the caller says what to do).
 */
export function ensureDebianPackage(tool, binary, pkg) {
  if (onPath(binary)) return true;
  if (typeof process.getuid === 'function' && process.getuid() === 0 && onPath('apt-get')) {
    say(tool, `${binary} not found: installing Debian package ${pkg} (apt-get)...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run(tool, 'apt-get', ['update', '-qq'], { env });
    run(tool, 'apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { env });
    if (onPath(binary)) return true;
    fail(tool, `apt-get installed ${pkg} but ${binary} is still not on PATH.`);
  }
  say(
    tool,
    `${binary} is not installed and this user cannot install it: sudo apt-get install ${pkg}`,
  );
  return false;
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

/** Where `nest build <app>` puts the app's entry point. */
export function builtEntry(root, app = 'gateway') {
  return join(root, `dist/apps/${app}/apps/${app}/src/main.js`);
}

/** The build is fresh when its entry is newer than every source of the app and the libs. */
export function buildIsFresh(root, app = 'gateway') {
  const entry = builtEntry(root, app);
  const sources = Math.max(newestMtime(join(root, 'apps', app)), newestMtime(join(root, 'libs')));
  return existsSync(entry) && statSync(entry).mtimeMs >= sources;
}

/** An incremental build leaves an unchanged main.js as it was: mark a finished build as fresh. */
export function markBuilt(root, app = 'gateway') {
  const now = new Date();
  utimesSync(builtEntry(root, app), now, now);
}

/** Compiles an app of nest-cli.json when its sources (the app and the libs) are newer than its build. */
export function ensureBuilt(tool, root, app = 'gateway') {
  const entry = builtEntry(root, app);
  if (buildIsFresh(root, app)) return entry;
  say(tool, `building the ${app}...`);
  const nest = join(root, 'node_modules/@nestjs/cli/bin/nest.js');
  run(tool, process.execPath, [nest, 'build', app], { cwd: root });
  if (!existsSync(entry)) fail(tool, `build finished but ${entry} is missing`);
  markBuilt(root, app);
  return entry;
}
