import { comparePositions, decodeCursor, encodeCursor, isAfter } from './anomaly-cursor';

describe(encodeCursor.name, () => {
  it('round-trips through decodeCursor and stays within the contract cursor pattern', () => {
    const position = { startedAtMs: 1_763_816_400_123, deviceId: 'sensor_01.a-b' };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]{1,200}$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it('fits the longest device id within 200 characters', () => {
    const cursor = encodeCursor({ startedAtMs: 9_999_999_999_999, deviceId: `a${'b'.repeat(63)}` });
    expect(cursor.length).toBeLessThanOrEqual(200);
  });
});

describe(decodeCursor.name, () => {
  const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

  it.each([
    ['not base64url', 'abc$'],
    ['empty', ''],
    ['no separator', encode('1763816400000')],
    ['negative time', encode('-5~dev')],
    ['non-numeric time', encode('x~dev')],
    ['invalid device id', encode('1763816400000~bad id')],
    ['empty device id', encode('1763816400000~')],
    ['too long', 'a'.repeat(201)],
    ['a time InfluxDB cannot hold', encode('9999999999999999~dev')],
  ])('rejects %s', (_label, cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });
});

describe(comparePositions.name, () => {
  it('orders newest first, then device id ascending', () => {
    const positions = [
      { startedAtMs: 1, deviceId: 'b' },
      { startedAtMs: 2, deviceId: 'b' },
      { startedAtMs: 2, deviceId: 'a' },
      { startedAtMs: 1, deviceId: 'a' },
    ];
    expect([...positions].sort(comparePositions)).toEqual([
      { startedAtMs: 2, deviceId: 'a' },
      { startedAtMs: 2, deviceId: 'b' },
      { startedAtMs: 1, deviceId: 'a' },
      { startedAtMs: 1, deviceId: 'b' },
    ]);
  });

  it('isAfter is strict: the cursor item itself is not after itself', () => {
    const cursor = { startedAtMs: 5, deviceId: 'm' };
    expect(isAfter(cursor, cursor)).toBe(false);
    expect(isAfter({ startedAtMs: 5, deviceId: 'n' }, cursor)).toBe(true);
    expect(isAfter({ startedAtMs: 5, deviceId: 'l' }, cursor)).toBe(false);
    expect(isAfter({ startedAtMs: 4, deviceId: 'a' }, cursor)).toBe(true);
    expect(isAfter({ startedAtMs: 6, deviceId: 'z' }, cursor)).toBe(false);
  });
});
