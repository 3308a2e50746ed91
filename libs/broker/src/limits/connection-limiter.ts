import type { Duplex } from 'node:stream';
import { mqttConnectRefused } from '../broker.metrics';

/**
 * One global cap on open MQTT connections, shared by every listener: past it a new socket is
 * closed at once, before aedes reads a byte or allocates a client for it (~14 KiB each).
 */
export class ConnectionLimiter {
  private open = 0;

  constructor(private readonly max: number) {}

  get connections(): number {
    return this.open;
  }

  /** Wraps a listener's connection handler (e.g. aedes.handle) with the cap. */
  guard<S extends Duplex, A extends unknown[]>(
    handle: (socket: S, ...rest: A) => void,
  ): (socket: S, ...rest: A) => void {
    return (socket, ...rest) => {
      if (this.open >= this.max) {
        mqttConnectRefused.inc({ reason: 'connection_limit' });
        socket.destroy();
        return;
      }
      this.open++;
      socket.once('close', () => this.open--);
      handle(socket, ...rest);
    };
  }
}
