import type { Writable } from 'node:stream';
import type { AedesPublishPacket, Client } from '../aedes.types';
import { mqttForwardsDropped } from '../broker.metrics';

/**
 * A QoS 0 delivery to a subscriber whose socket already needs draining is dropped and counted.
 * aedes makes the publisher wait until every subscriber's write drained (up to drainTimeout), so
 * queueing behind one slow reader would hold back every device publishing to its topics. QoS 1
 * deliveries are kept: they wait, and a reader frozen past MQTT_DRAIN_TIMEOUT_MS is disconnected.
 */
export function forwardsToBackedUpReader(client: Client, packet: AedesPublishPacket): boolean {
  if (packet.qos !== 0) return false;
  const conn = client.conn as unknown as Partial<Writable>;
  if (!conn.writableNeedDrain) return false;
  mqttForwardsDropped.inc({ reason: 'slow_subscriber' });
  return true;
}
