import { ManagedInfluxd, StorageException, StorageExceptionCode } from '@iag/storage';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive } from '../../support/influx';
import { pollUntil } from '../../support/poll-until';
import { testDir } from '../../support/test-config';

async function pingStatus(url: string): Promise<number> {
  const response = await fetch(`${url}/ping`);
  return response.status;
}

describe(ManagedInfluxd.name, () => {
  const messages: string[] = [];
  let influxd: ManagedInfluxd;

  afterEach(async () => {
    await influxd?.stop();
  });

  it('starts on loopback with its own config, answers /ping and stops without leaving a process', async () => {
    const dataDir = testDir('influxd-');
    influxd = new ManagedInfluxd({ dataDir, log: (msg) => messages.push(msg) });
    const url = await influxd.start();

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(influxd.url).toBe(url);
    expect(await pingStatus(url)).toBe(204);
    const config = readFileSync(join(dataDir, 'influxd.conf'), 'utf8');
    expect(config).toContain('reporting-disabled = true');
    expect(config).toMatch(/\[monitor\]\s+store-enabled = false/);
    expect(config).toMatch(/bind-address = "127\.0\.0\.1:\d+"/);
    expect(existsSync(join(dataDir, 'influxd.log'))).toBe(true);

    const pid = influxd.pid!;
    expect(processAlive(pid)).toBe(true);
    await influxd.stop();
    expect(processAlive(pid)).toBe(false);
    expect(influxd.url).toBeUndefined();
    expect(influxd.pid).toBeUndefined();
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
  });

  it('restarts influxd on the same port after kill -9, and stop() then leaves nothing running', async () => {
    influxd = new ManagedInfluxd({
      dataDir: testDir('influxd-'),
      log: (msg) => messages.push(msg),
    });
    const url = await influxd.start();
    const firstPid = influxd.pid!;

    process.kill(firstPid, 'SIGKILL');
    const secondPid = await pollUntil(
      () => influxd.pid,
      (pid) => pid !== undefined && pid !== firstPid,
    );
    expect(
      await pollUntil(
        () => pingStatus(url),
        (status) => status === 204,
      ),
    ).toBe(204);
    expect(influxd.url).toBe(url);
    expect(processAlive(firstPid)).toBe(false);
    expect(messages.some((m) => m.includes('exited unexpectedly'))).toBe(true);

    await influxd.stop();
    expect(processAlive(secondPid!)).toBe(false);
  });

  it('keeps the data across a crash', async () => {
    influxd = new ManagedInfluxd({ dataDir: testDir('influxd-'), log: () => undefined });
    const url = await influxd.start();
    await fetch(`${url}/query?q=${encodeURIComponent('CREATE DATABASE crash')}`, {
      method: 'POST',
    });
    const write = await fetch(`${url}/write?db=crash&precision=ms`, {
      method: 'POST',
      body: 'm v=42 1700000000000',
    });
    expect(write.status).toBe(204);

    process.kill(influxd.pid!, 'SIGKILL');
    const value = await pollUntil(
      async () => {
        const response = await fetch(
          `${url}/query?db=crash&q=${encodeURIComponent('SELECT v FROM m')}`,
        );
        const body = (await response.json()) as {
          results: Array<{ series?: Array<{ values: unknown[][] }> }>;
        };
        return body.results[0].series?.[0].values[0][1];
      },
      (v) => v !== undefined,
    );
    expect(value).toBe(42);
  });

  it('fails start() with INFLUXD_START_FAILED and the tail of influxd.log when influxd cannot run', async () => {
    influxd = new ManagedInfluxd({
      dataDir: testDir('influxd-'),
      influxdPath: '/nonexistent/influxd',
      startTimeoutMs: 5000,
      log: () => undefined,
    });
    const error = await influxd.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StorageException);
    expect((error as StorageException).code).toBe(StorageExceptionCode.INFLUXD_START_FAILED);
    expect((error as Error).message).toContain('influxd.log');
    expect(influxd.url).toBeUndefined();
  });
});
