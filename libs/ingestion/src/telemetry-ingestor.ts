import { Injectable } from '@nestjs/common';
import { GatewayConfig } from '@iag/config';
import { ErrorNotice, parseTelemetryPayload, PayloadLimits, Rejection } from '@iag/contracts';
import { TelemetrySink, TelemetrySinkResult } from '@iag/broker';
import { DetectionService } from '@iag/detection';
import { DeviceRegistry, TelemetryWriter } from '@iag/storage';
import { DeviceActivity } from './device-activity';
import { readingsAccepted, readingsRejected } from './ingestion.metrics';

/** The telemetry path: validate, hand to the writer (the ack waits on it), then queue for scoring. */
@Injectable()
export class TelemetryIngestor implements TelemetrySink {
  private readonly limits: PayloadLimits;

  constructor(
    config: GatewayConfig,
    private readonly writer: TelemetryWriter,
    private readonly detection: DetectionService,
    private readonly activity: DeviceActivity,
    private readonly devices: DeviceRegistry,
  ) {
    this.limits = config.limits;
  }

  async accept(
    deviceId: string,
    payload: Buffer,
    receivedAt: number,
  ): Promise<TelemetrySinkResult> {
    const { readings, rejections } = parseTelemetryPayload(payload, this.limits, receivedAt);
    const notices = rejections.length === 0 ? [] : toNotices(rejections, receivedAt);
    if (readings.length > 0) {
      await this.writer.enqueue(deviceId, readings);
      readingsAccepted.inc(readings.length);
      // The profile picks the model that scores the device (detection does not know storage).
      this.detection.submit(deviceId, readings, this.profileOf(deviceId));
    }
    this.activity.record(deviceId, readings.length, rejections.length, receivedAt);
    return { accepted: readings.length, notices };
  }

  private profileOf(deviceId: string): string | null {
    try {
      return this.devices.get(deviceId)?.profile ?? null;
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
