import { Topics } from '@iag/contracts';

/** Who holds an MQTT session. Anonymous sessions exist only when explicitly allowed. */
export interface MqttPrincipal {
  kind: 'device' | 'anonymous';
  deviceId: string;
}

export type AclMode = 'default' | 'open';

/**
 * Topic rules of DESIGN.md. Default: a device publishes only devices/{self}/telemetry and subscribes only
 * inside devices/{self}/. `open` (development preset) allows every topic except the reserved $SYS tree.
 */
export class TopicAcl {
  constructor(private readonly mode: AclMode = 'default') {}

  canPublish(principal: MqttPrincipal, topic: string): boolean {
    if (topic.startsWith('$')) return false;
    if (this.mode === 'open') return true;
    return topic === Topics.telemetry(principal.deviceId);
  }

  canSubscribe(principal: MqttPrincipal, filter: string): boolean {
    if (this.mode === 'open') return !filter.startsWith('$');
    const own = Topics.deviceNamespace(principal.deviceId);
    // Wildcards are fine below the device level, never at or above it.
    return filter.startsWith(own) && filter.length > own.length;
  }
}
