import { PerIpConnectionCap } from './per-ip-connection-cap';

describe(PerIpConnectionCap.name, () => {
  it('refuses an address its cap+1st connection and gives the slot back on release', () => {
    const cap = new PerIpConnectionCap(2);
    expect([cap.tryAcquire('a'), cap.tryAcquire('a'), cap.tryAcquire('a')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(cap.tryAcquire('b')).toBe(true);
    cap.release('a');
    expect(cap.tryAcquire('a')).toBe(true);
    expect(cap.connectionsFrom('a')).toBe(2);
  });

  it('forgets an address with no open connection and has no cap at 0', () => {
    const cap = new PerIpConnectionCap(0);
    for (let i = 0; i < 1000; i++) expect(cap.tryAcquire('a')).toBe(true);
    for (let i = 0; i < 1000; i++) cap.release('a');
    expect(cap.connectionsFrom('a')).toBe(0);
  });
});
