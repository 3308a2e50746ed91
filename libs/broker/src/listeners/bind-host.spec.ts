import { isLoopbackHost, plainListenerWarning } from './bind-host';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', 'localhost'])('%s is', (host) =>
    expect(isLoopbackHost(host)).toBe(true),
  );
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'gateway.local'])('%s is not', (host) =>
    expect(isLoopbackHost(host)).toBe(false),
  );
});

describe('plainListenerWarning', () => {
  it('warns only for a plain listener on a non-loopback bind with TLS configured', () => {
    expect(plainListenerWarning('0.0.0.0', 1883, true)).toContain('MQTT_PORT=off');
    expect(plainListenerWarning('0.0.0.0', 0, true)).not.toBeNull();
    expect(plainListenerWarning('0.0.0.0', null, true)).toBeNull();
    expect(plainListenerWarning('127.0.0.1', 1883, true)).toBeNull();
    expect(plainListenerWarning('0.0.0.0', 1883, false)).toBeNull();
  });
});
