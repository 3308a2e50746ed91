import type { AclFile } from './acl-rules';

/**
 * The built-in rules (DESIGN.md, MQTT contract), in the MQTT_ACL file format: a device publishes its own
 * telemetry and subscribes inside its own namespace; service keys read telemetry and errors (viewer) and
 * alerts (operator and admin). README shows the same rules as a file to start from.
 */
export const DEFAULT_ACL: AclFile = {
  rules: [
    {
      effect: 'allow',
      principal: 'device',
      action: 'publish',
      topic: 'devices/{deviceId}/telemetry',
    },
    { effect: 'allow', principal: 'device', action: 'subscribe', topic: 'devices/{deviceId}/#' },
    {
      effect: 'allow',
      principal: 'anonymous',
      action: 'publish',
      topic: 'devices/{deviceId}/telemetry',
    },
    { effect: 'allow', principal: 'anonymous', action: 'subscribe', topic: 'devices/{deviceId}/#' },
    {
      effect: 'allow',
      principal: 'service',
      role: 'viewer',
      action: 'subscribe',
      topic: ['devices/+/telemetry', 'devices/+/errors'],
    },
    {
      effect: 'allow',
      principal: 'service',
      role: 'operator',
      action: 'subscribe',
      topic: 'alerts/#',
    },
  ],
};
