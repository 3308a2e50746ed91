import { GatewayConfig } from '@iag/config';
import { ManagedInfluxd } from '@iag/storage';
import { dedicatedInfluxd } from '../../support/dedicated-influxd';
import { pollUntil } from '../../support/poll-until';
import { TelemetryFleet } from '../../support/telemetry-fleet';
import { metricValue, startTestGateway, TestGateway } from '../../support/test-gateway';

const OUTAGE_MS = 30_000;

const countsOf = (acked: Map<string, number[]>) =>
  new Map([...acked].map(([id, seqs]) => [id, seqs.length]));

describe('InfluxDB outage of 30 s under 100 QoS 1 devices', () => {
  let influxd: ManagedInfluxd | undefined;
  let gateway: TestGateway | undefined;
  let fleet: TelemetryFleet | undefined;

  afterAll(async () => {
    await fleet?.close();
    await gateway?.close();
    await influxd?.stop();
  });

  it('keeps acknowledging, reports degraded, then stores every acknowledged reading exactly once', async () => {
    const dedicated = await dedicatedInfluxd('outage');
    influxd = dedicated.influxd;
    gateway = await startTestGateway({ ...dedicated.env, ALLOW_ANONYMOUS_DEVICES: 'true' });
    const database = gateway.app.get(GatewayConfig).influx.database;
    const metric = (name: string, labels?: string) => metricValue(gateway!, name, labels);

    fleet = await TelemetryFleet.connect(gateway.mqttPort, 100, 'outage');
    fleet.start({ intervalMs: 100 });
    await pollUntil(
      () => fleet!.ackedTotal(),
      (n) => n >= 1000,
    );

    await influxd.stop();
    const outageEnds = Date.now() + OUTAGE_MS;
    const before = countsOf(fleet.acked());
    const degraded = await pollUntil(
      () => gateway!.http('/ready', { key: null }),
      (r) => r.body?.checks.writer.retrying && r.body.checks.writer.spool.readings > 0,
      { timeoutMs: 20_000 },
    );
    expect(degraded.status).toBe(503);
    expect(degraded.body).toMatchObject({ status: 'degraded', checks: { writer: { ok: false } } });
    expect(degraded.body.checks.writer.spool.oldestAgeMs).toBeGreaterThan(0);

    // The outage itself is the scenario: 30 s of traffic while InfluxDB is away.
    await new Promise((resolve) => setTimeout(resolve, outageEnds - Date.now()));
    const during = countsOf(fleet.acked());
    for (const [id, count] of during) expect(count).toBeGreaterThan(before.get(id)! + 10);
    expect(await metric('iag_spool_readings')).toBeGreaterThan(10_000);
    expect(await metric('iag_spool_bytes')).toBeGreaterThan(0);
    expect(await metric('iag_spool_oldest_age_seconds')).toBeGreaterThan(20);
    expect(await metric('iag_influx_write_errors_total', 'kind="retried"')).toBeGreaterThan(3);

    await influxd.start();
    const ackedAtRecovery = fleet.ackedTotal();
    // The backlog drains while the devices keep publishing (and keep being acknowledged).
    await pollUntil(
      () => gateway!.http('/ready', { key: null }),
      (r) => r.body?.status === 'ready' && r.body.checks.writer.spool.oldestAgeMs < 5_000,
      { timeoutMs: 60_000 },
    );
    expect(fleet.ackedTotal()).toBeGreaterThan(ackedAtRecovery);
    await fleet.stop();

    const acked = fleet.acked();
    const { stored, missing } = await fleet.awaitStored(database, dedicated.target);
    expect(missing).toEqual({});
    expect(stored).toEqual(acked);
  }, 180_000);
});
