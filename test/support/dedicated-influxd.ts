import { ManagedInfluxd } from '@iag/storage';
import { freePort } from './influx';
import { testDir } from './test-config';

/**
 * An influxd of the test's own, on a fixed free port so that stop() and start() keep its URL:
 * a test that takes InfluxDB away must not stop the suite's one, other suites run beside it.
 * Started unless `started` is false (then it is started later on that port).
 */
export async function dedicatedInfluxd(
  prefix: string,
  started = true,
): Promise<{ influxd: ManagedInfluxd; url: string }> {
  const port = await freePort();
  const influxd = new ManagedInfluxd({
    dataDir: testDir(`${prefix}-influxd-`),
    httpPort: port,
    log: () => undefined,
  });
  if (started) await influxd.start();
  return { influxd, url: `http://127.0.0.1:${port}` };
}
