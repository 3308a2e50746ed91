import type { TLSSocket } from 'node:tls';

export type CertificateIdentity =
  | { status: 'none' }
  | { status: 'invalid'; reason: string }
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
  const cn: unknown = certificate.subject?.CN;
  const commonName = Array.isArray(cn) ? (cn[0] as unknown) : cn;
  return typeof commonName === 'string' && commonName.length > 0
    ? { status: 'valid', commonName }
    : { status: 'invalid', reason: 'no subject common name' };
}
