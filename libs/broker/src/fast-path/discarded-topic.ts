import type { PublishPacket } from '../aedes.types';

/**
 * Where a message no subscriber may see (nothing of it was kept) is sent: aedes publishes every
 * authorized message, and one queued for delivery only to be filtered out later still costs
 * memory (under a flood, most of it). `$` topics cannot be subscribed to (TopicAcl), so aedes
 * finds no subscriber and is done with it at once. Rewriting the packet in authorizePublish is
 * what aedes's docs show (docs/Aedes.md, authorizePublish); the lane skips routing it at all.
 */
export const DISCARDED_TOPIC = '$iag/discarded';

export function discard(packet: PublishPacket): void {
  packet.topic = DISCARDED_TOPIC;
  packet.retain = false;
}
