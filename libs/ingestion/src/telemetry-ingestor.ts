import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { ErrorNotice, parseTelemetryPayload, PayloadLimits, Rejection } from '@iag/contracts';
import { TelemetrySink, TelemetrySinkResult } from '@iag/broker';
import { DetectionService } from '@iag/detection';
import { DeviceMetricNames, DeviceRegistry, TelemetryWriter } from '@iag/storage';
import { DeviceActivity } from './device-activity';
import { IngestionException, IngestionExceptionCode } from './ingestion.exception';
import { readingsAccepted, readingsDropped, readingsRejected } from './ingestion.metrics';

/**
 * The telemetry path: validate, spool durably (the PUBACK waits on it), then queue for scoring.
 * A full spool holds QoS 1 messages (no PUBACK until there is room) and drops QoS 0 readings.
 */
@Injectable()
export class TelemetryIngestor implements TelemetrySink, OnModuleDestroy {
  private readonly limits: PayloadLimits;
  private closing = false;

  constructor(
    config: GatewayConfig,
    private readonly writer: TelemetryWriter,
    private readonly detection: DetectionService,
    private readonly activity: DeviceActivity,
    private readonly devices: DeviceRegistry,
    private readonly metricNames: DeviceMetricNames,
  ) {
    this.limits = config.limits;
  }

  async accept(
    deviceId: string,
    payload: Buffer,
    receivedAt: number,
    qos: 0 | 1,
  ): Promise<TelemetrySinkResult> {
    if (this.closing) {
      throw new IngestionException(IngestionExceptionCode.SHUTTING_DOWN, 'the gateway is stopping');
    }
    const profile = this.profileOf(deviceId);
    const names = this.metricNames.gate(deviceId, profile);
    const { readings, rejections } = parseTelemetryPayload(payload, this.limits, receivedAt, names);
    const notices = rejections.length === 0 ? [] : toNotices(rejections, receivedAt);
    // A new metric name is stored before the reading that brought it, so a restart still knows it.
    const newNames = this.metricNames.saveNew(deviceId, names);
    if (newNames) await newNames;
    let accepted = 0;
    let dropped = 0;
    if (readings.length > 0) {
      if (await this.writer.enqueue(deviceId, readings, qos === 0 ? 'drop' : 'wait')) {
        accepted = readings.length;
        readingsAccepted.inc(accepted);
        // The profile picks the model that scores the device (detection does not know storage).
        this.detection.submit(deviceId, readings, profile);
      } else {
        dropped = readings.length;
        readingsDropped.inc({ reason: 'spool_full' }, dropped);
      }
    }
    this.activity.record(deviceId, accepted, rejections.length, receivedAt);
    return { accepted, dropped, notices };
  }

  /** The first step of shutdown: from here on nothing new is acknowledged. */
  onModuleDestroy(): void {
    this.closing = true;
  }

  private profileOf(deviceId: string): string | null {
    try {
      return this.devices.profileOf(deviceId) ?? null;
    } catch {
      return null; // registry unavailable: scored without a profile (matched by its metrics)
    }
  }
}

/** Only for messages with rejections: the common case formats no date. */
function toNotices(rejections: Rejection[], receivedAt: number): ErrorNotice[] {
  const receivedAtIso = new Date(receivedAt).toISOString();
  return rejections.map((r) => {
    readingsRejected.inc({ code: r.code });
    return r.index === undefined
      ? { error: r.code, detail: r.detail, receivedAt: receivedAtIso }
      : { error: r.code, detail: r.detail, index: r.index, receivedAt: receivedAtIso };
  });
}
