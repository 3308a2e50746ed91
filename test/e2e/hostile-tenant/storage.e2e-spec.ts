import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MqttClient } from 'mqtt';
import { GatewayConfig } from '@iag/config';
import { influxQuery, influxWrite } from '../../support/influx';
import { collect, connectDevice } from '../../support/mqtt-clients';
import { pollUntil } from '../../support/poll-until';
import { testDir } from '../../support/test-config';
import {
  captureLogs,
  metricValue,
  startTestGateway,
  TestGateway,
} from '../../support/test-gateway';

/**
 * One provisioned device plays the hostile tenant against the storage rows of the hardening
 * review (reserved names, metrics per device, out-of-range times, data at rest); a well-behaved
 * device beside it must see its telemetry and its answers unchanged.
 */
const T0 = Date.now() - 60_000;
const VICTIM = 'victim-1';
const ROGUE = 'rogue-1';

interface Session {
  client: MqttClient;
  errors: Array<{ topic: string; payload: string }>;
  token: string;
}

async function provision(gateway: TestGateway, id: string, profile?: string): Promise<string> {
  const body = profile === undefined ? { id } : { id, profile };
  const created = await gateway.http('/api/v1/devices', { method: 'POST', body });
  expect(created.status).toBe(201);
  return created.body.token;
}

async function session(gateway: TestGateway, id: string, token: string): Promise<Session> {
  const client = await connectDevice(gateway.mqttPort, id, token);
  const errors = collect(client);
  await client.subscribeAsync(`devices/${id}/errors`, { qos: 1 });
  return { client, errors, token };
}

/** Publishes QoS 1 (the PUBACK follows the verdict) and returns the error notices it got. */
async function publish(device: Session, id: string, payload: unknown, expectNotices = 0) {
  const seen = device.errors.length;
  await device.client.publishAsync(`devices/${id}/telemetry`, JSON.stringify(payload), { qos: 1 });
  if (expectNotices === 0) return [];
  const notices = await pollUntil(
    () => device.errors.slice(seen),
    (n) => n.length >= expectNotices,
  );
  return notices.map((n) => JSON.parse(n.payload) as { error: string; detail: string });
}

