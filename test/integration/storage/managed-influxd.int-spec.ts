import { ManagedInfluxd, StorageException, StorageExceptionCode } from '@iag/storage';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  influxExec,
  influxFetch,
  influxQuery,
  influxWrite,
  processAlive,
} from '../../support/influx';
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
    const target = { url, ...influxd.credentials! };
    await influxExec('CREATE DATABASE crash', target);
    await influxWrite('crash', 'm v=42 1700000000000', target);

    process.kill(influxd.pid!, 'SIGKILL');
    const value = await pollUntil(
      async () => (await influxQuery('crash', 'SELECT v FROM m', target).catch(() => []))[0]?.v,
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

  it('runs with authentication, as an admin it generates once into a 0600 file', async () => {
    const dataDir = testDir('influxd-');
    influxd = new ManagedInfluxd({ dataDir, log: () => undefined });
    const url = await influxd.start();
    const admin = influxd.credentials!;
    const file = join(dataDir, 'credentials.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...admin, url });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const q = `/query?${new URLSearchParams({ q: 'SHOW DATABASES' })}`;
    expect((await fetch(`${url}${q}`)).status).toBe(401);
    expect((await influxFetch({ url, ...admin }, q)).status).toBe(200);

    await influxd.stop();
    await influxd.start(); // a later start keeps the same admin
    expect(influxd.credentials).toEqual(admin);
    expect((await influxFetch({ url: influxd.url!, ...admin }, q)).status).toBe(200);
  });

  it('refuses to start when the credentials file does not name an admin of its influxd', async () => {
    const dataDir = testDir('influxd-');
    influxd = new ManagedInfluxd({ dataDir, log: () => undefined });
    await influxd.start();
    await influxd.stop();
    const file = join(dataDir, 'credentials.json');
    writeFileSync(file, JSON.stringify({ username: 'iag_admin', password: 'not-it' }));
    const error = await influxd.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as StorageException).code).toBe(StorageExceptionCode.INFLUX_CREDENTIALS);
    expect((error as Error).message).toContain(`${file} does not name an admin`);
    expect((error as Error).message).not.toContain('not-it');
    expect(influxd.pid).toBeUndefined();
  });
});
