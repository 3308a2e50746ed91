import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, renameSync, statSync } from 'node:fs';

let pdeathsigSupported: boolean | undefined;

/**
 * On Linux, util-linux `setpriv --pdeathsig KILL` makes the kernel kill influxd when the
 * thread that spawned it dies, even on SIGKILL of our process. setpriv execs influxd, so
 * the child's pid is influxd's pid. Elsewhere (or without setpriv) we fall back to a plain
 * spawn and rely on the process 'exit' hook, which cannot run when we are SIGKILLed.
 */
function canUsePdeathsig(): boolean {
  if (pdeathsigSupported === undefined) {
    pdeathsigSupported =
      process.platform === 'linux' &&
      spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' }).status === 0;
  }
  return pdeathsigSupported;
}

/** Spawns influxd with stdout and stderr appended to `logPath`. */
export function spawnInfluxd(
  influxdPath: string,
  configPath: string,
  logPath: string,
): ChildProcess {
  const args = ['run', '-config', configPath];
  const fd = openSync(logPath, 'a', 0o600);
  try {
    const [command, argv] = canUsePdeathsig()
      ? ['setpriv', ['--pdeathsig', 'KILL', '--', influxdPath, ...args]]
      : [influxdPath, args];
    // A process group of its own: a terminal's Ctrl-C signals the gateway's whole group, and
    // influxd must outlive that signal, as the gateway drains its spool into it before it stops
    // influxd itself. The kernel (pdeathsig) or the exit hook still ends it with the gateway.
    return spawn(command, argv, { stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd); // the child holds its own copy
  }
}

/** Keeps one older generation so the log cannot grow without bound across starts. */
export function rotateLog(logPath: string, maxBytes = 10 * 1024 * 1024): void {
  try {
    if (statSync(logPath).size > maxBytes) renameSync(logPath, `${logPath}.1`);
  } catch {
    // no log yet
  }
}

/** The last `lines` lines of a log file (reads at most its last 8 KiB). */
export function tailFile(path: string, lines = 20): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = statSync(path).size;
    const length = Math.min(size, 8192);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no influxd log)';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True when GET /ping answers 204 within `timeoutMs`. */
export async function pingOnce(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 204;
  } catch {
    return false;
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