describe('Hostile tenant: storage', () => {
  let gateway: TestGateway;
  let victim: Session;
  let rogue: Session;
  let meter: Session;
  let baseline: Record<string, { status: number; text: string }>;
  const rejected = (code: string) =>
    metricValue(gateway, 'iag_readings_rejected_total', `code="${code}"`);

  /** The victim's raw, aggregated and metrics= answers over its three readings. */
  async function victimAnswers(): Promise<Record<string, { status: number; text: string }>> {
    const base = `/api/v1/devices/${VICTIM}/telemetry?from=${T0}&to=${T0 + 10_000}`;
    const answers: Record<string, { status: number; text: string }> = {};
    for (const [name, query] of Object.entries({
      raw: '',
      mean: '&every=1m',
      asked: '&metrics=temp',
    })) {
      const { status, text } = await gateway.http(`${base}${query}`);
      answers[name] = { status, text };
    }
    return answers;
  }

  async function expectVictimUnaffected(): Promise<void> {
    expect(await victimAnswers()).toEqual(baseline);
    expect(victim.errors).toEqual([]);
  }

  async function boot(overrides: Record<string, string> = {}): Promise<void> {
    const profiles = join(testDir('profiles-'), 'profiles.json');
    writeFileSync(profiles, JSON.stringify({ profiles: { meter: { metrics: ['kwh', 'volts'] } } }));
    gateway = await startTestGateway({ DEVICE_PROFILES: profiles, ...overrides });
  }

  beforeAll(async () => {
    await boot();
    victim = await session(gateway, VICTIM, await provision(gateway, VICTIM));
    rogue = await session(gateway, ROGUE, await provision(gateway, ROGUE));
    meter = await session(gateway, 'meter-1', await provision(gateway, 'meter-1', 'meter'));
    await publish(victim, VICTIM, [
      { ts: T0, temp: 21.5, hum: 40 },
      { ts: T0 + 1000, temp: 21.6, hum: 41 },
      { ts: T0 + 2000, temp: 21.7, hum: 42 },
    ]);
    baseline = await pollUntil(victimAnswers, (a) => a.raw.text.includes('21.7'));
    expect(JSON.parse(baseline.raw.text).series).toHaveLength(3);
  });

  afterAll(async () => {
    for (const s of [victim, rogue, meter]) s?.client.end(true);
    await gateway?.close();
  });

  describe('row 1: reserved metric names', () => {
    it.each(['device_id', 'time'])(
      'refuses %s as a metric name, says why and counts it',
      async (name) => {
        const before = await rejected('INVALID_METRIC_NAME');
        const [notice] = await publish(rogue, ROGUE, { ts: T0 + 500, [name]: 1, temp: 9 }, 1);
        expect(notice).toMatchObject({ error: 'INVALID_METRIC_NAME' });
        expect(notice.detail).toMatch(new RegExp(`"${name}" is reserved: .+`));
        expect(await rejected('INVALID_METRIC_NAME')).toBe(before + 1);
        await expectVictimUnaffected();
      },
    );

    it("cannot blind another device's queries with a device_id field an older build stored", async () => {
      const { database } = gateway.app.get(GatewayConfig).influx;
      await influxWrite(database, `telemetry,device_id=${ROGUE} device_id=1 ${T0 + 500}\n`);
      const fields = await influxQuery(database, 'SHOW FIELD KEYS FROM telemetry');
      expect(fields.map((f) => f.fieldKey)).toContain('device_id');
      await expectVictimUnaffected();
      expect(JSON.parse(baseline.mean.text).series).toHaveLength(1);
      expect(JSON.parse(baseline.asked.text).series).toHaveLength(3);
    });
  });

  describe('row 2: metric names per device', () => {
    const junk = (message: number) =>
      Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`junk_${message}_${i}`, i]));

    it('refuses names past DEVICE_MAX_METRICS (64) with TOO_MANY_METRICS, counted; the victim answers as before', async () => {
      const before = await rejected('TOO_MANY_METRICS');
      expect(await publish(rogue, ROGUE, { ts: T0 + 600, ...junk(0) })).toEqual([]); // its 64
      for (let m = 1; m < 30; m++) {
        const [notice] = await publish(rogue, ROGUE, { ts: T0 + 600 + m, ...junk(m) }, 1);
        expect(notice.error).toBe('TOO_MANY_METRICS');
        expect(notice.detail).toMatch(/at most 64 per device/);
      }
      expect(await rejected('TOO_MANY_METRICS')).toBe(before + 29);
      // The same 64 names go on being accepted.
      expect(await publish(rogue, ROGUE, { ts: T0 + 700, ...junk(0) })).toEqual([]);
      await expectVictimUnaffected(); // byte for byte: none of the rogue's names in its answers
      const rogueAnswer = await gateway.http(
        `/api/v1/devices/${ROGUE}/telemetry?from=${T0}&to=${T0 + 10_000}`,
      );
      expect(Object.keys(rogueAnswer.body.series[0].values)).toHaveLength(64);
    });

    it("accepts only the metrics a device's profile declares (UNDECLARED_METRIC otherwise)", async () => {
      const before = await rejected('UNDECLARED_METRIC');
      expect(await publish(meter, 'meter-1', { ts: T0 + 800, kwh: 1.5, volts: 230 })).toEqual([]);
      const [notice] = await publish(meter, 'meter-1', { ts: T0 + 900, kwh: 1.6, amps: 3 }, 1);
      expect(notice.error).toBe('UNDECLARED_METRIC');
      expect(notice.detail).toContain('"amps" not declared by profile "meter" (kwh, volts)');
      expect(await rejected('UNDECLARED_METRIC')).toBe(before + 1);
      await expectVictimUnaffected();
    });

    it("remembers each device's names across a restart", async () => {
      const config = gateway.app.get(GatewayConfig);
      for (const s of [victim, rogue, meter]) s.client.end(true);
      await gateway.close();
      await boot({ DATA_DIR: config.dataDir, INFLUX_DATABASE: config.influx.database });
      rogue = await session(gateway, ROGUE, rogue.token);
      victim = await session(gateway, VICTIM, victim.token);
      const [notice] = await publish(rogue, ROGUE, { ts: T0 + 1000, brand_new: 1 }, 1);
      expect(notice.error).toBe('TOO_MANY_METRICS');
      expect(await publish(rogue, ROGUE, { ts: T0 + 1001, junk_0_5: 1 })).toEqual([]);
      await expectVictimUnaffected();
      await publish(victim, VICTIM, { ts: T0 + 3000, temp: 22, hum: 43 });
      const raw = await pollUntil(
        () => gateway.http(`/api/v1/devices/${VICTIM}/telemetry?from=${T0}&to=${T0 + 10_000}`),
        (r) => r.body?.series?.length === 4,
      );
      expect(raw.body.series[3].values).toEqual({ hum: 43, temp: 22 });
      baseline = await victimAnswers();
    });
  });

  describe('row 9: out-of-range times', () => {
    it.each([
      ['to', 'to=9999999999999'],
      ['to', 'to=%2B010000-01-01T00:00:00Z'],
      ['from', 'from=1500-01-01T00:00:00Z'],
      ['every', 'every=999999999w'],
    ])('answers %s out of range with a 400 naming it, not a 503', async (name, query) => {
      const telemetry = await gateway.http(`/api/v1/devices/${VICTIM}/telemetry?${query}`);
      expect(telemetry.status).toBe(400);
      expect(telemetry.body.message).toMatch(new RegExp(`^${name}: `));
      if (name !== 'every') {
        const anomalies = await gateway.http(`/api/v1/anomalies?${query}`);
        expect(anomalies.status).toBe(400);
        expect(anomalies.body.message).toMatch(new RegExp(`^${name}: `));
      }
      await expectVictimUnaffected();
    });
  });
});

