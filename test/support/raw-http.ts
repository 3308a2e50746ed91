import { request } from 'node:http';
import * as net from 'node:net';

export interface AddressedResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * One HTTP request from a chosen loopback address (127.0.0.0/8 is all local), so a test can be
 * several clients: the gateway counts failed authentications per client address.
 */
export function requestFrom(
  localAddress: string,
  port: number,
  path: string,
  options: { key?: string; method?: string; body?: string; lastEventId?: string } = {},
): Promise<AddressedResult> {
  const headers: Record<string, string> = {};
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(
      // agent: false = a connection of its own, closed after the answer (no pool holds it open).
      {
        host: '127.0.0.1',
        port,
        path,
        localAddress,
        method: options.method ?? 'GET',
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = text;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A plain TCP connection that records what it receives and when the server closed it. */
export interface RawConnection {
  socket: net.Socket;
  received(): string;
  /** Resolves once the server closed (or reset) the connection. */
  closed: Promise<void>;
  isClosed(): boolean;
}

export function rawConnection(
  port: number,
  options: { paused?: boolean; localAddress?: string } = {},
): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: options.localAddress });
    // A paused socket is a client that stopped reading: the kernel's buffers fill, then the server's.
    if (options.paused) socket.pause();
    const chunks: Buffer[] = [];
    let done = false;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const closed = new Promise<void>((settle) => socket.once('close', () => settle()));
    void closed.then(() => (done = true));
    socket.on('error', () => undefined); // a reset is a close too
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => Buffer.concat(chunks).toString('utf8'),
        closed,
        isClosed: () => done,
      }),
    );
    socket.once('error', reject);
  });
}

/** `count` requests, `parallel` at a time; resolves with each answer's status. */
export async function flood(count: number, parallel: number, send: () => Promise<number>) {
  const statuses: number[] = [];
  let left = count;
  const worker = async () => {
    while (left-- > 0) statuses.push(await send());
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return statuses;
}
