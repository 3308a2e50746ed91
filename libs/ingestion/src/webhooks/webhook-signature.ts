import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of a webhook delivery (lower case, as Node and most frameworks present them). */
export const WEBHOOK_HEADERS = {
  signature: 'x-iag-signature',
  timestamp: 'x-iag-timestamp',
  event: 'x-iag-event',
  delivery: 'x-iag-delivery',
} as const;

/**
 * `sha256=` + hex HMAC-SHA256 over `${timestamp}.${body}` with the shared secret. Signing the
 * timestamp with the body lets a receiver refuse replays of an old delivery.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `sha256=${mac}`;
}

/**
 * What a receiver does: recompute the signature over the raw body, compare in constant time,
 * and refuse a timestamp (unix seconds) more than `toleranceS` away from its clock.
 */
export function verifyWebhook(
  secret: string,
  signature: string | undefined,
  timestamp: string | undefined,
  body: string,
  nowS = Math.floor(Date.now() / 1000),
  toleranceS = 300,
): boolean {
  const ts = Number(timestamp);
  if (!signature || !Number.isSafeInteger(ts) || Math.abs(nowS - ts) > toleranceS) return false;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
