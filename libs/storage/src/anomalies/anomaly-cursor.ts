import { DEVICE_ID_PATTERN, TIME_RANGE_MS } from '@iag/contracts';

/** Position of the last item of a page: pages are ordered by startedAt desc, then deviceId asc. */
export interface AnomalyPosition {
  startedAtMs: number;
  deviceId: string;
}

/** Opaque to clients: base64url of `<ms>~<deviceId>` (fits the contract's 200-char cursor). */
export function encodeCursor(position: AnomalyPosition): string {
  return Buffer.from(`${position.startedAtMs}~${position.deviceId}`, 'utf8').toString('base64url');
}

/** The position a cursor encodes, or null when it is not one of ours. */
export function decodeCursor(cursor: string): AnomalyPosition | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  const match = /^(\d{1,16})~(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) return null;
  const startedAtMs = Number(match[1]);
  if (startedAtMs > TIME_RANGE_MS.max || !DEVICE_ID_PATTERN.test(match[2])) return null;
  return { startedAtMs, deviceId: match[2] };
}

/** Newest first, then device id ascending: a total order, since a device has one point per ms. */
export function comparePositions(a: AnomalyPosition, b: AnomalyPosition): number {
  if (a.startedAtMs !== b.startedAtMs) return b.startedAtMs - a.startedAtMs;
  return a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0;
}

/** True when `item` comes strictly after `cursor` in page order. */
export function isAfter(item: AnomalyPosition, cursor: AnomalyPosition): boolean {
  return comparePositions(item, cursor) > 0;
}
