import { GatewayConfig } from '@iag/config';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temp dir under the run's test root (removed by globalTeardown). */
export function testDir(prefix = 'data-'): string {
  return mkdtempSync(join(process.env.IAG_TEST_ROOT ?? tmpdir(), prefix));
}

/** A database name no other test uses. */
export function uniqueDatabase(): string {
  return `t_${randomBytes(6).toString('hex')}`;
}

/**
 * GatewayConfig for one test: its own DATA_DIR, MODELS_DIR and database on the suite's influxd, free
 * ports, silent logs; `overrides` win.
 */
export function testConfig(overrides: Record<string, string> = {}): GatewayConfig {
  return GatewayConfig.fromEnv({
    DATA_DIR: testDir(),
    MODELS_DIR: testDir('models-'), // empty: devices are scored zero-config (multivariate, z-score) unless a test adds models
    // Another INFLUX_URL (a dedicated influxd, or '' for the managed one) brings its own credentials.
    ...('INFLUX_URL' in overrides ? {} : suiteInfluxEnv()),
    INFLUX_DATABASE: uniqueDatabase(),
    MQTT_PORT: '0',
    MQTTS_PORT: '0',
    HTTP_PORT: '0',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

/** INFLUX_URL and, when the suite's influxd needs them, INFLUX_USERNAME and INFLUX_PASSWORD. */
export function suiteInfluxEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['INFLUX_URL', 'INFLUX_USERNAME', 'INFLUX_PASSWORD']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}
