import type { IPoint } from 'influx';

export const TELEMETRY_MEASUREMENT = 'telemetry';
export const DEVICE_TAG = 'device_id';

/** One reading of one device, as buffered until InfluxDB confirms it. */
export interface TelemetryPoint {
  deviceId: string;
  ts: number;
  values: Record<string, number>;
}

/** `telemetry,device_id=<id> <metric>=<float>,... <ts ms>`: one float field per metric. */
export function toInfluxPoint(point: TelemetryPoint): IPoint {
  return {
    measurement: TELEMETRY_MEASUREMENT,
    tags: { [DEVICE_TAG]: point.deviceId },
    fields: point.values,
    timestamp: point.ts,
  };
}
