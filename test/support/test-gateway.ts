import { PassThrough } from 'node:stream';
import type { DestinationStream } from 'pino';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import { createGateway, RunningGateway } from '../../apps/gateway/src/gateway';
import { testConfig } from './test-config';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestGateway extends RunningGateway {
  http(
    path: string,
    init?: { method?: string; body?: unknown; key?: string | null },
  ): Promise<HttpResult>;
}

export interface HttpResult {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

/** Boots the composed gateway on free ports against the suite's real influxd, with a seeded admin key. */
export async function startTestGateway(
  overrides: Record<string, string> = {},
  logStream?: DestinationStream,
): Promise<TestGateway> {
  // nestjs-pino keeps its first out-of-request logger for the whole process: forget it, so a stream given
  // here receives this gateway's logs even when another gateway started earlier in the same file.
  if (logStream) __resetOutOfContextForTests();
  const gateway = await createGateway(
    testConfig({ ADMIN_API_KEY: TEST_ADMIN_KEY, ...overrides }),
    logStream,
  );
  return { ...gateway, http: httpClient(`http://127.0.0.1:${gateway.httpPort}`) };
}

export type HttpCall = TestGateway['http'];

/** fetch() against a gateway's HTTP port, with the seeded admin key unless `key` says otherwise. */
export function httpClient(base: string): HttpCall {
  return async (path, init = {}) => {
    const key = init.key === undefined ? TEST_ADMIN_KEY : init.key;
    const headers: Record<string, string> = {};
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body:
        init.body === undefined
          ? undefined
          : typeof init.body === 'string'
            ? init.body
            : JSON.stringify(init.body),
    });
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: response.status, body, text };
  };
}

/** Reads one sample of a Prometheus counter from /metrics (0 when absent). */
export async function metricValue(
  gateway: { http: HttpCall },
  name: string,
  labels = '',
): Promise<number> {
  const { text } = await gateway.http('/metrics', { key: null });
  const wanted = labels ? `${name}{${labels}}` : name;
  const line = text.split('\n').find((l) => l.startsWith(`${wanted} `));
  return line ? Number(line.slice(wanted.length + 1)) : 0;
}

/** A log destination for startTestGateway that keeps every line written to it. */
export function captureLogs(): { stream: DestinationStream; lines: string[] } {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) =>
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)),
  );
  return { stream, lines };
}
