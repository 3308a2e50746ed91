import { Topics } from '@iag/contracts';
import type { Client } from '../aedes.types';
import { topicMatches } from '../acl/topic-filter';

/** The scope of a filter that may match any device's telemetry. */
const EVERY_DEVICE = Symbol('every device');
type Scope = string | typeof EVERY_DEVICE;

/**
 * Which devices' telemetry some session has subscribed to, so that the telemetry lane routes a
 * message through aedes only when someone may receive it. It errs one way only: a filter is
 * counted from the moment it is granted until it is unsubscribed or its clean session ends, and
 * a persistent session's filters stay counted while it is away (aedes keeps them, and queues for
 * them) until that session ends (forgetSession). Sessions are known by client id, so the filters
 * a persistent session gets back when it returns are not counted twice. Counting too much costs
 * a routing that finds nobody; counting too little would lose a delivery. It sees this node's
 * subscriptions only: a cluster sharing an emitter (DESIGN.md) would have to route every message.
 */
export class TelemetryAudience {
  /** Filters that may match any device's telemetry (`devices/+/telemetry`, `#`, ...). */
  private everyDevice = 0;
  /** Filters naming one device (`devices/d1/#`), by device id. */
  private readonly oneDevice = new Map<string, number>();
  /** Filters counted, by client id. */
  private readonly filtersOf = new Map<string, Set<string>>();

  /** Counts a granted filter that can match telemetry (others are ignored). */
  grant(client: Client, filter: string): void {
    const scope = telemetryScope(filter);
    if (scope === null) return;
    let filters = this.filtersOf.get(client.id);
    if (!filters) this.filtersOf.set(client.id, (filters = new Set()));
    if (filters.has(filter)) return;
    filters.add(filter);
    this.add(scope, 1);
  }

  /** UNSUBSCRIBE, and the end of a clean session (aedes emits 'unsubscribe' for its filters then). */
  forget(client: Client, filters: string[]): void {
    const held = this.filtersOf.get(client.id);
    if (!held) return;
    for (const filter of filters) {
      if (!held.delete(filter)) continue;
      this.add(telemetryScope(filter)!, -1);
    }
    if (held.size === 0) this.filtersOf.delete(client.id);
  }

  /** A session ended with its filters still held (a persistent one expired or was deleted). */
  forgetSession(clientId: string): void {
    const held = this.filtersOf.get(clientId);
    if (held) this.forget({ id: clientId } as Client, [...held]);
  }

  /** True when some granted filter may match this device's telemetry topic. */
  mayReceive(deviceId: string): boolean {
    return this.everyDevice > 0 || this.oneDevice.has(deviceId);
  }

  private add(scope: Scope, delta: number): void {
    if (scope === EVERY_DEVICE) {
      this.everyDevice += delta;
      return;
    }
    const count = (this.oneDevice.get(scope) ?? 0) + delta;
    if (count > 0) this.oneDevice.set(scope, count);
    else this.oneDevice.delete(scope);
  }
}

/**
 * The device whose telemetry the filter can match, EVERY_DEVICE, or null for none. The second level
 * of a telemetry topic is the device id, so a filter with a literal there can match only that device.
 */
function telemetryScope(filter: string): Scope | null {
  const second = filter.split('/')[1];
  const device = second === undefined || second === '+' || second === '#' ? null : second;
  if (!topicMatches(filter, Topics.telemetry(device ?? 'any'))) return null;
  return device ?? EVERY_DEVICE;
}
