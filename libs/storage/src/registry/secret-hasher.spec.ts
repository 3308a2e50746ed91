import { randomBytes } from 'node:crypto';
import { SecretHasher } from './secret-hasher';

const token = () => randomBytes(32).toString('base64url');

describe(SecretHasher.name, () => {
  const hasher = new SecretHasher();

  it('stores a random token as a SHA-256 that only that token matches', async () => {
    const secret = token();
    const stored = hasher.hashRandomToken(secret);
    expect(stored).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(secret);
    expect(await hasher.verify('device:a', stored, secret)).toBe(true);
    expect(await hasher.verify('device:a', stored, `${secret}x`)).toBe(false);
    expect(await hasher.verify('device:a', stored, '')).toBe(false);
  });

  it('matches nothing against the unknown-record hash', async () => {
    const secret = token();
    expect(await hasher.verify('device:ghost', hasher.unmatchableTokenHash(), secret)).toBe(false);
  });

  it('still verifies argon2id hashes (API keys, and device tokens stored before)', async () => {
    const secret = token();
    const stored = await hasher.hash(secret);
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(await hasher.verify('device:old', stored, secret)).toBe(true);
    expect(await hasher.verify('device:old', stored, token())).toBe(false);
    expect(await hasher.verify('device:old', 'not a hash', secret)).toBe(false);
  });
});

describe(`${SecretHasher.name}.verifyFast`, () => {
  it('answers SHA-256 hashes at once, and argon2 hashes only once their secret was seen', async () => {
    const hasher = new SecretHasher();
    const secret = token();
    expect(hasher.verifyFast('k', hasher.hashRandomToken(secret), secret)).toBe(true);
    expect(hasher.verifyFast('k', hasher.hashRandomToken(secret), token())).toBe(false);

    const slow = await hasher.hash(secret);
    expect(hasher.verifyFast('k', slow, secret)).toBeUndefined();
    expect(hasher.verifyFast('k', slow, token())).toBeUndefined();
    expect(await hasher.verify('k', slow, secret)).toBe(true);
    expect(hasher.verifyFast('k', slow, secret)).toBe(true);
    // one argon2 hash matches one secret: any other is refused without argon2
    expect(hasher.verifyFast('k', slow, `${secret}x`)).toBe(false);
  });

  it('trusts a remembered secret only for the hash it was remembered with', async () => {
    const hasher = new SecretHasher();
    const secret = token();
    const first = await hasher.hash(secret);
    hasher.remember('seed', first, secret);
    expect(hasher.verifyFast('seed', first, secret)).toBe(true);
    const replaced = await hasher.hash(token());
    expect(hasher.verifyFast('seed', replaced, secret)).toBeUndefined();
    hasher.forget('seed');
    expect(hasher.verifyFast('seed', first, secret)).toBeUndefined();
  });
});
