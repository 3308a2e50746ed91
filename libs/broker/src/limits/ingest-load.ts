import { mqttTelemetryDropped } from '../broker.metrics';

/** Telemetry messages being validated and spooled at once beyond which QoS 0 ones are dropped. */
export const MAX_INGESTING = 10_000;

/**
 * A hard bound on the telemetry in flight between authorizePublish and its PUBACK/done. QoS 0
 * ("at most once") is dropped and counted past it; QoS 1 always goes in and waits its turn.
 */
export class IngestLoad {
  private inFlight = 0;

  constructor(private readonly max = MAX_INGESTING) {}

  get ingesting(): number {
    return this.inFlight;
  }

  /** False (and counted) when a QoS 0 message must be dropped; otherwise call leave() later. */
  enter(qos: number): boolean {
    if (qos === 0 && this.inFlight >= this.max) {
      mqttTelemetryDropped.inc({ reason: 'overload' });
      return false;
    }
    this.inFlight++;
    return true;
  }

  leave(): void {
    this.inFlight--;
  }
}
