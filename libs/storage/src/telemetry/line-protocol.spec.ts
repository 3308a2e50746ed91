import { DEVICE_ID_PATTERN, METRIC_NAME_PATTERN, metricNameProblem } from '@iag/contracts';
import { DEVICE_TAG, telemetryLines } from './line-protocol';

describe(telemetryLines.name, () => {
  it('writes one line per reading: device tag, one float field per metric, ms time', () => {
    const lines = telemetryLines('dev-1', [
      { ts: 1_763_816_400_123, values: { temp: 21, hum: 40.5 } },
      { ts: 1_763_816_401_000, values: { temp: -0.1 + 0.3 } },
    ]);
    expect(lines).toBe(
      'telemetry,device_id=dev-1 temp=21,hum=40.5 1763816400123\n' +
        'telemetry,device_id=dev-1 temp=0.19999999999999998 1763816401000\n',
    );
  });

  it('prints numbers that parse back to the same float64', () => {
    for (const value of [0.1 + 0.2, -1e-300, 1e21, 123456789.12345679, Number.MAX_VALUE]) {
      const field = telemetryLines('d', [{ ts: 1, values: { v: value } }]).split(' ')[1];
      expect(Number(field.slice(2))).toBe(value);
    }
  });

  it('needs no escaping: ids and metric names cannot hold what line protocol escapes', () => {
    for (const special of [' ', ',', '=', '"', '\\', '\n']) {
      expect(DEVICE_ID_PATTERN.test(`a${special}b`)).toBe(false);
      expect(METRIC_NAME_PATTERN.test(`a${special}b`)).toBe(false);
    }
  });

  it("cannot meet a metric named like the measurement's tag or time column", () => {
    expect(metricNameProblem(DEVICE_TAG)).toMatch(/is reserved/);
    expect(metricNameProblem('time')).toMatch(/is reserved/);
  });
});
