import { TopicAcl, MqttPrincipal } from './topic-acl';

describe(TopicAcl.name, () => {
  const me: MqttPrincipal = { kind: 'device', deviceId: 'sensor-1' };

  describe('default rules', () => {
    const acl = new TopicAcl();
    it.each([
      ['devices/sensor-1/telemetry', true],
      ['devices/sensor-2/telemetry', false],
      ['devices/sensor-1/errors', false],
      ['devices/sensor-1/telemetry/extra', false],
      ['alerts/sensor-1', false],
      ['$SYS/broker/foo', false],
    ])('publish %s -> %s', (topic, allowed) => {
      expect(acl.canPublish(me, topic)).toBe(allowed);
    });

    it.each([
      ['devices/sensor-1/#', true],
      ['devices/sensor-1/errors', true],
      ['devices/sensor-1/+', true],
      ['devices/+/errors', false],
      ['devices/#', false],
      ['#', false],
      ['devices/sensor-10/errors', false],
      ['devices/sensor-1', false],
      ['$SYS/#', false],
      ['alerts/sensor-1', false],
    ])('subscribe %s -> %s', (filter, allowed) => {
      expect(acl.canSubscribe(me, filter)).toBe(allowed);
    });
  });

  describe('open preset', () => {
    const acl = new TopicAcl('open');
    it('allows any topic but keeps $SYS reserved', () => {
      expect(acl.canPublish(me, 'anything/at/all')).toBe(true);
      expect(acl.canSubscribe(me, '#')).toBe(true);
      expect(acl.canPublish(me, '$SYS/x')).toBe(false);
      expect(acl.canSubscribe(me, '$SYS/#')).toBe(false);
    });
  });
});
