import { Injectable } from '@nestjs/common';
import { Principal, Role } from '@iag/contracts';
import { randomBytes } from 'node:crypto';
import { Database } from 'lmdb';
import { RegistryStore } from '../registry/registry-store';
import { SecretHasher } from '../registry/secret-hasher';

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
}

interface StoredKey extends ApiKeyView {
  hash: string;
}

/** `iag_<keyId: 12 hex>_<secret: 32 random bytes, base64url>`; the keyId is the lookup. */
const KEY_FORMAT = /^iag_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;
/** Where the ADMIN_API_KEY seed is kept (hashed); any string of 16+ chars may be a seed. */
export const ENV_ADMIN_KEY_ID = 'env-admin';
const INITIAL_ADMIN_NAME = 'initial-admin';
const cacheKey = (id: string) => `key:${id}`;

function toView({ hash: _hash, ...view }: StoredKey): ApiKeyView {
  return view;
}

/** REST API keys, argon2id-hashed in the registry's lmdb. */
@Injectable()
export class ApiKeyStore {
  constructor(
    private readonly store: RegistryStore,
    private readonly hasher: SecretHasher,
  ) {}

  /** The returned `key` is shown once; only its hash is stored. */
  async create(name: string, role: Role): Promise<ApiKeyView & { key: string }> {
    const id = randomBytes(6).toString('hex');
    const key = `iag_${id}_${randomBytes(32).toString('base64url')}`;
    const record: StoredKey = {
      id,
      name,
      role,
      createdAt: new Date().toISOString(),
      hash: await this.hasher.hash(key),
    };
    const db = this.db();
    if (!(await db.ifNoExists(id, () => db.put(id, record)))) return this.create(name, role);
    return { ...toView(record), key };
  }

  /**
   * The principal a key belongs to, or null. A key not in the iag_ format (or whose id is
   * unknown) can only be the seeded ADMIN_API_KEY, so it is checked against that record.
   */
  async verify(key: string): Promise<Principal | null> {
    const match = KEY_FORMAT.exec(key);
    let record = match ? this.db().get(match[1]) : undefined;
    record ??= this.db().get(ENV_ADMIN_KEY_ID);
    const id = record?.id ?? ENV_ADMIN_KEY_ID;
    const ok = await this.hasher.verify(cacheKey(id), record?.hash, key);
    return ok && record ? { keyId: record.id, name: record.name, role: record.role } : null;
  }

  list(): ApiKeyView[] {
    const views = Array.from(this.db().getRange(), ({ value }) => toView(value));
    return views.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async revoke(id: string): Promise<boolean> {
    const db = this.db();
    const removed = await db.transaction(() => {
      if (db.get(id) === undefined) return false;
      void db.remove(id);
      return true;
    });
    this.hasher.forget(cacheKey(id));
    return removed;
  }

  /**
   * With a seed: keep it (hashed) as admin key 'env-admin', replacing a different earlier
   * seed; returns null. Without: if no admin key exists, creates 'initial-admin' and returns
   * its key for the caller to print once; else null.
   */
  async ensureAdmin(seed?: string): Promise<string | null> {
    if (seed !== undefined) {
      await this.storeSeed(seed);
      return null;
    }
    if (this.list().some((key) => key.role === 'admin')) return null;
    return (await this.create(INITIAL_ADMIN_NAME, 'admin')).key;
  }

  private async storeSeed(seed: string): Promise<void> {
    const current = this.db().get(ENV_ADMIN_KEY_ID);
    if (
      current?.role === 'admin' &&
      (await this.hasher.verify(cacheKey(ENV_ADMIN_KEY_ID), current.hash, seed))
    ) {
      return;
    }
    await this.db().put(ENV_ADMIN_KEY_ID, {
      id: ENV_ADMIN_KEY_ID,
      name: ENV_ADMIN_KEY_ID,
      role: 'admin',
      createdAt: new Date().toISOString(),
      hash: await this.hasher.hash(seed),
    });
    this.hasher.forget(cacheKey(ENV_ADMIN_KEY_ID));
  }

  private db(): Database<StoredKey, string> {
    return this.store.db<StoredKey>('api_keys');
  }
}
