import {
  GatewayProcess,
  killGatewayProcess,
  Launcher,
  startGatewayProcess,
} from './gateway-process';
import { pollUntil } from './poll-until';
import { TEST_ADMIN_KEY } from './test-gateway';

/** Lines the gateway writes itself, outside the logger: the ready and stop lines, the `.env` summary. */
export const PLAIN_LINE = /^(IoT Anomaly Gateway |settings from )/;
/** A pino-pretty line: `[HH:MM:ss.l] LEVEL: message`. */
export const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): \S/;

// A terminal's colour sequences: ESC [ ... m.
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** A terminal's colours, carriage returns and echoed ^C taken off, so lines compare as text. */
export function plainText(line: string): string {
  return line.replace(ANSI_COLOUR, '').replace(/\r$/, '').replace(/^\^C/, '');
}

export interface RunLog {
  lines: string[];
  /** Secrets the run used (the admin key, a device token, a wrong key): none may be printed. */
  secrets: string[];
}

/**
 * Starts a gateway process, drives a little REST traffic with secrets in it (the admin key, a
 * device token, a wrong key), stops it (SIGTERM, or Ctrl-C in a terminal) and returns what it printed. How it stops is
 * not under test here (the durability suites test that): only what it printed while it ran.
 */
export async function runAndCollect(
  env: Record<string, string>,
  launcher: Launcher = 'node',
  where: { cwd?: string; terminal?: boolean } = {},
): Promise<RunLog> {
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await startGatewayProcess(env, launcher, where);
    const device = await gateway.http('/api/v1/devices', { method: 'POST', body: { id: 'log-1' } });
    const wrongKey = 'wrong-key-0123456789abcdefghij';
    await gateway.http('/api/v1/anomalies', { key: wrongKey });
    await gateway.http('/api/v1/devices');
    // The request log of the last call, when the level lets it through, is written by now.
    const running = gateway;
    if (env.LOG_LEVEL === 'info') {
      await pollUntil(
        () => running.output(),
        (out) => out.includes('request completed'),
      );
    }
    if (where.terminal) gateway.typeCtrlC();
    else gateway.kill('SIGTERM');
    await gateway.exited;
    const lines = gateway.output().split('\n').map(plainText).filter(Boolean);
    return { lines, secrets: [TEST_ADMIN_KEY, device.body.token as string, wrongKey] };
  } finally {
    await killGatewayProcess(gateway);
  }
}
