import { ApiKeyStore, DeviceRegistry, StorageExceptionCode } from '@iag/storage';
import { RegistryStore } from '../../../libs/storage/src/registry/registry-store';
import { SecretHasher } from '../../../libs/storage/src/registry/secret-hasher';
import { testConfig } from '../../support/test-config';
import { StorageHarness, startStorage } from './storage-harness';

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

describe(DeviceRegistry.name, () => {
  let storage: StorageHarness;
  let devices: DeviceRegistry;

  beforeEach(async () => {
    storage = await startStorage();
    devices = storage.get(DeviceRegistry);
  });
  afterEach(() => storage.close());

  it('lists devices after an id in id order, a page at a time, whatever the insertion order', async () => {
    for (const id of ['m-1', 'a-1', 'z-9', 'A-0', 'a-10', 'a-2']) await devices.create(id);
    expect(devices.listAfter(undefined, 3).map((d) => d.id)).toEqual(['A-0', 'a-1', 'a-10']);
    expect(devices.listAfter('a-10', 2).map((d) => d.id)).toEqual(['a-2', 'm-1']);
    // an id that is not (or no longer) provisioned still places the page
    expect(devices.listAfter('b', 5).map((d) => d.id)).toEqual(['m-1', 'z-9']);
    expect(devices.listAfter('z-9', 5)).toEqual([]);
    expect(JSON.stringify(devices.listAfter(undefined, 10))).not.toContain('tokenHash');
  });

  it('provisions a device with a one-time token that verifies; wrong tokens and unknown devices do not', async () => {
    const provisioned = await devices.create('sensor-1', 'hvac');
    expect(provisioned).toEqual({
      id: 'sensor-1',
      profile: 'hvac',
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });

    expect(await devices.verifyToken('sensor-1', provisioned.token)).toBe(true);
    expect(await devices.verifyToken('sensor-1', provisioned.token)).toBe(true); // cached path
    expect(await devices.verifyToken('sensor-1', `${provisioned.token}x`)).toBe(false);
    expect(await devices.verifyToken('sensor-1', '')).toBe(false);
    expect(await devices.verifyToken('sensor-2', provisioned.token)).toBe(false);

    expect(devices.get('sensor-1')).toEqual({
      id: 'sensor-1',
      profile: 'hvac',
      createdAt: expect.any(String),
      lastSeen: null,
      accepted: 0,
      rejected: 0,
    });
    expect(JSON.stringify(devices.list())).not.toContain(provisioned.token);
    expect(Object.keys(devices.get('sensor-1')!)).not.toContain('tokenHash');
  });

  it('answers profileOf from memory, and forgets it when the device is removed', async () => {
    await devices.create('prof-1', 'hvac');
    await devices.create('prof-2');
    expect(devices.profileOf('prof-1')).toBe('hvac');
    expect(devices.profileOf('prof-2')).toBeNull();
    expect(devices.profileOf('ghost')).toBeUndefined();
    await devices.remove('prof-1');
    expect(devices.profileOf('prof-1')).toBeUndefined();
    await devices.create('prof-1', 'chiller');
    expect(devices.profileOf('prof-1')).toBe('chiller');
  });

  it('refuses a taken id with DEVICE_EXISTS', async () => {
    await devices.create('dup');
    expect(await codeOf(devices.create('dup', 'other'))).toBe(StorageExceptionCode.DEVICE_EXISTS);
  });

  it('rotates a token: the old one is refused at once, the new one accepted', async () => {
    const { token: old } = await devices.create('rot');
    expect(await devices.verifyToken('rot', old)).toBe(true); // now cached
    const fresh = await devices.rotateToken('rot');
    expect(fresh).not.toBe(old);
    expect(await devices.verifyToken('rot', old)).toBe(false);
    expect(await devices.verifyToken('rot', fresh)).toBe(true);
    expect(await codeOf(devices.rotateToken('ghost'))).toBe(StorageExceptionCode.NOT_FOUND);
  });

  it('removes a device and its token', async () => {
    const { token } = await devices.create('gone');
    expect(await devices.verifyToken('gone', token)).toBe(true);
    expect(await devices.remove('gone')).toBe(true);
    expect(await devices.remove('gone')).toBe(false);
    expect(devices.exists('gone')).toBe(false);
    expect(devices.get('gone')).toBeUndefined();
    expect(await devices.verifyToken('gone', token)).toBe(false);
  });

  it('lists devices sorted by id and adds activity counters, ignoring unknown ids', async () => {
    for (const id of ['b-2', 'a-1', 'c-3']) await devices.create(id);
    const t1 = Date.UTC(2026, 10, 22, 12);
    await devices.recordActivity(
      new Map([
        ['a-1', { accepted: 5, rejected: 1, lastSeen: t1 }],
        ['nobody', { accepted: 9, rejected: 9, lastSeen: t1 }],
      ]),
    );
    await devices.recordActivity(
      new Map([['a-1', { accepted: 2, rejected: 0, lastSeen: t1 - 5000 }]]),
    );
    expect(devices.list().map((d) => d.id)).toEqual(['a-1', 'b-2', 'c-3']);
    expect(devices.get('a-1')).toMatchObject({
      accepted: 7,
      rejected: 1,
      lastSeen: new Date(t1).toISOString(),
    });
    expect(devices.exists('nobody')).toBe(false);
  });
});

