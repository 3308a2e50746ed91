import { AddressInfo, createServer, Server } from 'node:net';
import { createServer as createTlsServer, TLSSocket, TlsOptions } from 'node:tls';
import { BrokerException, BrokerExceptionCode } from '../broker.exception';
import { addressOf, ConnectionGate } from './connection-gate';

/** MQTT over TCP: every connection passes the gate. */
export function listenTcp(gate: ConnectionGate, host: string, port: number): Promise<Server> {
  const server = createServer((socket) => {
    if (gate.admit(socket)) gate.handle(socket, { address: addressOf(socket), transport: 'tcp' });
  });
  return listen(server, host, port, 'MQTT');
}

/**
 * MQTT over TLS. The address cap is taken on the raw connection, before the handshake, so half-open
 * handshakes count too; a handshake must finish within `handshakeTimeoutMs`.
 */
export function listenTls(
  gate: ConnectionGate,
  host: string,
  port: number,
  options: TlsOptions,
  handshakeTimeoutMs: number,
): Promise<Server> {
  const server = createTlsServer(
    { ...options, handshakeTimeout: handshakeTimeoutMs },
    (socket: TLSSocket) =>
      gate.handle(socket, { address: addressOf(socket), transport: 'tls', tls: socket }),
  );
  server.on('connection', (socket) => gate.admit(socket));
  // A failed handshake is the client's problem (wrong CA, plain TCP on this port): nothing to log loudly.
  server.on('tlsClientError', (_error, socket) => socket.destroy());
  return listen(server, host, port, 'MQTTS');
}

export function listen(server: Server, host: string, port: number, label: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new BrokerException(
          BrokerExceptionCode.LISTEN_FAILED,
          `${label} listener on ${host}:${port}: ${error.message}`,
        ),
      ),
    );
    server.listen(port, host, () => resolve(server));
  });
}

export function boundPort(server: Server | undefined): number {
  return (server?.address() as AddressInfo | null)?.port ?? 0;
}

export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}
