import { addressGroup } from './client-address';

describe(addressGroup.name, () => {
  it('counts an IPv4 address as itself, also when it arrives mapped into IPv6', () => {
    expect(addressGroup('192.0.2.7')).toBe('192.0.2.7');
    expect(addressGroup('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressGroup('::ffff:c000:207')).toBe('192.0.2.7');
    expect(addressGroup('192.0.2.8')).not.toBe(addressGroup('192.0.2.7'));
  });

  it('counts every address of one IPv6 /64 as one client, however it is written', () => {
    const group = addressGroup('2001:db8:1:2::1');
    expect(group).toBe('2001:db8:1:2::/64');
    for (const same of [
      '2001:db8:1:2:ffff:ffff:ffff:ffff',
      '2001:0db8:0001:0002:0000:0000:0000:0abc',
      '2001:DB8:1:2:a:b:c:d',
    ]) {
      expect(addressGroup(same)).toBe(group);
    }
    expect(addressGroup('2001:db8:1:3::1')).not.toBe(group);
    expect(addressGroup('2001:db8:1:2::1%eth0')).toBe(group);
  });

  it('groups IPv6 loopback by its /64 like any other address', () => {
    expect(addressGroup('::1')).toBe('::/64');
    expect(addressGroup('127.0.0.1')).toBe('127.0.0.1');
  });

  it('puts what is not an address into one group', () => {
    expect(addressGroup(undefined)).toBe('unknown');
    expect(addressGroup('not-an-ip')).toBe('unknown');
  });
});
