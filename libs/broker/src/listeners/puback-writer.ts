import type { Writable } from 'node:stream';
// The module object itself, which aedes calls through; a namespace import would be a read-only copy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import mqttPacket = require('mqtt-packet');

type WriteToStream = typeof mqttPacket.writeToStream;
type ProtocolOptions = { protocolVersion?: number };

const PUBACK = 0x40;
const REMAINING_LENGTH = 0x02;
let installed = false;

/**
 * Makes every MQTT 3.1.1 PUBACK one 4-byte write. mqtt-packet writes a PUBACK as three writes
 * (header, length, id) under a cork released on the next tick, so the socket goes through three
 * buffered writes and a writev per acknowledgement: with one PUBACK per message that machinery
 * was ~5% of the gateway's CPU under a flood (issue 7). aedes 1.x calls
 * `mqttPacket.writeToStream` on the module object at each write, so wrapping it there reaches
 * aedes; every other packet (and a PUBACK with a bad id, which mqtt-packet refuses) takes the
 * original path. The cork is kept, so PUBACKs of one tick still leave in one syscall.
 */
export function installSinglePubackWrite(): void {
  if (installed) return;
  installed = true;
  const original: WriteToStream = mqttPacket.writeToStream;
  const patched = (packet: mqttPacket.Packet, stream: Writable, opts?: ProtocolOptions) => {
    if (packet.cmd !== 'puback' || (opts?.protocolVersion ?? 4) === 5) {
      return original(packet, stream, opts);
    }
    const id = packet.messageId;
    if (typeof id !== 'number' || !(id >= 0 && id <= 0xffff)) return original(packet, stream, opts);
    if (!stream.writableCorked) {
      stream.cork();
      process.nextTick(uncork, stream);
    }
    return stream.write(pubackBytes(id));
  };
  (mqttPacket as { writeToStream: WriteToStream }).writeToStream = patched as WriteToStream;
}

/** An MQTT 3.1.1 PUBACK (section 3.4) for a message id of 0..65535. */
export function pubackBytes(messageId: number): Buffer {
  return Buffer.from([PUBACK, REMAINING_LENGTH, messageId >> 8, messageId & 0xff]);
}

function uncork(stream: Writable): void {
  stream.uncork();
}
