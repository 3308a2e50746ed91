import { GatewayConfig } from '@iag/config';
import { DeviceSeries } from '@iag/detection-lab';
import { InfluxConnection, TelemetryRepository } from '@iag/storage';
import { TrainerError } from '../trainer-error';

export interface InfluxSource {
  url: string;
  /** The user to read as: the gateway's own influxd runs with authentication. */
  credentials?: { username: string; password: string };
  database: string;
  from: number;
  to: number;
  devices?: string[];
  metrics: string[];
}

/** Reads telemetry history per device through the gateway's own storage code. */
export async function readInfluxSeries(
  source: InfluxSource,
  onPage: (deviceId: string, rows: number) => void = () => undefined,
): Promise<DeviceSeries[]> {
  let config: GatewayConfig;
  try {
    config = GatewayConfig.fromEnv({ INFLUX_URL: source.url, INFLUX_DATABASE: source.database });
  } catch (error) {
    throw new TrainerError(`bad InfluxDB settings: ${(error as Error).message}`);
  }
  const connection = new InfluxConnection(config);
  connection.connect(source.url, source.credentials);
  const repository = new TelemetryRepository(connection);
  try {
    const devices = source.devices ?? (await repository.deviceIds());
    const series: DeviceSeries[] = [];
    for (const deviceId of devices) {
      const readings: DeviceSeries['readings'] = [];
      for await (const page of repository.history(deviceId, source)) {
        readings.push(...page.filter((r) => Object.keys(r.values).length > 0));
        onPage(deviceId, readings.length);
      }
      if (readings.length > 0) series.push({ deviceId, readings });
    }
    if (series.length === 0) throw new TrainerError(`no telemetry for ${source.metrics.join(', ')} in that time range`);
    return series;
  } catch (error) {
    if (error instanceof TrainerError) throw error;
    throw new TrainerError(`reading InfluxDB at ${source.url} failed: ${(error as Error).message}`);
  } finally {
    connection.close();
  }
}
