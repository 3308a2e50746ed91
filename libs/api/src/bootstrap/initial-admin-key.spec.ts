import { Logger } from '@nestjs/common';
import type { GatewayConfig } from '@iag/config';
import type { ApiKeyStore } from '@iag/storage';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INITIAL_ADMIN_KEY_FILE, InitialAdminKey } from './initial-admin-key';

describe(InitialAdminKey.name, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'iag-admin-key-'));
  const keyFile = join(dataDir, INITIAL_ADMIN_KEY_FILE);
  let stdout: jest.SpyInstance;
  let log: jest.SpyInstance;
  let warn: jest.SpyInstance;
  const wasTty = process.stdout.isTTY;
  const setTty = (isTTY: boolean) =>
    Object.defineProperty(process.stdout, 'isTTY', { value: isTTY, configurable: true });

  function bootstrap(ensureAdmin: string | null, seed?: string) {
    const keys = { ensureAdmin: jest.fn(async () => ensureAdmin) };
    const config = { adminApiKey: seed, dataDir } as GatewayConfig;
    return { provider: new InitialAdminKey(keys as unknown as ApiKeyStore, config), keys };
  }
  const logged = () => JSON.stringify([...log.mock.calls, ...warn.mock.calls]);

  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    rmSync(keyFile, { force: true });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => {
    setTty(wasTty);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints a generated key once on a terminal, never through the logger', async () => {
    setTty(true);
    const { provider, keys } = bootstrap('iag_generated_secret_123');
    await provider.onApplicationBootstrap();
    expect(keys.ensureAdmin).toHaveBeenCalledWith(undefined);
    expect(stdout).toHaveBeenCalledTimes(1);
    expect(String(stdout.mock.calls[0][0])).toContain('iag_generated_secret_123');
    expect(String(stdout.mock.calls[0][0])).toMatch(/will NOT be shown again/);
    expect(logged()).not.toContain('iag_generated_secret_123');
    expect(() => statSync(keyFile)).toThrow();
  });

  it('writes it to a 0600 file named in the log when stdout is not a terminal', async () => {
    setTty(false);
    await bootstrap('iag_generated_secret_456').provider.onApplicationBootstrap();
    expect(stdout).not.toHaveBeenCalled();
    expect(readFileSync(keyFile, 'utf8')).toBe('iag_generated_secret_456\n');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(logged()).toContain(keyFile);
    expect(logged()).not.toContain('iag_generated_secret_456');
  });

  it('prints nothing when an admin key already exists', async () => {
    setTty(true);
    await bootstrap(null).provider.onApplicationBootstrap();
    expect(stdout).not.toHaveBeenCalled();
  });

  it('passes the configured seed and does not echo it anywhere', async () => {
    setTty(false);
    const { provider, keys } = bootstrap('seed-from-the-environment', 'seed-from-the-environment');
    await provider.onApplicationBootstrap();
    expect(keys.ensureAdmin).toHaveBeenCalledWith('seed-from-the-environment');
    expect(stdout).not.toHaveBeenCalled();
    expect(() => statSync(keyFile)).toThrow();
  });
});
