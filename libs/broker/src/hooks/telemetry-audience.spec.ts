import type { Client } from '../aedes.types';
import { TelemetryAudience } from './telemetry-audience';

let sessions = 0;
const session = (id = `s${++sessions}`): Client => ({ id }) as Client;

describe('TelemetryAudience', () => {
  it.each([
    ['devices/+/telemetry', true, true],
    ['devices/#', true, true],
    ['#', true, true],
    ['+/+/+', true, true],
    ['+/+/telemetry/#', true, true],
    ['devices/d1/telemetry', true, false],
    ['devices/d1/#', true, false],
    ['devices/d1/telemetry/#', true, false],
    ['devices/d1/+', true, false],
    ['devices/d1/errors', false, false],
    ['devices/+/errors', false, false],
    ['devices/+', false, false],
    ['alerts/#', false, false],
    ['devices/+/telemetry/x', false, false],
  ])('%s: d1 %s, d2 %s', (filter, d1, d2) => {
    const audience = new TelemetryAudience();
    audience.grant(session(), filter);
    expect([audience.mayReceive('d1'), audience.mayReceive('d2')]).toEqual([d1, d2]);
  });

  it('counts a filter once per session and forgets it on UNSUBSCRIBE', () => {
    const audience = new TelemetryAudience();
    const a = session();
    const b = session();
    audience.grant(a, 'devices/+/telemetry');
    audience.grant(a, 'devices/+/telemetry'); // a repeated SUBSCRIBE replaces, it does not add
    audience.grant(b, 'devices/d1/#');
    audience.forget(a, ['devices/+/telemetry']);
    expect([audience.mayReceive('d1'), audience.mayReceive('d2')]).toEqual([true, false]);
    audience.forget(b, ['devices/d1/#', 'alerts/#']);
    expect(audience.mayReceive('d1')).toBe(false);
  });

  it("does not forget another session's filter or one never granted", () => {
    const audience = new TelemetryAudience();
    const a = session();
    audience.grant(a, 'devices/+/telemetry');
    audience.forget(session(), ['devices/+/telemetry']);
    audience.forget(a, ['devices/d1/#']);
    expect(audience.mayReceive('d9')).toBe(true);
  });

  it('knows a session by client id: a returning session is not counted twice, and ends whole', () => {
    const audience = new TelemetryAudience();
    audience.grant(session('viewer'), 'devices/+/telemetry');
    audience.grant(session('viewer'), 'devices/+/telemetry'); // the same session, reconnected
    audience.grant(session('viewer'), 'devices/d1/#');
    audience.grant(session('other'), 'devices/d2/telemetry');
    audience.forgetSession('viewer');
    expect([
      audience.mayReceive('d1'),
      audience.mayReceive('d2'),
      audience.mayReceive('d3'),
    ]).toEqual([false, true, false]);
    audience.forgetSession('nobody');
    expect(audience.mayReceive('d2')).toBe(true);
  });
});
