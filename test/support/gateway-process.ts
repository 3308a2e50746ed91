import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pollUntil } from './poll-until';
import { suiteInfluxEnv, uniqueDatabase, testDir } from './test-config';
import { HttpCall, httpClient, TEST_ADMIN_KEY } from './test-gateway';

const ROOT = join(__dirname, '..', '..');
const ENTRY = join(ROOT, 'dist/apps/gateway/apps/gateway/src/main.js');
const LOCK = join(ROOT, 'dist/.gateway-build.lock');
// The ready line names more listeners when TLS or WebSocket are on: read MQTT and HTTP on their own.
const READY = /ready: MQTT mqtt:\/\/[^:\s]+:(\d+)\s.*\sHTTP https?:\/\/[^:\s]+:(\d+)/;

/** The composed gateway as a child process (`node dist/.../main.js`), for tests that must kill it. */
export interface GatewayProcess {
  readonly pid: number;
  readonly mqttPort: number;
  readonly httpPort: number;
  readonly http: HttpCall;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  /** Signals the whole process group, as a terminal's Ctrl-C does (launchers other than node). */
  killGroup(signal: NodeJS.Signals): void;
  /** Types Ctrl-C into its terminal (started with `terminal`): SIGINT to the foreground job, as a user's. */
  typeCtrlC(): void;
  /** Resident set size now, from /proc (Linux). */
  rssBytes(): number;
  /** The last lines it printed (stdout and stderr), for failure messages. */
  output(): string;
}

/** The build rule of `npm start` (scripts/lib/prerequisites.mjs), shared rather than copied. */
function prerequisites(): Promise<typeof import('../../scripts/lib/prerequisites.mjs')> {
  return import('../../scripts/lib/prerequisites.mjs');
}

/**
 * Builds the gateway when its sources changed: once per run, whichever worker asks first (a
 * mkdir lock; the others wait for it and find the build fresh).
 */
export async function ensureGatewayBuilt(): Promise<string> {
  const { buildIsFresh, markBuilt } = await prerequisites();
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    if (buildIsFresh(ROOT)) return ENTRY;
    try {
      mkdirSync(LOCK);
    } catch {
      // Another worker builds; a lock older than 5 minutes belongs to a dead one.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 300_000) {
        rmSync(LOCK, { recursive: true, force: true });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (buildIsFresh(ROOT)) return ENTRY;
      const nest = join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js');
      const build = spawnSync(process.execPath, [nest, 'build', 'gateway'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (build.status !== 0) {
        throw new Error(`nest build failed (${build.status}):\n${build.stdout}${build.stderr}`);
      }
      markBuilt(ROOT); // so workers waiting on the lock find it fresh instead of building again
      return ENTRY;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

/**
 * How the gateway is started: `node` runs the build itself; `bootstrap` and `npm` (`npm start`)
 * run what a user runs, in a process group of their own, as a terminal runs a foreground job.
 */
export type Launcher = 'node' | 'bootstrap' | 'npm';

async function command(launcher: Launcher): Promise<[string, string[]]> {
  const entry = await ensureGatewayBuilt();
  const { GATEWAY_NODE_FLAGS } = await prerequisites();
  if (launcher === 'npm') return ['npm', ['start']];
  if (launcher === 'bootstrap') return [process.execPath, ['scripts/bootstrap.mjs', 'start']];
  return [process.execPath, [...GATEWAY_NODE_FLAGS, entry]];
}

/**
 * Starts the built gateway on free ports against the suite's influxd (own database and DATA_DIR
 * unless `env` says otherwise) and waits for its "ready:" line.
 */
export async function startGatewayProcess(
  env: Record<string, string> = {},
  launcher: Launcher = 'node',
  where: { cwd?: string; terminal?: boolean } = {},
): Promise<GatewayProcess> {
  const [cmd, args] = where.terminal
    ? inTerminal(await command(launcher))
    : await command(launcher);
  const child = spawn(cmd, args, {
    cwd: where.cwd ?? ROOT,
    detached: launcher !== 'node' || where.terminal === true,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATA_DIR: testDir('gateway-'),
      ...suiteInfluxEnv(),
      INFLUX_DATABASE: uniqueDatabase(),
      BIND_HOST: '127.0.0.1',
      MQTT_PORT: '0',
      MQTTS_PORT: '0',
      HTTP_PORT: '0',
      ADMIN_API_KEY: TEST_ADMIN_KEY,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: [where.terminal ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ports = new Promise<[number, number]>((resolve, reject) => {
    const onText = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        lines.push(line.slice(0, 2000));
        if (lines.length > 200) lines.shift();
        const ready = READY.exec(line);
        if (ready) resolve([Number(ready[1]), Number(ready[2])]);
      }
    };
    child.stdout!.on('data', onText);
    child.stderr!.on('data', onText);
    void exited.then(({ code, signal }) =>
      reject(new Error(`gateway exited before ready (${code ?? signal}):\n${lines.join('\n')}`)),
    );
  });
  const [mqttPort, httpPort] = await withTimeout(ports, 60_000, child, () => lines.join('\n'));
  return {
    pid: child.pid!,
    mqttPort,
    httpPort,
    http: httpClient(`http://127.0.0.1:${httpPort}`),
    exited,
    kill: (signal) => child.kill(signal),
    killGroup: (signal) => signalGroup(child, signal),
    typeCtrlC: () => {
      if (!child.stdin) throw new Error('typeCtrlC needs a gateway started with terminal: true');
      child.stdin.write('\x03');
    },
    rssBytes: () => rssOf(child.pid!),
    output: () => lines.join('\n'),
  };
}

/**
 * The command under util-linux `script`, so its stdout is a pseudo-terminal as in a user's shell
 * (`-e`: script exits with the command's code).
 */
function inTerminal([cmd, args]: [string, string[]]): [string, string[]] {
  const quoted = [cmd, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
  return ['script', ['-q', '-e', '-c', quoted, '/dev/null']];
}

/** Stops a child left running by a failed test (SIGKILL: it is not under test any more). */
export async function killGatewayProcess(gateway: GatewayProcess | undefined): Promise<void> {
  if (!gateway) return;
  gateway.killGroup('SIGKILL');
  await gateway.exited;
}

/** The child's process group when it leads one (launchers other than node), else the child. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal); // not a group leader, or the group is gone already
  }
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status);
  if (!kib) throw new Error(`no VmRSS for ${pid}`);
  return Number(kib[1]) * 1024;
}

async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  child: ChildProcess,
  output: () => string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          signalGroup(child, 'SIGKILL');
          reject(new Error(`gateway not ready within ${ms} ms:\n${output()}`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls GET /health until it answers 200 (a restarted gateway is ready). */
export function waitHealthy(gateway: GatewayProcess): Promise<unknown> {
  return pollUntil(
    () => gateway.http('/health', { key: null }),
    (r) => r.status === 200,
  );
}
