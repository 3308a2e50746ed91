import { METRICS } from '../model/device-model';
import { FAULT_KINDS, FaultKind } from '../model/faults';
import { SeededRandom } from '../model/seeded-random';
import { FaultWindow, SimulatedDevice } from '../model/simulated-device';
import { DeviceSession, WireReading } from './device-session';
import { FleetReport, FleetSummary, summarize } from './fleet-report';

export interface FleetOptions {
  mqttUrl: string;
  credentials: Map<string, string>;
  /** Readings per second per device. */
  rate: number;
  /** Random faults per device and hour (0 = none unless injected). */
  faultsPerHour: number;
  /** Readings each device sends before its first random fault. */
  warmupReadings: number;
  seed: number;
  maxBuffered?: number;
  batchSize?: number;
  /** Spreads the devices' first connections over this long, as a real fleet powering up. */
  rampUpMs?: number;
}

interface FleetMember {
  model: SimulatedDevice;
  session: DeviceSession;
  timer?: NodeJS.Timeout;
}

/**
 * The live fleet: each device produces a reading every 1/rate seconds, stamped with the time it
 * was taken, and hands it to its MQTT session (which sends it or keeps it while offline).
 */
export class FleetRunner {
  private readonly members: FleetMember[] = [];
  private readonly faults: FaultWindow[] = [];
  private readonly rng: SeededRandom;
  private startedAt = 0;
  private generated = 0;

  constructor(private readonly options: FleetOptions) {
    this.rng = new SeededRandom(options.seed);
    const intervalMs = 1000 / options.rate;
    for (const [id, token] of options.credentials) {
      const model = new SimulatedDevice(
        id,
        options.seed,
        {
          faultsPerHour: options.faultsPerHour,
          intervalMs,
          warmupReadings: options.warmupReadings,
        },
        (window) => this.faults.push(window),
      );
      const session = new DeviceSession({
        mqttUrl: options.mqttUrl,
        deviceId: id,
        token,
        maxBuffered: options.maxBuffered ?? 100_000,
        batchSize: options.batchSize ?? 400,
        random: () => this.rng.next(),
      });
      this.members.push({ model, session });
    }
  }

  start(): void {
    this.startedAt = Date.now();
    const intervalMs = 1000 / this.options.rate;
    const rampUpMs = this.options.rampUpMs ?? Math.min(5000, this.members.length * 20);
    for (const member of this.members) {
      const offset = this.rng.next();
      setTimeout(() => member.session.start(), offset * rampUpMs).unref();
      // readings start at once (an offline device buffers), phase-shifted per device
      member.timer = setTimeout(() => {
        this.tick(member);
        member.timer = setInterval(() => this.tick(member), intervalMs);
      }, offset * intervalMs);
    }
  }

  /** Starts a fault on one device at its next reading; a random device and kind when not given. */
  inject(kind?: FaultKind, deviceId?: string): { deviceId: string; kind: FaultKind } {
    const member = deviceId
      ? this.members.find((m) => m.model.id === deviceId)
      : this.rng.pick(this.members);
    if (!member) throw new Error(`no simulated device ${deviceId}`);
    const chosen = kind ?? this.rng.pick(FAULT_KINDS);
    member.model.inject(chosen);
    return { deviceId: member.model.id, kind: chosen };
  }

  /** Stops producing, waits up to `drainMs` for backlogs and acknowledgements, then disconnects. */
  async stop(drainMs = 10_000): Promise<void> {
    for (const member of this.members) clearInterval(member.timer);
    const deadline = Date.now() + drainMs;
    while (Date.now() < deadline && !this.members.every((m) => m.session.idle)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const member of this.members) {
      const open = member.model.currentFault();
      if (open) this.faults.push(open);
    }
    await Promise.all(this.members.map((m) => m.session.stop()));
  }

  summary(): FleetSummary {
    return summarize(
      this.members.map((m) => m.session.stats),
      this.generated,
      Date.now() - this.startedAt,
      this.members.filter((m) => m.model.faultActive).length,
      this.faults.length,
    );
  }

  report(): FleetReport {
    return { ...this.summary(), faults: [...this.faults].sort((a, b) => a.startTs - b.startTs) };
  }

  private tick(member: FleetMember): void {
    const reading = member.model.next(Date.now());
    this.generated++;
    const wire: WireReading = { ts: reading.ts } as WireReading;
    for (const metric of METRICS) wire[metric] = Math.round(reading.values[metric] * 1000) / 1000;
    member.session.send(wire);
  }
}
