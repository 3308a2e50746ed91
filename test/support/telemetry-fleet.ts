import mqtt, { MqttClient } from 'mqtt';
import { influxQuery, InfluxTarget } from './influx';
import { pollUntil } from './poll-until';

export interface FleetOptions {
  /** Pause between one device's messages (0 = as fast as PUBACKs come back). */
  intervalMs?: number;
  /** QoS 1 messages each device keeps in flight. */
  inFlight?: number;
}

interface Device {
  id: string;
  client: MqttClient;
  nextSeq: number;
  /** `seq` of every message whose PUBACK arrived. */
  acked: number[];
  closed: Promise<void>;
}

/**
 * Anonymous devices (ALLOW_ANONYMOUS_DEVICES or MQTT_ACL=open: client id = device id) that publish
 * QoS 1 readings `{"ts", "seq"}`, each with its own timestamp, and remember which were acknowledged.
 */
export class TelemetryFleet {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly baseTs = Date.now() - 3_600_000;

  private constructor(
    private readonly prefix: string,
    private readonly devices: Device[],
  ) {}

  /** `prefix`: letters and digits only; devices are `${prefix}-0` ... */
  static async connect(port: number, count: number, prefix: string): Promise<TelemetryFleet> {
    const devices = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const id = `${prefix}-${i}`;
        const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
          clientId: id,
          protocolVersion: 4,
          reconnectPeriod: 0,
          connectTimeout: 10_000,
        });
        client.on('error', () => undefined);
        const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
        return { id, client, nextSeq: 0, acked: [], closed };
      }),
    );
    return new TelemetryFleet(prefix, devices);
  }

  get ids(): string[] {
    return this.devices.map((d) => d.id);
  }

  /** Starts publishing on every device until stop() or its connection closes. */
  start({ intervalMs = 0, inFlight = 1 }: FleetOptions = {}): void {
    this.running = true;
    for (const device of this.devices) {
      for (let lane = 0; lane < inFlight; lane++) this.loops.push(this.run(device, intervalMs));
    }
  }

  /** Stops publishing and waits for every message in flight to be acknowledged or lost. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  ackedTotal(): number {
    return this.devices.reduce((sum, d) => sum + d.acked.length, 0);
  }

  acked(): Map<string, number[]> {
    return new Map(this.devices.map((d) => [d.id, [...d.acked].sort((a, b) => a - b)]));
  }

  async close(): Promise<void> {
    this.running = false;
    await Promise.all(this.devices.map((d) => d.client.endAsync(true).catch(() => undefined)));
  }

  /** `seq` of every reading stored for each device, from InfluxDB itself. */
  async stored(database: string, target?: InfluxTarget): Promise<Map<string, number[]>> {
    const rows = await influxQuery(
      database,
      `SELECT "seq" FROM "telemetry" WHERE "device_id" =~ /^${this.prefix}-/ GROUP BY "device_id"`,
      target,
    );
    const stored = new Map<string, number[]>(this.devices.map((d) => [d.id, []]));
    for (const row of rows) stored.get(String(row.device_id))?.push(Number(row.seq));
    for (const list of stored.values()) list.sort((a, b) => a - b);
    return stored;
  }

  /**
   * Polls InfluxDB until every acknowledged reading is stored (or the time is up) and returns what
   * is stored then, with the acknowledged readings that are missing (expected: none).
   */
  async awaitStored(
    database: string,
    target?: InfluxTarget,
  ): Promise<{ stored: Map<string, number[]>; missing: Record<string, number[]> }> {
    const acked = this.acked();
    const stored = await pollUntil(
      () => this.stored(database, target),
      (s) => Object.keys(missingReadings(acked, s)).length === 0,
      { timeoutMs: 30_000 },
    ).catch(() => this.stored(database, target));
    return { stored, missing: missingReadings(acked, stored) };
  }

  private async run(device: Device, intervalMs: number): Promise<void> {
    while (this.running) {
      const seq = device.nextSeq++;
      const payload = JSON.stringify({ ts: this.baseTs + seq, seq });
      const outcome = await Promise.race([
        device.client.publishAsync(`devices/${device.id}/telemetry`, payload, { qos: 1 }).then(
          () => 'acked' as const,
          () => 'lost' as const,
        ),
        device.closed.then(() => 'lost' as const),
      ]);
      if (outcome === 'lost') return;
      device.acked.push(seq);
      if (intervalMs > 0) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** Devices whose acknowledged readings are not all stored, with what is missing (empty = none). */
export function missingReadings(
  acked: Map<string, number[]>,
  stored: Map<string, number[]>,
): Record<string, number[]> {
  const missing: Record<string, number[]> = {};
  for (const [id, seqs] of acked) {
    const have = new Set(stored.get(id) ?? []);
    const lost = seqs.filter((seq) => !have.has(seq));
    if (lost.length > 0) missing[id] = lost.slice(0, 20);
  }
  return missing;
}