describe(ApiKeyStore.name, () => {
  let storage: StorageHarness;
  let keys: ApiKeyStore;

  beforeEach(async () => {
    storage = await startStorage();
    keys = storage.get(ApiKeyStore);
  });
  afterEach(() => storage.close());

  it('creates keys in the iag_ format that verify to their principal', async () => {
    const created = await keys.create('ci bot', 'operator');
    expect(created.key).toMatch(/^iag_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.slice(4, 16)).toBe(created.id);
    expect(await keys.verify(created.key)).toEqual({
      keyId: created.id,
      name: 'ci bot',
      role: 'operator',
    });
    expect(await keys.verify(created.key)).toEqual({
      keyId: created.id,
      name: 'ci bot',
      role: 'operator',
    });

    const wrongSecret = `${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await keys.verify(wrongSecret)).toBeNull();
    expect(await keys.verify('garbage')).toBeNull();
    expect(await keys.verify('')).toBeNull();
    expect(keys.list()).toEqual([
      { id: created.id, name: 'ci bot', role: 'operator', createdAt: created.createdAt },
    ]);
  });

  it('revokes a key', async () => {
    const created = await keys.create('temp', 'viewer');
    expect(await keys.verify(created.key)).not.toBeNull();
    expect(await keys.revoke(created.id)).toBe(true);
    expect(await keys.revoke(created.id)).toBe(false);
    expect(await keys.verify(created.key)).toBeNull();
    expect(keys.list()).toEqual([]);
  });

  it('ensureAdmin without a seed creates one initial admin key, once', async () => {
    const key = await keys.ensureAdmin();
    expect(key).toMatch(/^iag_/);
    expect(await keys.verify(key!)).toMatchObject({ name: 'initial-admin', role: 'admin' });
    expect(await keys.ensureAdmin()).toBeNull();
    expect(keys.list().filter((k) => k.role === 'admin')).toHaveLength(1);
  });

  it('stores generated keys as a SHA-256: they verify without argon2', async () => {
    const created = await keys.create('fast', 'viewer');
    const stored = storage.get(RegistryStore).db<{ hash: string }>('api_keys').get(created.id);
    expect(stored?.hash).toMatch(/^sha256\$/);
    expect(keys.verifyFast(created.key)).toMatchObject({ keyId: created.id, role: 'viewer' });
    expect(keys.verifyFast(`${created.key.slice(0, -2)}xx`)).toBeNull();
    // no seed: a key in another format matches nothing, and needs no argon2 to say so
    expect(keys.verifyFast('a-long-guess-at-an-admin-key')).toBeNull();
  });

  it('verifies a generated key stored as argon2id by an older build, then rewrites it as a SHA-256', async () => {
    const created = await keys.create('legacy', 'operator');
    const db = storage.get(RegistryStore).db<{ hash: string }>('api_keys');
    const record = db.get(created.id)!;
    await db.put(created.id, {
      ...record,
      hash: await storage.get(SecretHasher).hash(created.key),
    });
    expect(keys.verifyFast(created.key)).toBeUndefined(); // only argon2 can tell, once
    expect(await keys.verify(`${created.key.slice(0, -2)}xx`)).toBeNull();
    expect(db.get(created.id)?.hash).toMatch(/^\$argon2id\$/);
    expect(await keys.verify(created.key)).toMatchObject({ keyId: created.id, role: 'operator' });
    expect(db.get(created.id)?.hash).toMatch(/^sha256\$/);
    expect(keys.verifyFast(created.key)).toMatchObject({ keyId: created.id });
  });

  it('keeps the seed as argon2id, and knows it from the start: no request pays argon2 for it', async () => {
    const seed = 'seeded-admin-key-fast-check-01';
    await keys.ensureAdmin(seed);
    const stored = storage.get(RegistryStore).db<{ hash: string }>('api_keys').get('env-admin');
    expect(stored?.hash).toMatch(/^\$argon2id\$/);
    expect(keys.verifyFast(seed)).toMatchObject({ keyId: 'env-admin', role: 'admin' });
    expect(keys.verifyFast('another-guess-at-the-seed')).toBeNull();
  });

  it('ensureAdmin with a seed stores it as env-admin and replaces it when it changes', async () => {
    const seed = 'seeded-admin-key-0123456789';
    expect(await keys.ensureAdmin(seed)).toBeNull();
    expect(await keys.verify(seed)).toEqual({
      keyId: 'env-admin',
      name: 'env-admin',
      role: 'admin',
    });
    expect(await keys.ensureAdmin(seed)).toBeNull();
    expect(keys.list()).toHaveLength(1);

    const next = 'another-seed-9876543210-abc';
    expect(await keys.ensureAdmin(next)).toBeNull();
    expect(await keys.verify(seed)).toBeNull();
    expect(await keys.verify(next)).toMatchObject({ keyId: 'env-admin', role: 'admin' });
    expect(keys.list()).toHaveLength(1);
    // a seeded admin counts: no initial key is generated later
    expect(await keys.ensureAdmin()).toBeNull();
  });
});

describe('registry across restarts', () => {
  it('keeps devices, tokens and API keys when the store is reopened', async () => {
    const config = testConfig();
    let storage = await startStorage({}, config);
    const device = await storage.get(DeviceRegistry).create('persist-1', 'p');
    await storage
      .get(DeviceRegistry)
      .recordActivity(
        new Map([['persist-1', { accepted: 3, rejected: 2, lastSeen: 1_763_816_400_000 }]]),
      );
    const key = await storage.get(ApiKeyStore).create('keeper', 'viewer');
    const adminKey = await storage.get(ApiKeyStore).ensureAdmin();
    await storage.close();

    storage = await startStorage({}, config);
    try {
      const devices = storage.get(DeviceRegistry);
      const keys = storage.get(ApiKeyStore);
      expect(devices.get('persist-1')).toMatchObject({ profile: 'p', accepted: 3, rejected: 2 });
      expect(await devices.verifyToken('persist-1', device.token)).toBe(true);
      expect(await devices.verifyToken('persist-1', 'wrong-token')).toBe(false);
      expect(await keys.verify(key.key)).toMatchObject({ keyId: key.id, role: 'viewer' });
      expect(await keys.verify(adminKey!)).toMatchObject({ role: 'admin' });
      expect(await keys.ensureAdmin()).toBeNull();
    } finally {
      await storage.close();
    }
  });

  it('asks argon2 for a seed left from an earlier start only until it is presented once', async () => {
    const config = testConfig();
    const seed = 'seed-from-an-earlier-start-42';
    let storage = await startStorage({}, config);
    await storage.get(ApiKeyStore).ensureAdmin(seed);
    await storage.close();

    storage = await startStorage({}, config); // started without ADMIN_API_KEY this time
    try {
      const keys = storage.get(ApiKeyStore);
      expect(keys.verifyFast(seed)).toBeUndefined();
      expect(keys.verifyFast('a-wrong-guess-at-the-seed')).toBeUndefined();
      expect(await keys.verify(seed)).toMatchObject({ keyId: 'env-admin' });
      expect(keys.verifyFast(seed)).toMatchObject({ keyId: 'env-admin' });
      expect(keys.verifyFast('a-wrong-guess-at-the-seed')).toBeNull();
    } finally {
      await storage.close();
    }
  });
});
