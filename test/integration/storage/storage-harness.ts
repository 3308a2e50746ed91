import { ConfigModule, GatewayConfig } from '@iag/config';
import { StorageModule } from '@iag/storage';
import { Test, TestingModule } from '@nestjs/testing';
import { testConfig } from '../../support/test-config';

export interface StorageHarness {
  config: GatewayConfig;
  moduleRef: TestingModule;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/** StorageModule alone, initialised like the gateway does, against the suite's influxd. */
export async function startStorage(
  overrides: Record<string, string> = {},
  config: GatewayConfig = testConfig(overrides),
): Promise<StorageHarness> {
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config), StorageModule],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  return {
    config,
    moduleRef,
    get: (type) => moduleRef.get(type),
    close: () => moduleRef.close(),
  };
}
