import { Injectable } from '@nestjs/common';
import { ProvisionedDevice } from '@iag/contracts';
import { randomBytes } from 'node:crypto';
import { Database } from 'lmdb';
import { RegistryStore } from '../registry/registry-store';
import { SecretHasher } from '../registry/secret-hasher';
import { DeviceMetricNames } from './device-metric-names';
import { StorageException, StorageExceptionCode } from '../storage.exception';

export interface DeviceRecord {
  id: string;
  profile: string | null;
  createdAt: string;
  lastSeen: string | null;
  accepted: number;
  rejected: number;
}

export interface DeviceActivity {
  accepted: number;
  rejected: number;
  /** epoch ms */
  lastSeen: number;
}

interface StoredDevice extends DeviceRecord {
  tokenHash: string;
}

const newToken = () => randomBytes(32).toString('base64url');
const cacheKey = (id: string) => `device:${id}`;

function toRecord({ tokenHash: _hash, ...record }: StoredDevice): DeviceRecord {
  return record;
}

/** Provisioned devices and their tokens (hashes only, see SecretHasher), in lmdb; survives restarts. */
@Injectable()
export class DeviceRegistry {
  /**
   * Profiles by device id ('' for none), read for every telemetry message: an lmdb get and a
   * msgpack decode each time cost the flood ~3% of the gateway's CPU (issue 7). A profile is set
   * only by create(); remove() forgets it.
   */
  private readonly profiles = new Map<string, string>();
  private readonly unknownHash: string;

  constructor(
    private readonly store: RegistryStore,
    private readonly hasher: SecretHasher,
    private readonly metricNames: DeviceMetricNames,
  ) {
    this.unknownHash = hasher.unmatchableTokenHash();
  }

  async create(id: string, profile: string | null = null): Promise<ProvisionedDevice> {
    if (this.exists(id)) throw this.alreadyExists(id);
    const token = newToken();
    const record: StoredDevice = {
      id,
      profile,
      createdAt: new Date().toISOString(),
      lastSeen: null,
      accepted: 0,
      rejected: 0,
      tokenHash: this.hasher.hashRandomToken(token),
    };
    const db = this.db();
    if (!(await db.ifNoExists(id, () => db.put(id, record)))) throw this.alreadyExists(id);
    this.profiles.delete(id);
    return { id, profile, token };
  }

  verifyToken(id: string, token: string): Promise<boolean> {
    // An unknown id is checked against a hash nothing matches: same cost, no timing oracle.
    const stored = this.db().get(id)?.tokenHash ?? this.unknownHash;
    return this.hasher.verify(cacheKey(id), stored, token);
  }

  /** Issues a new token; the old one stops working at once. */
  async rotateToken(id: string): Promise<string> {
    if (!this.exists(id)) throw this.notFound(id);
    const token = newToken();
    const tokenHash = this.hasher.hashRandomToken(token);
    const db = this.db();
    const rotated = await db.transaction(() => {
      const current = db.get(id);
      if (!current) return false;
      void db.put(id, { ...current, tokenHash });
      return true;
    });
    this.hasher.forget(cacheKey(id));
    if (!rotated) throw this.notFound(id);
    return token;
  }

  get(id: string): DeviceRecord | undefined {
    const stored = this.db().get(id);
    return stored ? toRecord(stored) : undefined;
  }

  /** The device's profile (null for none), or undefined when it is not provisioned. */
  profileOf(id: string): string | null | undefined {
    let profile = this.profiles.get(id);
    if (profile === undefined) {
      const stored = this.db().get(id);
      if (stored === undefined) return undefined;
      profile = stored.profile ?? '';
      this.profiles.set(id, profile);
    }
    return profile === '' ? null : profile;
  }

  list(): DeviceRecord[] {
    const records = Array.from(this.db().getRange(), ({ value }) => toRecord(value));
    return records.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Up to `count` devices by id ascending, after `afterId` when given: a range read, so a page
   * costs its own size whatever the fleet's. Ids are ASCII, so lmdb's key order is JS string order.
   */
  listAfter(afterId: string | undefined, count: number): DeviceRecord[] {
    const range = this.db().getRange({ start: afterId, limit: count + 1 });
    const records = Array.from(range, ({ value }) => toRecord(value));
    return records.filter((record) => afterId === undefined || record.id > afterId).slice(0, count);
  }

  exists(id: string): boolean {
    return this.db().doesExist(id);
  }

  async remove(id: string): Promise<boolean> {
    const db = this.db();
    const removed = await db.transaction(() => {
      if (db.get(id) === undefined) return false;
      void db.remove(id);
      return true;
    });
    this.profiles.delete(id);
    this.hasher.forget(cacheKey(id));
    if (removed) await this.metricNames.forget(id);
    return removed;
  }

  /** Adds the counters and moves lastSeen forward, in one transaction; unknown ids are ignored. */
  async recordActivity(activity: Map<string, DeviceActivity>): Promise<void> {
    if (activity.size === 0) return;
    const db = this.db();
    await db.transaction(() => {
      for (const [id, seen] of activity) {
        const current = db.get(id);
        if (!current) continue;
        const previous = current.lastSeen === null ? -Infinity : Date.parse(current.lastSeen);
        void db.put(id, {
          ...current,
          accepted: current.accepted + seen.accepted,
          rejected: current.rejected + seen.rejected,
          lastSeen: new Date(Math.max(previous, seen.lastSeen)).toISOString(),
        });
      }
    });
  }

  private db(): Database<StoredDevice, string> {
    return this.store.db<StoredDevice>('devices');
  }

  private alreadyExists(id: string): StorageException {
    return new StorageException(StorageExceptionCode.DEVICE_EXISTS, `device ${id} already exists`);
  }

  private notFound(id: string): StorageException {
    return new StorageException(StorageExceptionCode.NOT_FOUND, `device ${id} not found`);
  }
}
