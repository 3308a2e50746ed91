import { readFileSync } from 'node:fs';
import { createSecureContext, TlsOptions } from 'node:tls';
import { BrokerException, BrokerExceptionCode } from '../broker.exception';

/** The TLS settings of GatewayConfig: file paths. */
export interface TlsSettings {
  cert?: string;
  key?: string;
  ca?: string;
  crl?: string;
}

/**
 * Reads the certificate files once at boot and checks they form a usable context; an error names the
 * variable and path (never file contents). With TLS_CA, client certificates are asked for but optional,
 * so a device may still use its token over TLS; one that is presented must verify (see client-certificate).
 * Returns undefined when TLS is not configured. Shared by the MQTTS listener and the HTTPS server.
 */
export function loadTlsMaterial(settings: TlsSettings): TlsOptions | undefined {
  if (settings.cert === undefined || settings.key === undefined) return undefined;
  const options: TlsOptions = {
    cert: readPem('TLS_CERT', settings.cert),
    key: readPem('TLS_KEY', settings.key),
    minVersion: 'TLSv1.2',
  };
  if (settings.ca !== undefined) {
    options.ca = readPem('TLS_CA', settings.ca);
    options.requestCert = true;
    options.rejectUnauthorized = false;
  }
  if (settings.crl !== undefined) options.crl = readPem('TLS_CRL', settings.crl);
  try {
    createSecureContext(options);
  } catch (error) {
    throw invalid(
      `TLS_CERT/TLS_KEY/TLS_CA/TLS_CRL do not form a usable TLS context: ${(error as Error).message}`,
    );
  }
  return options;
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw invalid(
      `${variable} ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

function invalid(message: string): BrokerException {
  return new BrokerException(BrokerExceptionCode.INVALID_TLS_MATERIAL, message);
}
