import { StreamCaps } from './stream-caps';

describe(StreamCaps.name, () => {
  it('refuses a key past its own cap while other keys still open streams', () => {
    const caps = new StreamCaps(2, 10);
    expect(caps.tryOpen('k1')).toBeNull();
    expect(caps.tryOpen('k1')).toBeNull();
    expect(caps.tryOpen('k1')).toBe('per_key');
    expect(caps.tryOpen('k2')).toBeNull();
    caps.close('k1');
    expect(caps.tryOpen('k1')).toBeNull();
    expect(caps.openFor('k1')).toBe(2);
  });

  it('refuses everyone past the global cap until a stream closes', () => {
    const caps = new StreamCaps(5, 3);
    for (const key of ['a', 'b', 'c']) expect(caps.tryOpen(key)).toBeNull();
    expect(caps.tryOpen('d')).toBe('global');
    caps.close('b');
    expect(caps.tryOpen('d')).toBeNull();
  });

  it('ignores a close without an open stream', () => {
    const caps = new StreamCaps(1, 1);
    caps.close('ghost');
    expect(caps.tryOpen('a')).toBeNull();
    expect(caps.tryOpen('b')).toBe('global');
  });
});
