import { clientIdOwner } from './client-id-owner';

describe(clientIdOwner.name, () => {
  const provisioned = new Set(['thermo', 'thermo-1', 'pump.2']);
  const owner = (clientId: string) => clientIdOwner(clientId, (id) => provisioned.has(id));

  it('gives a device its own id and the ids that start with it and a dash', () => {
    expect(owner('thermo-1')).toBe('thermo-1');
    expect(owner('thermo-1-main')).toBe('thermo-1');
    expect(owner('thermo-1-a-b')).toBe('thermo-1');
    expect(owner('pump.2-x')).toBe('pump.2');
  });

  it('prefers the longest provisioned id', () => {
    expect(owner('thermo-2')).toBe('thermo');
    expect(owner('thermo-1-x')).toBe('thermo-1');
    expect(owner('thermo')).toBe('thermo');
  });

  it('leaves other client ids to nobody', () => {
    for (const id of [
      'mqttjs_3f2a9c',
      'thermo1',
      'thermo_1',
      'pump.2x',
      'xthermo-1',
      '-thermo',
      '',
    ])
      expect(owner(id)).toBeUndefined();
  });

  it('asks only about valid device ids, at most one per dash', () => {
    const asked: string[] = [];
    clientIdOwner('a-b-c:d', (id) => (asked.push(id), false));
    expect(asked).toEqual(['a-b', 'a']);
  });
});
