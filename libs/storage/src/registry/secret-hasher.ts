import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of hashes made by hashRandomToken(). */
const SHA256_PREFIX = 'sha256$';

/**
 * argon2id hashing (the library default; OWASP parameters m=19 MiB, t=2, p=1) with a cache of
 * sha256(secret) per record after a successful check, so reconnect storms do not pay argon2
 * each time. A cache entry is valid only for the stored hash it was checked against, so a
 * rotated or replaced secret invalidates it even without forget().
 *
 * Secrets the gateway generated itself with 256 bits of randomness (device tokens) are stored
 * as a plain SHA-256 instead (hashRandomToken): a slow hash protects guessable secrets, and
 * nothing guesses 256 random bits, so argon2 only cost every CONNECT ~25 ms of CPU (41 connects/s
 * in the idle bench, a 10,000-device fleet four minutes to come back after a restart). Secrets
 * a person may choose (API keys, ADMIN_API_KEY) keep argon2id. verify() reads both formats, so
 * hashes stored before keep working.
 */
@Injectable()
export class SecretHasher {
  private readonly cache = new Map<string, { storedHash: string; digest: Buffer }>();
  private dummyHash: Promise<string> | undefined;

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

  /** `storedHash` undefined = unknown record: still spends one argon2 verify (no timing oracle). */
  async verify(cacheKey: string, storedHash: string | undefined, secret: string): Promise<boolean> {
    if (storedHash === undefined) {
      await this.check(await this.dummy(), secret);
      return false;
    }
    const digest = sha256(secret);
    if (storedHash.startsWith(SHA256_PREFIX)) {
      const stored = Buffer.from(storedHash.slice(SHA256_PREFIX.length), 'base64url');
      return stored.length === digest.length && timingSafeEqual(stored, digest);
    }
    const cached = this.cache.get(cacheKey);
    if (cached && cached.storedHash === storedHash && timingSafeEqual(cached.digest, digest)) {
      return true;
    }
    const ok = await this.check(storedHash, secret);
    if (ok) this.cache.set(cacheKey, { storedHash, digest });
    return ok;
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

  private dummy(): Promise<string> {
    this.dummyHash ??= hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}

function sha256(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}
