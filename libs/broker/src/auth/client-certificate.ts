import type { TLSSocket } from 'node:tls';

export type CertificateIdentity =
  | { status: 'none' }
  | { status: 'invalid'; reason: string }
  /** Verified, but its subject names more than one CN: refused rather than read as its first. */
  | { status: 'ambiguous'; reason: string }
  | { status: 'valid'; commonName: string };

/**
 * The client certificate of a TLS session. Certificates are optional (requestCert without
 * rejectUnauthorized), so one that was presented but did not verify against TLS_CA (unknown issuer,
 * expired, revoked by TLS_CRL) arrives here as `invalid` and is refused by the caller.
 */
export function certificateIdentity(tls: TLSSocket | undefined): CertificateIdentity {
  if (!tls) return { status: 'none' };
  const certificate = tls.getPeerCertificate();
  if (!certificate || Object.keys(certificate).length === 0) return { status: 'none' };
  if (!tls.authorized) {
    return { status: 'invalid', reason: String(tls.authorizationError ?? 'not trusted') };
  }
  // node:tls gives a subject attribute that occurs more than once as an array. The CN names the
  // device, so a subject with several is ambiguous: which one a CA checked cannot be known here.
  const cn: unknown = certificate.subject?.CN;
  if (Array.isArray(cn)) return { status: 'ambiguous', reason: 'several subject common names' };
  return typeof cn === 'string' && cn.length > 0
    ? { status: 'valid', commonName: cn }
    : { status: 'invalid', reason: 'no subject common name' };
}
