import type { DeviceRecord } from '@iag/storage';
import { toDeviceView } from './device-view.mapper';

describe(toDeviceView.name, () => {
  const record: DeviceRecord = {
    id: 'pump-7',
    profile: 'hvac',
    createdAt: '2026-11-22T13:00:00.000Z',
    lastSeen: null,
    accepted: 12,
    rejected: 3,
  };

  it('copies the public fields and adds the live connection state', () => {
    expect(toDeviceView(record, true)).toEqual({ ...record, connected: true });
    expect(toDeviceView(record, false).connected).toBe(false);
  });

  it('never copies fields the registry keeps for itself', () => {
    const withSecret = { ...record, tokenHash: '$argon2id$secret' } as DeviceRecord;
    expect(Object.keys(toDeviceView(withSecret, false))).not.toContain('tokenHash');
  });
});
