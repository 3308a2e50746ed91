import { Injectable, Logger } from '@nestjs/common';
import { InfluxConnection } from '../influx/influx-connection';
import { backoffDelay } from '../telemetry/backoff';
import { TelemetryRepository } from '../telemetry/telemetry.repository';
import { DeviceMetricNames } from './device-metric-names';

const RETRY = { baseMs: 1_000, maxMs: 60_000 };

/**
 * Telemetry stored before the gateway kept each device's metric names (or in a database it has
 * not read yet) would be left out of the device's answers: once per database, the names each
 * device has in InfluxDB are read into DeviceMetricNames.
 */
@Injectable()
export class MetricNamesSeed {
  private readonly logger = new Logger(MetricNamesSeed.name);
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly influx: InfluxConnection,
    private readonly telemetry: TelemetryRepository,
    private readonly names: DeviceMetricNames,
  ) {}

  /** Awaited when InfluxDB answers; else retried in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    if (this.names.seededFrom() === this.influx.database) return;
    await this.seed(0);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async seed(attempt: number): Promise<void> {
    try {
      const devices = await this.seedAll();
      if (this.stopped) return;
      await this.names.markSeeded(this.influx.database);
      this.logger.log(`metric names of ${devices} device(s) read from InfluxDB`);
    } catch (error) {
      if (this.stopped) return;
      const wait = backoffDelay(attempt, RETRY);
      this.logger.warn(
        `metric names not read from InfluxDB (retry in ${wait} ms): ${(error as Error).message}`,
      );
      this.retryTimer = setTimeout(() => void this.seed(attempt + 1), wait).unref();
    }
  }

  private async seedAll(): Promise<number> {
    const ids = await this.telemetry.deviceIds();
    for (const id of ids) {
      if (this.stopped) break;
      await this.names.merge(id, await this.telemetry.storedMetricNames(id));
    }
    return ids.length;
  }
}
