import { rmSync } from 'node:fs';

/** Stops the suite's influxd (if globalSetup started one) and removes every test dir. */
export default async function globalTeardown(): Promise<void> {
  const suite = globalThis.__IAG_SUITE__;
  if (!suite) return;
  globalThis.__IAG_SUITE__ = undefined;
  await suite.influxd?.stop();
  rmSync(suite.rootDir, { recursive: true, force: true });
}
