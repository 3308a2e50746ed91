import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MqttClient } from 'mqtt';
import { connectDevice } from '../support/mqtt-clients';
import { pollUntil } from '../support/poll-until';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';

/** Known traffic in, then /metrics read back: each counter moved by exactly what was sent. */
describe('GET /metrics after known traffic', () => {
  let gateway: TestGateway;
  let device: MqttClient;
  const value = (name: string, labels = '') => metricValue(gateway, name, labels);

  beforeAll(async () => {
    gateway = await startTestGateway({ DETECTOR_LEARN_READINGS: '10' });
    const created = await gateway.http('/api/v1/devices', {
      method: 'POST',
      body: { id: 'meter-1' },
    });
    device = await connectDevice(gateway.mqttPort, 'meter-1', created.body.token);
  });

  afterAll(async () => {
    device?.end(true);
    await gateway?.close();
  });

  it('shows every counter family from the start, at zero', async () => {
    const { text } = await gateway.http('/metrics', { key: null });
    for (const sample of [
      'iag_readings_rejected_total{code="INVALID_JSON"} 0',
      'iag_anomalies_opened_total{severity="critical"} 0',
      'iag_influx_write_errors_total{kind="retried"} 0',
      'iag_webhook_deliveries_total{outcome="failed"} 0',
      'iag_anomaly_events_total{type="opened"} 0',
    ]) {
      expect(text).toContain(sample);
    }
  });

  it('counts messages, readings, rejections by code, stored points, scoring and anomalies', async () => {
    const before = {
      accepted: await value('iag_readings_accepted_total'),
      written: await value('iag_influx_points_written_total'),
      writes: await value('iag_influx_write_duration_seconds_count'),
      scored: await value('iag_readings_scored_total'),
      batches: await value('iag_scoring_batch_size_count'),
    };
    expect(await value('iag_mqtt_connections')).toBe(1);

    let ts = Date.now() - 60_000;
    const send = (payload: unknown) =>
      device.publishAsync(
        'devices/meter-1/telemetry',
        typeof payload === 'string' ? payload : JSON.stringify(payload),
        { qos: 1 },
      );
    for (let i = 0; i < 20; i++) await send({ ts: (ts += 1000), kwh: 5 + 0.01 * Math.sin(i) });
    await send([1, 2, 3, 4, 5].map((i) => ({ ts: (ts += 1000), kwh: 5 + 0.01 * Math.cos(i) })));
    await send({ ts: (ts += 1000), kwh: 90 }); // an anomaly
    await send('{"kwh": ');
    await send({ kwh: 'high' });
    await send([
      { ts: (ts += 1000), kwh: 5 },
      { ts: (ts += 1000), kwh: 5, '1bad': 2 },
    ]); // a mixed batch: the good reading is kept

    const good = 20 + 5 + 1 + 1;
    await pollUntil(
      () => value('iag_influx_points_written_total'),
      (n) => n === before.written + good,
    );
    expect(await value('iag_readings_accepted_total')).toBe(before.accepted + good);
    expect(await value('iag_readings_rejected_total', 'code="INVALID_JSON"')).toBe(1);
    expect(await value('iag_readings_rejected_total', 'code="INVALID_VALUE"')).toBe(1);
    expect(await value('iag_readings_rejected_total', 'code="INVALID_METRIC_NAME"')).toBe(1);
    expect(await value('iag_mqtt_telemetry_messages_total', 'outcome="accepted"')).toBe(22);
    expect(await value('iag_mqtt_telemetry_messages_total', 'outcome="rejected"')).toBe(2);
    expect(await value('iag_mqtt_telemetry_messages_total', 'outcome="partial"')).toBe(1);
    expect(await value('iag_influx_write_duration_seconds_count')).toBeGreaterThan(before.writes);
    expect(await value('iag_influx_write_errors_total', 'kind="retried"')).toBe(0);
    // Everything written is confirmed, so the spool is empty (the line is there, not defaulted to 0).
    await pollUntil(
      () => value('iag_spool_readings'),
      (n) => n === 0,
    );
    expect((await gateway.http('/metrics', { key: null })).text).toMatch(/^iag_spool_readings 0$/m);

    await pollUntil(
      () => value('iag_anomalies_opened_total', 'severity="critical"'),
      (n) => n === 1,
    );
    expect(await value('iag_anomalies_opened_total', 'severity="warning"')).toBe(0);
    expect(await value('iag_readings_scored_total')).toBeGreaterThan(before.scored);
    expect(await value('iag_scoring_batch_size_count')).toBeGreaterThan(before.batches);
    expect(await value('iag_scoring_duration_seconds_count')).toBeGreaterThan(0);
    await pollUntil(
      () => value('iag_anomaly_events_total', 'type="opened"'),
      (n) => n === 1,
    );
  });

  it('times REST requests by route pattern and status, and the InfluxDB queries behind them', async () => {
    const count = (route: string, status: number) =>
      value(
        'iag_http_request_duration_seconds_count',
        `method="GET",route="${route}",status="${status}"`,
      );
    const before = {
      telemetry: await count('/api/v1/devices/:id/telemetry', 200),
      missing: await count('/api/v1/devices/:id', 404),
      unmatched: await count('unmatched', 404),
      queries: await value('iag_influx_query_duration_seconds_count'),
    };
    expect((await gateway.http('/api/v1/devices/meter-1/telemetry')).status).toBe(200);
    expect((await gateway.http('/api/v1/devices/meter-1/telemetry')).status).toBe(200);
    expect((await gateway.http('/api/v1/devices/no-such-meter')).status).toBe(404);
    expect((await gateway.http('/no/such/route/x7')).status).toBe(404);

    expect(await count('/api/v1/devices/:id/telemetry', 200)).toBe(before.telemetry + 2);
    expect(await count('/api/v1/devices/:id', 404)).toBe(before.missing + 1);
    expect(await count('unmatched', 404)).toBe(before.unmatched + 1);
    expect(await value('iag_influx_query_duration_seconds_count')).toBeGreaterThanOrEqual(
      before.queries + 2,
    );
    // The path itself never becomes a label: no series per device or per scanned URL.
    const { text } = await gateway.http('/metrics', { key: null });
    expect(text).not.toContain('route="/api/v1/devices/meter-1');
    expect(text).not.toContain('x7');
  });

  it('reports the process under the standard names: CPU, memory and event-loop lag', async () => {
    expect(await value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(await value('process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(await value('nodejs_heap_size_used_bytes')).toBeGreaterThan(1_000_000);
    const { text } = await gateway.http('/metrics', { key: null });
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    // standard names only: a prefixed copy would split dashboards and alert rules between two names
    expect(text).not.toMatch(/^iag_(process|nodejs)_/m);
  });

  it('names the build it runs: package version, git revision, Node.js version', async () => {
    const { text } = await gateway.http('/metrics', { key: null });
    const line = /^iag_build_info\{(.*)\} (\S+)$/m.exec(text);
    expect(line?.[2]).toBe('1');
    const labels = Object.fromEntries(
      [...line![1].matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
    const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    expect(labels).toEqual({
      version: pkg.version,
      revision: head || 'unknown',
      node: process.version,
    });
  });
});
