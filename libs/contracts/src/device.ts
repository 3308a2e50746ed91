import { z } from 'zod';
import { pageSchema } from './paging';
import { isoTimeSchema, responseShape } from './rest-registry';

/** A provisioned device as the REST API shows it. */
export const deviceViewSchema = responseShape(
  z.object({
    id: z.string(),
    profile: z.string().nullable(),
    createdAt: isoTimeSchema,
    lastSeen: isoTimeSchema.nullable(),
    connected: z.boolean().describe('An MQTT session of this device is open now'),
    accepted: z.number().int().describe('Readings accepted since provisioning'),
    rejected: z.number().int().describe('Readings rejected since provisioning'),
  }),
  { id: 'Device' },
);
export type DeviceView = z.output<typeof deviceViewSchema>;

export const devicePageSchema = responseShape(pageSchema(deviceViewSchema), {
  id: 'DevicePage',
  description: 'Devices by id, ascending',
});

export const provisionedDeviceSchema = responseShape(
  z.object({
    id: z.string(),
    profile: z.string().nullable(),
    token: z.string().describe('The MQTT password; shown once, only its hash is stored'),
  }),
  { id: 'ProvisionedDevice' },
);
export type ProvisionedDevice = z.output<typeof provisionedDeviceSchema>;

export const rotatedTokenSchema = responseShape(
  provisionedDeviceSchema.pick({ id: true, token: true }),
  { id: 'RotatedToken' },
);
export type RotatedToken = z.output<typeof rotatedTokenSchema>;

export const telemetryPointSchema = responseShape(
  z.object({ time: isoTimeSchema, values: z.record(z.string(), z.number().nullable()) }),
  { id: 'TelemetryPoint', description: 'One reading, or one bucket; null: no value there' },
);
export type TelemetrySeriesPoint = z.output<typeof telemetryPointSchema>;

export const telemetrySeriesSchema = responseShape(
  z.object({
    deviceId: z.string(),
    from: isoTimeSchema,
    to: isoTimeSchema,
    every: z.string().nullable().describe('Bucket width; null for raw readings'),
    fn: z.string().nullable().describe('Aggregate per bucket; null for raw readings'),
    series: z.array(telemetryPointSchema),
  }),
  { id: 'TelemetrySeries' },
);
export type TelemetrySeries = z.output<typeof telemetrySeriesSchema>;
