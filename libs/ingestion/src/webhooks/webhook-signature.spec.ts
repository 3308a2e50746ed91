import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook } from './webhook-signature';

describe(signWebhook.name, () => {
  it('is the hex HMAC-SHA256 of "timestamp.body", as the README tells receivers', () => {
    const body = '{"id":"1"}';
    const mac = createHmac('sha256', 's3cret-s3cret-s3cret')
      .update(`1700000000.${body}`)
      .digest('hex');
    expect(signWebhook('s3cret-s3cret-s3cret', 1700000000, body)).toBe(`sha256=${mac}`);
  });
});

describe(verifyWebhook.name, () => {
  const secret = 's3cret-s3cret-s3cret';
  const body = '{"id":"7","type":"opened"}';
  const now = 1_800_000_000;
  const sig = signWebhook(secret, now, body);

  it('accepts the signature of the body and timestamp it was made for', () => {
    expect(verifyWebhook(secret, sig, String(now), body, now)).toBe(true);
  });

  it('refuses another body, secret or timestamp, a stale delivery and missing headers', () => {
    expect(verifyWebhook(secret, sig, String(now), `${body} `, now)).toBe(false);
    expect(verifyWebhook('another-secret-0000', sig, String(now), body, now)).toBe(false);
    expect(verifyWebhook(secret, sig, String(now + 1), body, now)).toBe(false);
    expect(verifyWebhook(secret, sig, String(now), body, now + 301)).toBe(false);
    expect(verifyWebhook(secret, undefined, String(now), body, now)).toBe(false);
    expect(verifyWebhook(secret, sig, undefined, body, now)).toBe(false);
    expect(verifyWebhook(secret, 'sha256=00', String(now), body, now)).toBe(false);
  });
});
