import type { TLSSocket } from 'node:tls';
import type { Client } from '../aedes.types';

export type Transport = 'tcp' | 'tls' | 'ws' | 'wss';

/** What the broker knows about a connection beyond MQTT: where it came from and its TLS session. */
export interface ConnectionInfo {
  address: string;
  transport: Transport;
  /** The TLS session (MQTTS, or WebSocket over HTTPS), for client certificates. */
  tls?: TLSSocket;
}

/** Connection facts by aedes connection, recorded by the listeners and read by the auth policy. */
export class ConnectionInfos {
  private readonly infos = new WeakMap<object, ConnectionInfo>();

  record(conn: object, info: ConnectionInfo): void {
    this.infos.set(conn, info);
  }

  of(client: Client | null): ConnectionInfo | undefined {
    return client ? this.infos.get(client.conn) : undefined;
  }
}
