import { RejectionCode } from '@iag/contracts';
import { DeviceMetricGate } from './device-metric-names';

describe(DeviceMetricGate.name, () => {
  it('admits up to the limit of distinct names, counting each name once', () => {
    const gate = new DeviceMetricGate(new Set(), 3);
    expect(gate.admit({ a: 1, b: 2 })).toBeNull();
    expect(gate.admit({ a: 3, b: 4 })).toBeNull();
    expect(gate.admit({ c: 5 })).toBeNull();
    expect(gate.admit({ a: 1, b: 1, c: 1 })).toBeNull();
    expect(gate.changed).toBe(true);
    expect(gate.admit({ a: 1, d: 1 })).toEqual({
      code: RejectionCode.TOO_MANY_METRICS,
      detail: '"d" would make 4 distinct metric names for this device; at most 3 per device',
    });
    expect([...gate.names]).toEqual(['a', 'b', 'c']);
  });

  it('admits a reading whole or not at all', () => {
    const gate = new DeviceMetricGate(new Set(['a']), 2);
    expect(gate.admit({ a: 1, b: 1, c: 1 })?.code).toBe(RejectionCode.TOO_MANY_METRICS);
    expect([...gate.names]).toEqual(['a']);
    expect(gate.changed).toBe(false);
    expect(gate.admit({ b: 1 })).toBeNull();
  });

  it("admits only the names the device's profile declares, whatever the limit", () => {
    const gate = new DeviceMetricGate(new Set(), 1);
    gate.profile = { name: 'thermostat', metrics: new Set(['temp', 'hum']) };
    expect(gate.admit({ temp: 1, hum: 2 })).toBeNull();
    expect(gate.admit({ temp: 1, fan: 2 })).toEqual({
      code: RejectionCode.UNDECLARED_METRIC,
      detail: '"fan" not declared by profile "thermostat" (temp, hum)',
    });
    expect([...gate.names]).toEqual(['temp', 'hum']);
  });

  it('lets known names through without looking further (the common case)', () => {
    const gate = new DeviceMetricGate(new Set(['a', 'b']), 2);
    gate.profile = { name: 'p', metrics: new Set() }; // declared later without them: kept, not new
    expect(gate.admit({ a: 1, b: 2 })).toBeNull();
    expect(gate.changed).toBe(false);
  });
});
