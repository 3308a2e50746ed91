import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import type { Aedes } from '../aedes.types';
import { mqttConnectRefused, mqttProtocolViolations } from '../broker.metrics';
import { ConnectionLimiter } from '../limits/connection-limiter';
import { PerIpConnectionCap } from '../limits/per-ip-connection-cap';
import type { FastPath } from '../fast-path';
import { ConnectionInfo, ConnectionInfos } from './connection-info';
import { FrameGuard } from './frame-guard';

/**
 * Every listener hands its connections through here: the per-address cap, the global connection
 * cap, then aedes behind a frame guard that closes a connection announcing a packet over the size
 * limit before aedes buffers it, with the fast path (bounded read slices, the telemetry lane) in
 * front of aedes when it is on.
 */
export class ConnectionGate {
  private readonly logger = new Logger(ConnectionGate.name);
  private readonly toAedes: (conn: Duplex, req?: IncomingMessage) => void;

  constructor(
    aedes: Aedes,
    private readonly infos: ConnectionInfos,
    private readonly cap: PerIpConnectionCap,
    limiter: ConnectionLimiter,
    private readonly maxPacketBytes: number,
    private readonly fastPath: FastPath,
  ) {
    this.toAedes = limiter.guard(fastPath.wrap(aedes.handle));
  }

  /** Takes a slot for the socket's address while it is open; past the cap the socket is destroyed. */
  admit(socket: Socket): boolean {
    const address = addressOf(socket);
    if (!this.cap.tryAcquire(address)) {
      mqttConnectRefused.inc({ reason: 'ip_limit' });
      socket.destroy();
      return false;
    }
    socket.once('close', () => this.cap.release(address));
    return true;
  }

  /** Hands an admitted connection to aedes. */
  handle(conn: Duplex, info: ConnectionInfo, req?: IncomingMessage): void {
    this.infos.record(conn, info);
    this.toAedes(conn, req);
    this.fastPath.attach(conn);
    const guard = new FrameGuard(this.maxPacketBytes);
    // aedes reads with read() on 'readable'; a 'data' listener added after it fires on each of those
    // reads without switching the stream to flowing mode, so it sees exactly what aedes's parser gets.
    conn.on('data', (chunk: Buffer) => {
      const problem = guard.push(chunk);
      if (problem === null) return;
      mqttProtocolViolations.inc({ reason: problem.reason });
      this.logger.debug(
        `closing ${info.transport} connection from ${info.address}: ${problem.detail}`,
      );
      conn.destroy();
    });
  }
}

export function addressOf(socket: Socket): string {
  return socket.remoteAddress ?? 'unknown';
}
