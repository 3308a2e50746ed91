import { MqttClient } from 'mqtt';
import { influxQuery } from '../support/influx';
import { connackRefusal, connectDevice, waitForClose } from '../support/mqtt-clients';
import { pollUntil } from '../support/poll-until';
import { uniqueDatabase } from '../support/test-config';
import { metricValue, startTestGateway, TestGateway } from '../support/test-gateway';
import {
  Dashboard,
  Exposition,
  influxqlIdentifiers,
  loadDashboard,
  parseExposition,
  promqlUse,
  queriesOf,
  variablesIn,
} from '../support/grafana-dashboard';

// Labels Prometheus adds to every series it scrapes: not in /metrics, always there in queries.
const TARGET_LABELS = ['instance', 'job'];
// Grafana's own variables the dashboard's queries use.
const GRAFANA_BUILTINS = ['__rate_interval', '__interval', 'timeFilter'];
const DEVICE = 'grafana-1';

/** What Grafana would send, with concrete values for its variables. */
function promqlAsSent(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*');
}

function influxqlAsSent(query: string, values: { device: string; metrics: string[] }): string {
  return query
    .replaceAll('$timeFilter', 'time > now() - 6h')
    .replaceAll('$__interval', '1m')
    .replaceAll('$device', values.device)
    .replaceAll('$metric', `(${values.metrics.join('|')})`);
}

