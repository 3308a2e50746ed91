import { Injectable } from '@nestjs/common';
import { DetectionService } from '@iag/detection';
import { InfluxHealth, TelemetryWriter } from '@iag/storage';
import type { Readiness, ReadinessCheck } from '@iag/contracts';

/**
 * GET /ready (DESIGN.md): InfluxDB reachable, detector loaded, spool healthy. While InfluxDB
 * writes fail or the spool is full it answers "degraded" with the spool's depth: devices are
 * still acknowledged (while there is room), their readings wait on disk.
 */
@Injectable()
export class ReadinessService {
  constructor(
    private readonly influx: InfluxHealth,
    private readonly writer: TelemetryWriter,
    private readonly detection: DetectionService,
  ) {}

  async check(): Promise<Readiness> {
    const checks = {
      influx: await this.influxCheck(),
      detector: this.detectorCheck(),
      writer: this.writerCheck(),
    };
    const failing = Object.entries(checks)
      .filter(([, check]) => !check.ok)
      .map(([name]) => name);
    return { status: failing.length === 0 ? 'ready' : 'degraded', checks, failing };
  }

  private async influxCheck(): Promise<ReadinessCheck> {
    try {
      return { ...(await this.influx.ping()) };
    } catch (error) {
      return { ok: false, latencyMs: null, error: (error as Error).message };
    }
  }

  private detectorCheck(): ReadinessCheck {
    const stats = this.detection.stats();
    return { ok: this.detection.isReady(), detector: stats.detector, queued: stats.queued };
  }

  private writerCheck(): ReadinessCheck {
    const stats = this.writer.stats();
    return {
      ok: !stats.retrying && !stats.spool.full,
      retrying: stats.retrying,
      spool: stats.spool,
      writtenPoints: stats.writtenPoints,
      failedWrites: stats.failedWrites,
      lastError: stats.lastError,
    };
  }
}