describe('Hostile tenant: data at rest', () => {
  let gateway: TestGateway | undefined;
  const wasTty = process.stdout.isTTY;
  afterAll(async () => {
    Object.defineProperty(process.stdout, 'isTTY', { value: wasTty, configurable: true });
    await gateway?.close();
  });

  /** Every entry under `dir` (symbolic links not followed) with its permission bits. */
  function modes(dir: string): Array<[string, number, boolean]> {
    const found: Array<[string, number, boolean]> = [];
    const visit = (path: string) => {
      const stats = lstatSync(path);
      if (stats.isSymbolicLink()) return;
      found.push([path, stats.mode & 0o777, stats.isDirectory()]);
      if (stats.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    };
    visit(dir);
    return found;
  }

  it('keeps DATA_DIR private, its own influxd behind a generated password, and the first admin key in a 0600 file', async () => {
    // What an older build left: a world-readable DATA_DIR and registry.
    const dataDir = testDir('at-rest-');
    mkdirSync(join(dataDir, 'registry'));
    writeFileSync(join(dataDir, 'notes.txt'), 'x');
    for (const [path, mode] of [
      [dataDir, 0o755],
      [join(dataDir, 'registry'), 0o755],
      [join(dataDir, 'notes.txt'), 0o644],
    ] as const) {
      chmodSync(path, mode); // whatever this process's umask is now
    }
    Object.defineProperty(process.stdout, 'isTTY', { value: false, configurable: true });
    const logs = captureLogs();
    gateway = await startTestGateway(
      { DATA_DIR: dataDir, INFLUX_URL: '', ADMIN_API_KEY: '', LOG_LEVEL: 'info' },
      logs.stream,
    );
    const token = await provision(gateway, VICTIM).catch(() => undefined);
    expect(token).toBeUndefined(); // no key of ours: the generated one is the only admin

    const keyFile = join(dataDir, 'initial-admin-key.txt');
    const key = readFileSync(keyFile, 'utf8').trim();
    expect(logs.lines.some((l) => l.includes(keyFile) && !l.includes(key))).toBe(true);
    expect(logs.lines.join('\n')).not.toContain(key);
    expect(logs.lines.some((l) => /made \d+ entries private/.test(l))).toBe(true);
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: VICTIM },
      key,
    });
    expect(created.status).toBe(201);

    // Telemetry goes through the authenticated influxd; influxd itself refuses anyone else.
    const device = await session(gateway, VICTIM, created.body.token);
    await publish(device, VICTIM, { ts: T0, temp: 1 });
    const answer = await pollUntil(
      () => gateway!.http(`/api/v1/devices/${VICTIM}/telemetry?from=${T0}&to=${T0 + 1}`, { key }),
      (r) => r.body?.series?.length === 1,
    );
    expect(answer.status).toBe(200);
    device.client.end(true);
    const { url } = JSON.parse(readFileSync(join(dataDir, 'influxdb', 'credentials.json'), 'utf8'));
    const show = await fetch(`${url}/query?${new URLSearchParams({ q: 'SHOW DATABASES' })}`);
    expect(show.status).toBe(401);

    for (const [path, mode, isDir] of modes(dataDir)) {
      expect({ path, mode: mode.toString(8) }).toEqual({ path, mode: isDir ? '700' : '600' });
    }
  });
});
