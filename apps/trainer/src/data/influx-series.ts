import { DeviceSeries } from '@iag/detection-lab';
import { InfluxConnection, InfluxTarget, TelemetryRepository } from '@iag/storage';
import { TrainerError } from '../trainer-error';

export interface InfluxSource extends InfluxTarget {
  from: number;
  to: number;
  devices?: string[];
  metrics: string[];
}

/** One page of a device's readings, oldest first; pages of one device come in a row. */
export interface InfluxPage {
  deviceId: string;
  readings: DeviceSeries['readings'];
}

/**
 * Telemetry history, device by device, in pages of the gateway's own storage code (time-paged
 * queries): only one page is held at a time, so an export streams it to disk as it comes.
 * Readings with none of the metrics are left out.
 */
export async function* influxPages(source: InfluxSource): AsyncGenerator<InfluxPage> {
  let connection: InfluxConnection;
  try {
    connection = InfluxConnection.open(source);
  } catch (error) {
    throw new TrainerError(`bad InfluxDB URL ${source.url}: ${(error as Error).message}`);
  }
  const repository = new TelemetryRepository(connection);
  try {
    const devices = source.devices ?? (await repository.deviceIds());
    for (const deviceId of devices) {
      for await (const page of repository.history(deviceId, source)) {
        const readings = page.filter((r) => Object.keys(r.values).length > 0);
        if (readings.length > 0) yield { deviceId, readings };
      }
    }
  } catch (error) {
    if (error instanceof TrainerError) throw error;
    throw new TrainerError(`reading InfluxDB at ${source.url} failed: ${(error as Error).message}`);
  } finally {
    connection.close();
  }
}

/** The whole history per device (training needs every window at once). */
export async function readInfluxSeries(
  source: InfluxSource,
  onPage: (deviceId: string, rows: number) => void = () => undefined,
): Promise<DeviceSeries[]> {
  const byDevice = new Map<string, DeviceSeries['readings']>();
  for await (const { deviceId, readings } of influxPages(source)) {
    let list = byDevice.get(deviceId);
    if (list === undefined) byDevice.set(deviceId, (list = []));
    for (const reading of readings) list.push(reading);
    onPage(deviceId, list.length);
  }
  if (byDevice.size === 0) {
    throw new TrainerError(`no telemetry for ${source.metrics.join(', ')} in that time range`);
  }
  return [...byDevice].map(([deviceId, readings]) => ({ deviceId, readings }));
}
