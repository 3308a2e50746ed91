import { aclFileSchema, AclFile, compileRules } from './acl-rules';
import { DEFAULT_ACL } from './default-acl';
import { TopicAcl } from './topic-acl';
import type { MqttPrincipal } from '../auth/mqtt-principal';

const fromFile = (file: AclFile) => TopicAcl.fromRules(compileRules(aclFileSchema.parse(file)));

describe(TopicAcl.name, () => {
  const me: MqttPrincipal = { kind: 'device', deviceId: 'sensor-1', via: 'token' };
  const service = (role: 'viewer' | 'operator' | 'admin'): MqttPrincipal => ({
    kind: 'service',
    keyId: 'abc',
    name: 'bridge',
    role,
  });

  describe('default rules', () => {
    const acl = fromFile(DEFAULT_ACL);
    it.each([
      ['devices/sensor-1/telemetry', true],
      ['devices/sensor-2/telemetry', false],
      ['devices/sensor-1/errors', false],
      ['devices/sensor-1/telemetry/extra', false],
      ['alerts/sensor-1', false],
      ['$SYS/broker/foo', false],
    ])('a device publishing %s -> %s', (topic, allowed) => {
      expect(acl.canPublish(me, topic)).toBe(allowed);
    });

    it.each([
      ['devices/sensor-1/#', true],
      ['devices/sensor-1/errors', true],
      ['devices/sensor-1/+', true],
      ['devices/+/errors', false],
      ['devices/#', false],
      ['#', false],
      ['+/sensor-1/errors', false],
      ['devices/sensor-10/errors', false],
      ['$SYS/#', false],
      ['alerts/sensor-1', false],
    ])('a device subscribing to %s -> %s', (filter, allowed) => {
      expect(acl.canSubscribe(me, filter)).toBe(allowed);
    });

    it('gives an anonymous device (open deployments) its own namespace only', () => {
      const anon: MqttPrincipal = { kind: 'anonymous', deviceId: 'anon-1' };
      expect(acl.canPublish(anon, 'devices/anon-1/telemetry')).toBe(true);
      expect(acl.canPublish(anon, 'devices/sensor-1/telemetry')).toBe(false);
    });

    it.each([
      ['viewer', 'devices/+/telemetry', true],
      ['viewer', 'devices/sensor-1/telemetry', true],
      ['viewer', 'devices/+/errors', true],
      ['viewer', 'alerts/#', false],
      ['operator', 'alerts/#', true],
      ['operator', 'alerts/sensor-1', true],
      ['admin', 'alerts/+', true],
      ['admin', 'devices/#', false],
      ['admin', '#', false],
    ] as const)('a %s service subscribing to %s -> %s', (role, filter, allowed) => {
      expect(acl.canSubscribe(service(role), filter)).toBe(allowed);
    });

    it('lets services publish nothing', () => {
      expect(acl.canPublish(service('admin'), 'devices/sensor-1/telemetry')).toBe(false);
      expect(acl.canPublish(service('admin'), 'alerts/sensor-1')).toBe(false);
    });
  });

  describe('rules from a file', () => {
    const acl = fromFile({
      rules: [
        { effect: 'allow', principal: 'device', action: 'both', topic: 'devices/{deviceId}/#' },
        { effect: 'deny', principal: 'device', action: 'publish', topic: 'devices/+/errors' },
        { effect: 'allow', principal: 'any', action: 'subscribe', topic: 'public/#' },
        { effect: 'deny', principal: 'any', action: 'subscribe', topic: 'public/secret/#' },
        {
          effect: 'allow',
          principal: 'service',
          role: 'admin',
          action: 'publish',
          topic: 'commands/+',
        },
      ],
    });

    it('lets a deny rule win over an allow rule, whatever the order', () => {
      expect(acl.canPublish(me, 'devices/sensor-1/status')).toBe(true);
      expect(acl.canPublish(me, 'devices/sensor-1/errors')).toBe(false);
    });

    it('refuses a filter inside a denied one, and withholds denied topics from wider ones', () => {
      expect(acl.canSubscribe(me, 'public/news')).toBe(true);
      expect(acl.canSubscribe(me, 'public/secret/plans')).toBe(false);
      expect(acl.canSubscribe(me, 'public/secret/#')).toBe(false);
      expect(acl.canSubscribe(me, 'public/#')).toBe(true);
      expect(acl.canSubscribe(me, 'public/+/plans')).toBe(true);
      expect(acl.canReceive(me, 'public/news/plans')).toBe(true);
      expect(acl.canReceive(me, 'public/secret/plans')).toBe(false);
    });

    it('applies role rules to keys holding at least that role', () => {
      expect(acl.canPublish(service('admin'), 'commands/sensor-1')).toBe(true);
      expect(acl.canPublish(service('operator'), 'commands/sensor-1')).toBe(false);
      expect(acl.canSubscribe(service('viewer'), 'public/news')).toBe(true);
    });
  });

  describe('open preset', () => {
    const acl = TopicAcl.open();
    it('allows any topic but keeps $SYS reserved', () => {
      expect(acl.canPublish(me, 'anything/at/all')).toBe(true);
      expect(acl.canSubscribe(me, '#')).toBe(true);
      expect(acl.canPublish(me, '$SYS/x')).toBe(false);
      expect(acl.canSubscribe(me, '$SYS/#')).toBe(false);
    });
  });
});
