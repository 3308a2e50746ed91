import 'reflect-metadata'; // @peculiar/x509 (through tsyringe) needs the Reflect polyfill
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDir } from './test-config';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type KeyPair = webcrypto.CryptoKeyPair;

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface Issued {
  /** PEM files on disk, for TLS_* settings and clients. */
  certPath: string;
  keyPath: string;
  cert: string;
  key: string;
  serial: string;
}

interface Authority {
  certificate: x509.X509Certificate;
  keys: KeyPair;
  issued: Issued;
}

let serials = 1;
const nextSerial = () => (serials++).toString(16).padStart(2, '0');

/**
 * A throw-away PKI generated at run time (no checked-in keys): a CA, a server certificate for
 * 127.0.0.1/localhost, device certificates (CN = device id) and a CRL.
 */
export class TestPki {
  private constructor(
    readonly dir: string,
    private readonly ca: Authority,
  ) {}

  static async create(name = 'Test Device CA'): Promise<TestPki> {
    const dir = testDir('pki-');
    const keys = await generateKeys();
    const serial = nextSerial();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial,
      name: `CN=${name}`,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
      keys,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
      ],
    });
    const issued = await save(dir, 'ca', certificate, keys, serial);
    return new TestPki(dir, { certificate, keys, issued });
  }

  get caPath(): string {
    return this.ca.issued.certPath;
  }

  get caCert(): string {
    return this.ca.issued.cert;
  }

  server(): Promise<Issued> {
    return this.issue('server', 'localhost', {
      san: [
        { type: 'dns', value: 'localhost' },
        { type: 'ip', value: '127.0.0.1' },
      ],
      usage: x509.ExtendedKeyUsage.serverAuth,
    });
  }

  /** A client certificate whose CN is the device id; `validDays` < 0 makes an expired one. */
  device(deviceId: string, validDays = 30): Promise<Issued> {
    return this.issue(`device-${deviceId}-${nextSerial()}`, deviceId, {
      usage: x509.ExtendedKeyUsage.clientAuth,
      validDays,
    });
  }

  /** A client certificate with this exact subject (e.g. `CN=a, CN=b`: several common names). */
  withSubject(subject: string): Promise<Issued> {
    return this.issue(`subject-${nextSerial()}`, '', {
      subject,
      usage: x509.ExtendedKeyUsage.clientAuth,
    });
  }

  /** Writes a CRL revoking these serials and returns its path. */
  async crl(revoked: Issued[]): Promise<string> {
    const crl = await x509.X509CrlGenerator.create({
      issuer: this.ca.certificate.subject,
      thisUpdate: new Date(Date.now() - 60_000),
      nextUpdate: new Date(Date.now() + DAY),
      signingKey: this.ca.keys.privateKey,
      signingAlgorithm: ALG,
      entries: revoked.map((r) => ({
        serialNumber: r.serial,
        revocationDate: new Date(Date.now() - 60_000),
      })),
    });
    const path = join(this.dir, `crl-${nextSerial()}.pem`);
    // OpenSSL (and so node:tls) reads only the X509 CRL label.
    writeFileSync(
      path,
      crl.toString('pem').replace(/-----(BEGIN|END) CRL-----/g, '-----$1 X509 CRL-----'),
    );
    return path;
  }

  private async issue(
    file: string,
    commonName: string,
    options: {
      san?: x509.JsonGeneralName[];
      usage: x509.ExtendedKeyUsage;
      validDays?: number;
      subject?: string;
    },
  ): Promise<Issued> {
    const keys = await generateKeys();
    const serial = nextSerial();
    const validDays = options.validDays ?? 30;
    const notAfter = new Date(Date.now() + validDays * DAY);
    const certificate = await x509.X509CertificateGenerator.create({
      serialNumber: serial,
      subject: options.subject ?? `CN=${commonName}`,
      issuer: this.ca.certificate.subject,
      notBefore: new Date(Math.min(Date.now(), notAfter.getTime()) - 2 * DAY),
      notAfter,
      signingKey: this.ca.keys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALG,
      extensions: [
        new x509.BasicConstraintsExtension(false),
        new x509.ExtendedKeyUsageExtension([options.usage]),
        ...(options.san ? [new x509.SubjectAlternativeNameExtension(options.san)] : []),
      ],
    });
    return save(this.dir, file, certificate, keys, serial);
  }
}

function generateKeys(): Promise<KeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<KeyPair>;
}

async function save(
  dir: string,
  name: string,
  certificate: x509.X509Certificate,
  keys: KeyPair,
  serial: string,
): Promise<Issued> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const cert = certificate.toString('pem');
  const key = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  writeFileSync(certPath, cert);
  writeFileSync(keyPath, key, { mode: 0o600 });
  return { certPath, keyPath, cert, key, serial };
}
