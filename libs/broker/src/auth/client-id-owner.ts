import { isDeviceId } from '@iag/contracts';

/**
 * The provisioned device a client id belongs to, if any: the device whose id it equals, or whose
 * id it starts with followed by `-` (`thermo-1`, `thermo-1-main`). When several fit, the longest
 * id wins, so `thermo-1-main` is thermo-1's even when a device `thermo` exists too. Any other
 * client id (`mqttjs_3f2a`, a random one) belongs to nobody and stays free for anyone.
 */
export function clientIdOwner(
  clientId: string,
  isProvisioned: (deviceId: string) => boolean,
): string | undefined {
  for (let end = clientId.length; end > 0; end = clientId.lastIndexOf('-', end - 1)) {
    const candidate = clientId.slice(0, end);
    if (isDeviceId(candidate) && isProvisioned(candidate)) return candidate;
  }
  return undefined;
}