/** The dashboard's every panel reads data the gateway really exports and writes. */
describe('docs/grafana dashboard', () => {
  const dashboard: Dashboard = loadDashboard();
  const database = uniqueDatabase();
  let gateway: TestGateway;
  let device: MqttClient | undefined;
  let exposition: Exposition;

  /** Readings that open a z-score anomaly on temp, and then close it. */
  async function sendAnomalousTraffic(token: string): Promise<void> {
    device = await connectDevice(gateway.mqttPort, DEVICE, token);
    let ts = Date.now() - 10 * 60_000;
    const reading = (temp: number) => ({ ts: (ts += 1000), temp, hum: 40 + Math.cos(ts) });
    const send = (payload: unknown) =>
      device!.publishAsync(`devices/${DEVICE}/telemetry`, JSON.stringify(payload), { qos: 1 });
    for (let i = 0; i < 20; i++) await send(reading(21 + 0.1 * Math.sin(i)));
    await send(reading(95));
    for (let i = 0; i < 8; i++) await send(reading(21 + 0.1 * Math.sin(i)));
    await send({ temp: 'warm' }); // one rejected reading
  }

  /** The labelled families with no series until something happens: a refused CONNECT, a violation. */
  async function sendRefusals(token: string): Promise<void> {
    await connackRefusal(gateway.mqttPort, { username: DEVICE, password: 'not-the-token' });
    const greedy = await connectDevice(gateway.mqttPort, DEVICE, token);
    const closed = waitForClose(greedy);
    greedy.subscribe([`devices/${DEVICE}/errors`, `devices/${DEVICE}/x`]);
    await closed;
    greedy.end(true);
  }

  beforeAll(async () => {
    gateway = await startTestGateway({
      INFLUX_DATABASE: database,
      DETECTOR_LEARN_READINGS: '10',
      DETECTOR_MULTIVARIATE: 'false',
      MQTT_AUTH_DELAY_MS: '0',
      MQTT_MAX_SUBSCRIPTIONS: '1',
    });
    const created = await gateway.http('/api/v1/devices', { method: 'POST', body: { id: DEVICE } });
    await sendAnomalousTraffic(created.body.token);
    await sendRefusals(created.body.token);
    // the episode closed (so ended_at exists) and every reading is in InfluxDB
    await pollUntil(
      () => gateway.http(`/api/v1/anomalies?deviceId=${DEVICE}`),
      (r) => r.body?.items?.[0]?.endedAt != null,
      { timeoutMs: 20_000 },
    );
    await pollUntil(
      () => metricValue(gateway, 'iag_spool_readings'),
      (n) => n === 0,
    );
    exposition = parseExposition((await gateway.http('/metrics', { key: null })).text);
  });

  afterAll(async () => {
    device?.end(true);
    await gateway?.close();
  });

  it('imports cleanly: schema 39+, both datasources as inputs, every panel on one of them', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(dashboard.__inputs.map((input) => [input.name, input.pluginId])).toEqual([
      ['DS_PROMETHEUS', 'prometheus'],
      ['DS_INFLUXDB', 'influxdb'],
    ]);
    const uids = { prometheus: '${DS_PROMETHEUS}', influxdb: '${DS_INFLUXDB}' };
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      const kind = panel.datasource?.type as keyof typeof uids;
      expect([panel.title, panel.datasource?.uid]).toEqual([panel.title, uids[kind]]);
      expect(panel.targets?.length).toBeGreaterThan(0);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe(uids[kind]);
    }
    for (const variable of dashboard.templating.list) {
      expect(Object.values(uids)).toContain(variable.datasource.uid);
    }
  });

  it('uses only variables it defines or Grafana provides', () => {
    const known = new Set([...dashboard.templating.list.map((v) => v.name), ...GRAFANA_BUILTINS]);
    const all = [...queriesOf(dashboard, 'prometheus'), ...queriesOf(dashboard, 'influxdb')];
    const unknown = all.flatMap((query) =>
      variablesIn(query.text)
        .filter((name) => !known.has(name))
        .map((name) => `${query.where}: $${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('reads only metrics and labels the gateway exports, in valid PromQL', () => {
    const queries = queriesOf(dashboard, 'prometheus');
    expect(queries.length).toBeGreaterThan(20);
    const used = new Set<string>();
    const problems: string[] = [];
    for (const query of queries) {
      const labelValues = /^label_values\((\w+),\s*(\w+)\)$/.exec(query.text);
      const use = labelValues
        ? { metrics: [labelValues[1]], labels: [labelValues[2]], errors: [] }
        : promqlUse(promqlAsSent(query.text));
      if (use.errors.length) problems.push(`${query.where}: PromQL syntax error at ${use.errors}`);
      if (use.metrics.length === 0) problems.push(`${query.where}: reads no metric`);
      const labels = new Set(TARGET_LABELS);
      for (const metric of use.metrics) {
        used.add(metric);
        if (!exposition.families.has(metric)) problems.push(`${query.where}: no metric ${metric}`);
        exposition.labelsOf.get(metric)?.forEach((label) => labels.add(label));
      }
      for (const label of use.labels.filter((name) => !labels.has(name))) {
        problems.push(`${query.where}: no label ${label} on ${use.metrics.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
    // the standard process metrics, unprefixed, and the build info are read under these names
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'iag_build_info',
    ]) {
      expect(used).toContain(name);
    }
  });

  it('reads only measurements, fields and tags the gateway writes, and every query finds data', async () => {
    const column = async (q: string, name: string) =>
      (await influxQuery(database, q)).map((row) => String(row[name]));
    const measurements = await column('SHOW MEASUREMENTS', 'name');
    const keysOf = async (measurement: string) => [
      ...(await column(`SHOW FIELD KEYS FROM "${measurement}"`, 'fieldKey')),
      ...(await column(`SHOW TAG KEYS FROM "${measurement}"`, 'tagKey')),
    ];
    // the variables' answers are what the panels are sent with, as Grafana does
    const devices = await column(
      'SHOW TAG VALUES FROM "telemetry" WITH KEY = "device_id"',
      'value',
    );
    expect(devices).toEqual([DEVICE]);
    const metrics = await column('SHOW FIELD KEYS FROM "telemetry"', 'fieldKey');
    expect(metrics.sort()).toEqual(['hum', 'temp']);

    const queries = queriesOf(dashboard, 'influxdb');
    expect(queries.filter((q) => !q.variable).length).toBeGreaterThanOrEqual(4);
    const problems: string[] = [];
    for (const query of queries) {
      const sent = influxqlAsSent(query.text, { device: DEVICE, metrics });
      const { measurements: from, others } = influxqlIdentifiers(sent);
      if (from.length !== 1 || !measurements.includes(from[0])) {
        problems.push(`${query.where}: reads ${from.join(', ') || 'no measurement'}`);
        continue;
      }
      const keys = await keysOf(from[0]);
      for (const name of others.filter((key) => !keys.includes(key))) {
        problems.push(`${query.where}: no field or tag ${name} in ${from[0]}`);
      }
      if ((await influxQuery(database, sent)).length === 0) {
        problems.push(`${query.where}: no data for ${sent}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
