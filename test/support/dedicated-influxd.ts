import { generateCredentials, InfluxCredentials, ManagedInfluxd } from '@iag/storage';
import { freePort, InfluxTarget } from './influx';
import { testDir } from './test-config';

/**
 * An influxd of the test's own (authentication on, its admin chosen up front), on a fixed free
 * port so that stop() and start() keep its URL:
 * a test that takes InfluxDB away must not stop the suite's one, other suites run beside it.
 * Started unless `started` is false (then it is started later on that port).
 */
export async function dedicatedInfluxd(prefix: string, started = true): Promise<DedicatedInfluxd> {
  const port = await freePort();
  // Chosen here, so a gateway can be pointed at it before it first starts.
  const credentials = generateCredentials();
  const influxd = new ManagedInfluxd({
    dataDir: testDir(`${prefix}-influxd-`),
    httpPort: port,
    credentials,
    log: () => undefined,
  });
  if (started) await influxd.start();
  const url = `http://127.0.0.1:${port}`;
  return {
    influxd,
    url,
    target: { url, ...credentials },
    env: {
      INFLUX_URL: url,
      INFLUX_USERNAME: credentials.username,
      INFLUX_PASSWORD: credentials.password,
    },
  };
}

export interface DedicatedInfluxd {
  influxd: ManagedInfluxd;
  url: string;
  /** For influxQuery and the like. */
  target: InfluxTarget & InfluxCredentials;
  /** The gateway settings that reach it. */
  env: Record<'INFLUX_URL' | 'INFLUX_USERNAME' | 'INFLUX_PASSWORD', string>;
}
