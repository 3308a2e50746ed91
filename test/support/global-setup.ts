// First: the libs' @iag/<lib> imports resolve from here on (globalSetup has no moduleNameMapper).
import './lib-aliases';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Relative import: globalSetup is loaded without the project's moduleNameMapper.
import { ManagedInfluxd } from '../../libs/storage/src/influxd/managed-influxd';

export interface SuiteInfluxd {
  influxd: ManagedInfluxd | undefined;
  rootDir: string;
}

declare global {
  var __IAG_SUITE__: SuiteInfluxd | undefined;
}

/**
 * One influxd for the whole run (integration and e2e projects both list this file; the
 * second call reuses the first). INFLUX_URL already set = use that server instead (with
 * INFLUX_USERNAME and INFLUX_PASSWORD if it needs them). Workers inherit INFLUX_URL, the
 * credentials and IAG_TEST_ROOT (where testConfig puts its data dirs).
 */
export default async function globalSetup(): Promise<void> {
  if (globalThis.__IAG_SUITE__) return;
  const rootDir = mkdtempSync(join(tmpdir(), 'iag-tests-'));
  process.env.IAG_TEST_ROOT = rootDir;
  let influxd: ManagedInfluxd | undefined;
  if (!process.env.INFLUX_URL) {
    influxd = new ManagedInfluxd({
      dataDir: join(rootDir, 'influxd'),
      log: (msg, level) => {
        if (level === 'warn') process.stderr.write(`[test influxd] ${msg}\n`);
      },
    });
    process.env.INFLUX_URL = await influxd.start();
    // It runs with authentication, as the gateway's own does: every test reaches it as its admin.
    process.env.INFLUX_USERNAME = influxd.credentials!.username;
    process.env.INFLUX_PASSWORD = influxd.credentials!.password;
  }
  globalThis.__IAG_SUITE__ = { influxd, rootDir };
}
