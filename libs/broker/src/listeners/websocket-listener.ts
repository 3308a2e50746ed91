import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { addressOf, ConnectionGate } from './connection-gate';

/** Where MQTT over WebSocket is served on the HTTP server (DESIGN.md). */
export const MQTT_WS_PATH = '/mqtt';

/**
 * MQTT over WebSocket on the gateway's HTTP(S) server: the app hands it the server's upgrade requests.
 * Each WebSocket becomes a byte stream for aedes, through the same gate, auth and ACL as TCP.
 */
export class WebSocketListener {
  private readonly wss: WebSocketServer;

  constructor(
    private readonly gate: ConnectionGate,
    maxPacketBytes: number,
  ) {
    // One WebSocket message may carry a whole MQTT packet, never more; no compression (zip bombs).
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: maxPacketBytes + 8,
      perMessageDeflate: false,
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== MQTT_WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const raw = req.socket;
    if (!this.gate.admit(raw)) return;
    const tls = raw instanceof TLSSocket ? raw : undefined;
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const stream = createWebSocketStream(ws);
      // Errors surface through aedes's own handlers; this keeps a late one from being unhandled.
      stream.on('error', () => undefined);
      this.gate.handle(
        stream,
        { address: addressOf(raw), transport: tls ? 'wss' : 'ws', tls },
        req,
      );
    });
  }

  close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}
