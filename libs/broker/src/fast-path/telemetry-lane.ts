import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { EventEmitter } from 'node:events';
import type { Client, PublishPacket } from '../aedes.types';
import type { PublishHooks } from '../hooks/publish.hooks';
import type { TelemetryAdmission } from '../hooks/telemetry-admission';
import type { TelemetryAudience } from '../hooks/telemetry-audience';
import { mqttLaneMessages, mqttPubackLatency } from '../broker.metrics';
import { DISCARDED_TOPIC } from './discarded-topic';

/** Bound once, as for every per-message counter. */
const laneMessages = {
  routed: mqttLaneMessages.labels('true'),
  notRouted: mqttLaneMessages.labels('false'),
};

type Callback = (error?: Error | null) => void;

/** The parts of an aedes 1.2 Client (lib/client.js) the lane works with. */
interface AedesClient extends Client {
  _parser: EventEmitter;
  /** Packets of the current read being handled; aedes reads again when it is back to 0. */
  _parsingBatch: number;
  /** Ends one packet's handling (the `done` of aedes's handlers): an error closes the client. */
  _nextBatch: Callback;
  _keepaliveInterval: number;
  _keepaliveTimer: NodeJS.Timeout | null;
  connackSent: boolean;
  connecting: boolean;
  errored: boolean;
  waitForDrain(callback: Callback): void;
  broker: { publish(packet: PublishPacket, client: Client, done: Callback): void };
}

const MQTT_3_1_1 = 4;
const PUBACK = 0x40;
const REMAINING_LENGTH = 0x02;

/** An MQTT 3.1.1 PUBACK (section 3.4) for a message id of 0..65535, as one buffer: one write. */
export function pubackBytes(messageId: number): Buffer {
  return Buffer.from([PUBACK, REMAINING_LENGTH, messageId >> 8, messageId & 0xff]);
}

/**
 * A telemetry message past aedes's per-message path. Under a flood that path was the largest
 * cost the gateway itself adds: handler series, a PUBACK object written through
 * mqtt-packet under a cork, a setImmediate per acknowledgement, then routing the message
 * (a Packet, two topic matches, offline-queue and retained checks) when nobody subscribes
 * to telemetry. The lane does what aedes would do for such a message, in the same order:
 * admit it (PublishHooks' admission, so the sink's answer is still the acknowledgement),
 * write the PUBACK, and route it through aedes only when a subscriber may want it.
 *
 * It sits on the client's parser, in front of aedes's own listener, and takes only a QoS 1
 * PUBLISH the session was already allowed to make in the same form (PublishHooks.laneTelemetry);
 * every other packet, and every first telemetry message of a session, goes to aedes unchanged.
 */
export class TelemetryLane {
  constructor(
    private readonly hooks: PublishHooks,
    private readonly admission: TelemetryAdmission,
    private readonly audience: TelemetryAudience,
  ) {}

  /** Puts the lane in front of aedes's handling of the packets of a connection aedes just took. */
  attach(conn: Duplex): void {
    const client = (conn as { client?: AedesClient }).client;
    if (!client) return; // refused before aedes saw it
    const parser = client._parser;
    const [toAedes] = parser.listeners('packet') as ((packet: unknown) => void)[];
    parser.removeListener('packet', toAedes);
    parser.on('packet', (packet: { cmd: string }) => {
      if (packet.cmd !== 'publish' || !this.take(client, packet as PublishPacket))
        toAedes.call(parser, packet);
    });
  }

  private take(client: AedesClient, packet: PublishPacket): boolean {
    if (!client.connackSent || client.version !== MQTT_3_1_1) return false;
    const allowed = this.hooks.laneTelemetry(client, packet);
    if (allowed === undefined) return false;
    if (client._keepaliveInterval > 0) client._keepaliveTimer?.refresh();
    // Held until the sink answers, as aedes's enqueue() does: aedes reads on at 0.
    client._parsingBatch++;
    let returned = false;
    const parsedAt = performance.now();
    this.admission.admit(allowed, packet, (error) => {
      if (returned) return this.acknowledge(client, packet, allowed.deviceId, error, parsedAt);
      // Decided before admit() returned: ending the batch now would read and parse the next
      // chunk inside aedes's parser loop. A microtask runs right after the loop.
      queueMicrotask(() => this.acknowledge(client, packet, allowed.deviceId, error, parsedAt));
    });
    returned = true;
    return true;
  }

  /** aedes's enqueuePublish: the PUBACK first, then the message is published. */
  private acknowledge(
    client: AedesClient,
    packet: PublishPacket,
    deviceId: string,
    error: Error | null | undefined,
    parsedAt: number,
  ): void {
    if (error) return client._nextBatch(error);
    if (!client.connected && !client.connecting)
      return client._nextBatch(new Error('connection closed'));
    const flushed = client.conn.write(pubackBytes(packet.messageId ?? 0));
    mqttPubackLatency.observe((performance.now() - parsedAt) / 1000);
    if (flushed || client.errored) return this.route(client, packet, deviceId);
    client.waitForDrain((drainError) =>
      drainError ? client._nextBatch(drainError) : this.route(client, packet, deviceId),
    );
  }

  private route(client: AedesClient, packet: PublishPacket, deviceId: string): void {
    if (packet.topic === DISCARDED_TOPIC || !this.audience.mayReceive(deviceId)) {
      laneMessages.notRouted.inc();
      return client._nextBatch();
    }
    laneMessages.routed.inc();
    client.broker.publish(packet, client, client._nextBatch);
  }
}
