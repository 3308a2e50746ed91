import type { DeviceView } from '@iag/contracts';
import type { DeviceRecord } from '@iag/storage';

/** Copies only the public fields, so nothing the registry adds later (hashes) leaks out. */
export function toDeviceView(record: DeviceRecord, connected: boolean): DeviceView {
  return {
    id: record.id,
    profile: record.profile,
    createdAt: record.createdAt,
    lastSeen: record.lastSeen,
    connected,
    accepted: record.accepted,
    rejected: record.rejected,
  };
}
