import { Injectable } from '@nestjs/common';
import { ApiKeyView, CreatedApiKey, Principal, Role } from '@iag/contracts';
import { randomBytes } from 'node:crypto';
import { Database } from 'lmdb';
import { RegistryStore } from '../registry/registry-store';
import { SecretHasher } from '../registry/secret-hasher';

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

function toPrincipal(record: StoredKey): Principal {
  return { keyId: record.id, name: record.name, role: record.role };
}

/**
 * REST API keys in the registry's lmdb. Keys the gateway generates carry 256 random bits and are
 * stored as a SHA-256 (SecretHasher.hashRandomToken): checking one costs a microsecond. The
 * ADMIN_API_KEY seed, which a person chooses, is stored as argon2id. A generated key stored as
 * argon2id by an older build still verifies, and is rewritten as a SHA-256 on its first success.
 */
@Injectable()
export class ApiKeyStore {
  constructor(
    private readonly store: RegistryStore,
    private readonly hasher: SecretHasher,
  ) {}

  /** The returned `key` is shown once; only its hash is stored. */
  async create(name: string, role: Role): Promise<CreatedApiKey> {
    const id = randomBytes(6).toString('hex');
    const key = `iag_${id}_${randomBytes(32).toString('base64url')}`;
    const record: StoredKey = {
      id,
      name,
      role,
      createdAt: new Date().toISOString(),
      hash: this.hasher.hashRandomToken(key),
    };
    const db = this.db();
    if (!(await db.ifNoExists(id, () => db.put(id, record)))) return this.create(name, role);
    return { ...toView(record), key };
  }

  /**
   * The answer without argon2 (one SHA-256 at most): the principal, null for a key that matches
   * nothing, or undefined when only an argon2 check can tell (the seed, or a key stored by an
   * older build, not yet presented since the start).
   */
  verifyFast(key: string): Principal | null | undefined {
    const record = this.recordFor(key);
    if (!record) return null;
    const ok = this.hasher.verifyFast(cacheKey(record.id), record.hash, key);
    if (ok === undefined) return undefined;
    return ok ? toPrincipal(record) : null;
  }

  /**
   * The principal a key belongs to, or null. A key not in the iag_ format (or whose id is
   * unknown) can only be the seeded ADMIN_API_KEY, so it is checked against that record; without
   * a seed it matches nothing and costs nothing.
   */
  async verify(key: string): Promise<Principal | null> {
    const fast = this.verifyFast(key);
    if (fast !== undefined) return fast;
    const record = this.recordFor(key);
    if (!record || !(await this.hasher.verify(cacheKey(record.id), record.hash, key))) return null;
    if (record.id !== ENV_ADMIN_KEY_ID && KEY_FORMAT.test(key)) await this.migrate(record, key);
    return toPrincipal(record);
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

  private recordFor(key: string): StoredKey | undefined {
    const match = KEY_FORMAT.exec(key);
    return (match ? this.db().get(match[1]) : undefined) ?? this.db().get(ENV_ADMIN_KEY_ID);
  }

  /** An older build's argon2 hash of a generated key becomes its SHA-256, unless it changed meanwhile. */
  private async migrate(record: StoredKey, key: string): Promise<void> {
    if (this.hasher.isFastHash(record.hash)) return;
    const db = this.db();
    await db.transaction(() => {
      const current = db.get(record.id);
      if (current?.hash !== record.hash) return;
      void db.put(record.id, { ...current, hash: this.hasher.hashRandomToken(key) });
    });
    this.hasher.forget(cacheKey(record.id));
  }

  /** The seed is known from the start, so its check is memoized at once: no request pays argon2 for it. */
  private async storeSeed(seed: string): Promise<void> {
    const cache = cacheKey(ENV_ADMIN_KEY_ID);
    const current = this.db().get(ENV_ADMIN_KEY_ID);
    if (current?.role === 'admin' && (await this.hasher.verify(cache, current.hash, seed))) {
      return;
    }
    const hash = await this.hasher.hash(seed);
    await this.db().put(ENV_ADMIN_KEY_ID, {
      id: ENV_ADMIN_KEY_ID,
      name: ENV_ADMIN_KEY_ID,
      role: 'admin',
      createdAt: new Date().toISOString(),
      hash,
    });
    this.hasher.remember(cache, hash, seed);
  }

  private db(): Database<StoredKey, string> {
    return this.store.db<StoredKey>('api_keys');
  }
}
