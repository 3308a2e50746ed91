import { isDeviceId } from './identifiers';

/** The MQTT topic contract (DESIGN.md). */
export const Topics = {
  telemetry: (deviceId: string) => `devices/${deviceId}/telemetry`,
  errors: (deviceId: string) => `devices/${deviceId}/errors`,
  alerts: (deviceId: string) => `alerts/${deviceId}`,
  /** Everything under a device's own namespace: what a device may subscribe to. */
  deviceNamespace: (deviceId: string) => `devices/${deviceId}/`,
} as const;

/** Returns the device id when `topic` is exactly `devices/{id}/telemetry`. */
export function telemetryTopicDevice(topic: string): string | null {
  if (!topic.startsWith('devices/') || !topic.endsWith('/telemetry')) return null;
  const id = topic.slice('devices/'.length, topic.length - '/telemetry'.length);
  return isDeviceId(id) ? id : null;
}
