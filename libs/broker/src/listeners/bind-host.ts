import { BlockList, isIP } from 'node:net';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** True when a listener bound to `host` is reachable from this machine only. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const family = isIP(host);
  if (family === 0) return false; // a name other than localhost may resolve to anything
  return loopback.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The start-up warning for a plain MQTT listener that other machines can reach while TLS is
 * configured: tokens and telemetry then cross the network in clear text there. Null when
 * there is nothing to say.
 */
export function plainListenerWarning(
  host: string,
  port: number | null,
  tlsConfigured: boolean,
): string | null {
  if (port === null || !tlsConfigured || isLoopbackHost(host)) return null;
  return (
    `plain MQTT (MQTT_PORT) listens on ${host}, reachable from other machines, while TLS is ` +
    'configured: device tokens cross the network unencrypted there. Set MQTT_PORT=off to serve ' +
    'MQTT over TLS only, or BIND_HOST to a loopback address'
  );
}
