import { Logger } from '@nestjs/common';
import type { GatewayConfig } from '@iag/config';
import type { ApiKeyStore } from '@iag/storage';
import { InitialAdminKey } from './initial-admin-key';

function bootstrap(ensureAdmin: string | null, seed?: string) {
  const keys = { ensureAdmin: jest.fn(async () => ensureAdmin) };
  const config = { adminApiKey: seed } as GatewayConfig;
  return { provider: new InitialAdminKey(keys as unknown as ApiKeyStore, config), keys };
}

describe(InitialAdminKey.name, () => {
  let stdout: jest.SpyInstance;
  let log: jest.SpyInstance;
  beforeEach(() => {
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('prints a generated key once on stdout, never through the logger', async () => {
    const { provider, keys } = bootstrap('iag_generated_secret_123');
    await provider.onApplicationBootstrap();
    expect(keys.ensureAdmin).toHaveBeenCalledWith(undefined);
    expect(stdout).toHaveBeenCalledTimes(1);
    expect(String(stdout.mock.calls[0][0])).toContain('iag_generated_secret_123');
    expect(String(stdout.mock.calls[0][0])).toMatch(/will NOT be shown again/);
    expect(JSON.stringify(log.mock.calls)).not.toContain('iag_generated_secret_123');
  });

  it('prints nothing when an admin key already exists', async () => {
    await bootstrap(null).provider.onApplicationBootstrap();
    expect(stdout).not.toHaveBeenCalled();
  });

  it('passes the configured seed and does not echo it', async () => {
    const { provider, keys } = bootstrap('seed-from-the-environment', 'seed-from-the-environment');
    await provider.onApplicationBootstrap();
    expect(keys.ensureAdmin).toHaveBeenCalledWith('seed-from-the-environment');
    expect(stdout).not.toHaveBeenCalled();
  });
});
