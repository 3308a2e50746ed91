import { Injectable } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { MetricNameGate, Rejection, RejectionCode } from '@iag/contracts';
import { Database } from 'lmdb';
import { RegistryStore } from '../registry/registry-store';
import { DeclaredProfiles, loadDeclaredProfiles } from './device-profiles';

/** Not a device id (ids cannot hold ':'): where the database the names were read from is kept. */
const SEEDED_KEY = ':seeded-from';
const shown = (names: string[]) => names.map((n) => JSON.stringify(n)).join(', ');

/**
 * One device's metric names and what it may add: O(1) per name of a reading. A reading with a
 * name the device has not used yet is admitted whole or not at all.
 */
export class DeviceMetricGate implements MetricNameGate {
  /** Set when a reading added names, until DeviceMetricNames.saveNew() writes them. */
  changed = false;
  /** The device's profile and the names it declares; undefined = the DEVICE_MAX_METRICS rule. */
  profile: { name: string; metrics: ReadonlySet<string> } | undefined;

  constructor(
    readonly names: Set<string>,
    private readonly max: number,
  ) {}

  admit(values: Readonly<Record<string, number>>): Rejection | null {
    for (const name in values) if (!this.names.has(name)) return this.admitNew(values);
    return null;
  }

  private admitNew(values: Readonly<Record<string, number>>): Rejection | null {
    const fresh = Object.keys(values).filter((name) => !this.names.has(name));
    const declared = this.profile;
    if (declared) {
      const undeclared = fresh.filter((name) => !declared.metrics.has(name));
      if (undeclared.length > 0) {
        const listed = [...declared.metrics].slice(0, 20);
        return {
          code: RejectionCode.UNDECLARED_METRIC,
          detail:
            `${shown(undeclared.slice(0, 5))} not declared by profile ${JSON.stringify(declared.name)}` +
            ` (${listed.join(', ')}${declared.metrics.size > listed.length ? ', ...' : ''})`,
        };
      }
    } else if (this.names.size + fresh.length > this.max) {
      return {
        code: RejectionCode.TOO_MANY_METRICS,
        detail:
          `${shown(fresh.slice(0, 5))} would make ${this.names.size + fresh.length} distinct ` +
          `metric names for this device; at most ${this.max} per device`,
      };
    }
    for (const name of fresh) this.names.add(name);
    this.changed = true;
    return null;
  }
}

/**
 * The metric names each device has sent (lmdb `device_metrics` in the registry, kept across
 * restarts), and with them its limit: at most DEVICE_MAX_METRICS distinct names, or only those its
 * profile declares (DEVICE_PROFILES). Telemetry queries select a device's own names, so what
 * another device sends never reaches its answers. Kept in memory per device once it sends;
 * written only when a name is new.
 */
@Injectable()
export class DeviceMetricNames {
  private readonly gates = new Map<string, DeviceMetricGate>();
  private declared: DeclaredProfiles = new Map();

  constructor(
    private readonly store: RegistryStore,
    private readonly config: GatewayConfig,
  ) {}

  /** Reads DEVICE_PROFILES; throws StorageException INVALID_PROFILES naming every problem. */
  loadProfiles(): void {
    this.declared = loadDeclaredProfiles(this.config.deviceMetrics.profilesFile);
  }

  /** The gate of one device's readings, for one message; `profile` is the device's own. */
  gate(deviceId: string, profile: string | null): DeviceMetricGate {
    const gate = this.loaded(deviceId);
    const metrics = profile === null ? undefined : this.declared.get(profile);
    if (gate.profile?.metrics !== metrics) {
      gate.profile = metrics && profile !== null ? { name: profile, metrics } : undefined;
    }
    return gate;
  }

  /** Writes the names a message added, if any; its PUBACK waits on this (undefined: none). */
  saveNew(deviceId: string, gate: DeviceMetricGate): Promise<void> | undefined {
    if (!gate.changed) return undefined;
    gate.changed = false;
    return this.db()
      .put(deviceId, [...gate.names])
      .then(() => undefined);
  }

  /** The device's metric names, sorted (what its telemetry queries select). */
  of(deviceId: string): string[] {
    const names = this.gates.get(deviceId)?.names ?? this.db().get(deviceId) ?? [];
    return [...names].sort();
  }

  /**
   * Adds names the device already has in InfluxDB (MetricNamesSeed). Through the device's set in
   * memory, like every write of its names, so one written later never drops another.
   */
  async merge(deviceId: string, names: readonly string[]): Promise<void> {
    const known = this.loaded(deviceId).names;
    const before = known.size;
    for (const name of names) known.add(name);
    if (known.size !== before) await this.db().put(deviceId, [...known]);
  }

  /** A removed device's names go with it: provisioned again, it starts with none. */
  async forget(deviceId: string): Promise<void> {
    this.gates.delete(deviceId);
    await this.db().remove(deviceId);
  }

  /** The database the names were last read from (MetricNamesSeed), if any. */
  seededFrom(): string | undefined {
    return this.db().get(SEEDED_KEY)?.[0];
  }

  async markSeeded(database: string): Promise<void> {
    await this.db().put(SEEDED_KEY, [database]);
  }

  private loaded(deviceId: string): DeviceMetricGate {
    let gate = this.gates.get(deviceId);
    if (gate === undefined) {
      const stored = this.db().get(deviceId) ?? [];
      gate = new DeviceMetricGate(new Set(stored), this.config.deviceMetrics.maxPerDevice);
      this.gates.set(deviceId, gate);
    }
    return gate;
  }

  private db(): Database<string[], string> {
    return this.store.db<string[]>('device_metrics');
  }
}
