import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { createHash, timingSafeEqual, randomBytes } from 'node:crypto';

/** Prefix of hashes made by hashRandomToken(). */
const SHA256_PREFIX = 'sha256$';

/**
 * argon2id hashing (the library default; OWASP parameters m=19 MiB, t=2, p=1) with a cache of
 * sha256(secret) per record after a successful check, so reconnect storms do not pay argon2
 * each time. A cache entry is valid only for the stored hash it was checked against, so a
 * rotated or replaced secret invalidates it even without forget(). While it is valid it is also
 * the answer for every other secret: one argon2 hash matches one secret, so a different digest
 * is refused without running argon2.
 *
 * Secrets the gateway generated itself with 256 bits of randomness (device tokens, API keys) are
 * stored as a plain SHA-256 instead (hashRandomToken): a slow hash protects guessable secrets, and
 * nothing guesses 256 random bits, so argon2 only cost every CONNECT or request ~25 ms of CPU
 * (41 connects/s in the idle bench; ~120 bad REST keys/s kept both cores busy). A secret a person
 * may choose (ADMIN_API_KEY) keeps argon2id. verify() reads both formats, so hashes stored before
 * keep working.
 */
@Injectable()
export class SecretHasher {
  private readonly cache = new Map<string, { storedHash: string; digest: Buffer }>();

  hash(secret: string): Promise<string> {
    return hash(secret);
  }

  /** For secrets from randomBytes(32) only (see above). */
  hashRandomToken(secret: string): string {
    return SHA256_PREFIX + sha256(secret).toString('base64url');
  }

  /** A hashRandomToken() hash no secret matches: what an unknown record is checked against. */
  unmatchableTokenHash(): string {
    return SHA256_PREFIX + randomBytes(32).toString('base64url');
  }

  /** True for a hash that verifyFast() always answers (a hashRandomToken() hash). */
  isFastHash(storedHash: string): boolean {
    return storedHash.startsWith(SHA256_PREFIX);
  }

  /**
   * The answer when it needs no argon2 (a SHA-256 hash, or an argon2 hash whose secret was
   * checked before: see above), else undefined. Costs one SHA-256.
   */
  verifyFast(cacheKey: string, storedHash: string, secret: string): boolean | undefined {
    const digest = sha256(secret);
    if (this.isFastHash(storedHash)) {
      const stored = Buffer.from(storedHash.slice(SHA256_PREFIX.length), 'base64url');
      return stored.length === digest.length && timingSafeEqual(stored, digest);
    }
    const cached = this.cache.get(cacheKey);
    if (cached?.storedHash !== storedHash) return undefined;
    return timingSafeEqual(cached.digest, digest);
  }

  async verify(cacheKey: string, storedHash: string, secret: string): Promise<boolean> {
    const fast = this.verifyFast(cacheKey, storedHash, secret);
    if (fast !== undefined) return fast;
    const ok = await this.check(storedHash, secret);
    if (ok) this.remember(cacheKey, storedHash, secret);
    return ok;
  }

  /** Records that `secret` matches `storedHash` (the caller just hashed it), so it is never argon2-checked. */
  remember(cacheKey: string, storedHash: string, secret: string): void {
    this.cache.set(cacheKey, { storedHash, digest: sha256(secret) });
  }

  forget(cacheKey: string): void {
    this.cache.delete(cacheKey);
  }

  private async check(storedHash: string, secret: string): Promise<boolean> {
    try {
      return await verify(storedHash, secret);
    } catch {
      return false; // malformed stored hash
    }
  }
}

function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
