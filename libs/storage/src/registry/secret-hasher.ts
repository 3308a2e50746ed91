import { Injectable } from '@nestjs/common';
import { hash, verify } from '@node-rs/argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * argon2id hashing (the library default; OWASP parameters m=19 MiB, t=2, p=1) with a cache of
 * sha256(secret) per record after a successful check, so reconnect storms do not pay argon2
 * each time. A cache entry is valid only for the stored hash it was checked against, so a
 * rotated or replaced secret invalidates it even without forget().
 */
@Injectable()
export class SecretHasher {
  private readonly cache = new Map<string, { storedHash: string; digest: Buffer }>();
  private dummyHash: Promise<string> | undefined;

  hash(secret: string): Promise<string> {
    return hash(secret);
  }

  /** `storedHash` undefined = unknown record: still spends one argon2 verify (no timing oracle). */
  async verify(cacheKey: string, storedHash: string | undefined, secret: string): Promise<boolean> {
    if (storedHash === undefined) {
      await this.check(await this.dummy(), secret);
      return false;
    }
    const digest = createHash('sha256').update(secret, 'utf8').digest();
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
