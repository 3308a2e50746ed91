import {
  ANOMALY_SEVERITIES,
  ANOMALY_STATUSES,
  ROLES,
  type Anomaly,
  type AnomalySeverity,
  type AnomalyStatus,
  type DeviceView,
  type ModelView,
  type Principal,
  type ProvisionedDevice,
  type Role,
} from '@iag/contracts';
import type { ApiKeyStore, TelemetryRepository } from '@iag/storage';
import { z } from 'zod';

// Response shapes for the OpenAPI document only (requests are parsed with the contracts schemas).
// Each is checked against the TypeScript type it documents, so the two cannot drift apart.

const isoTime = z.string().describe('ISO 8601 date-time');
const role = z.enum(ROLES as [Role, ...Role[]]);

export const errorBodySchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string().describe('Names every bad parameter on a 400'),
});

export const anomalySchema = z.object({
  id: z.string(),
  deviceId: z.string(),
  startedAt: isoTime,
  endedAt: isoTime.nullable(),
  peakScore: z.number().describe('Normalised: 1.0 is the detector threshold'),
  threshold: z.number(),
  severity: z.enum(ANOMALY_SEVERITIES as [AnomalySeverity, ...AnomalySeverity[]]),
  metrics: z.array(z.object({ name: z.string(), contribution: z.number() })),
  detector: z.string().describe('The detector with the highest peak'),
  modelVersion: z.string().nullable(),
  detectors: z
    .array(
      z.object({
        detector: z.string(),
        modelVersion: z.string().nullable(),
        peakScore: z.number().describe("Normalised: 1.0 is that detector's threshold"),
        threshold: z.number().describe("Raw threshold in that detector's units"),
      }),
    )
    .describe('Every detector that went over its threshold during the episode, highest peak first'),
  status: z.enum(ANOMALY_STATUSES as [AnomalyStatus, ...AnomalyStatus[]]),
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: isoTime.nullable(),
  resolvedBy: z.string().nullable(),
  resolvedAt: isoTime.nullable(),
}) satisfies z.ZodType<Anomaly>;

export const anomalyPageSchema = z.object({
  items: z.array(anomalySchema),
  nextCursor: z
    .string()
    .nullable()
    .describe('Pass as cursor for the next (older) page; null at the end'),
});

export const deviceViewSchema = z.object({
  id: z.string(),
  profile: z.string().nullable(),
  createdAt: isoTime,
  lastSeen: isoTime.nullable(),
  connected: z.boolean(),
  accepted: z.number().int(),
  rejected: z.number().int(),
}) satisfies z.ZodType<DeviceView>;

export const provisionedDeviceSchema = z.object({
  id: z.string(),
  profile: z.string().nullable(),
  token: z.string().describe('The MQTT password; shown once, only its hash is stored'),
}) satisfies z.ZodType<ProvisionedDevice>;

export const rotatedTokenSchema = provisionedDeviceSchema.pick({ id: true, token: true });

type CreatedKey = Awaited<ReturnType<ApiKeyStore['create']>>;
type KeyView = ReturnType<ApiKeyStore['list']>[number];

export const apiKeyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role,
  createdAt: isoTime,
}) satisfies z.ZodType<Pick<KeyView, 'id' | 'name' | 'role' | 'createdAt'>>;

export const principalSchema = z.object({
  keyId: z.string(),
  name: z.string(),
  role,
}) satisfies z.ZodType<Principal>;

export const createdApiKeySchema = apiKeyViewSchema.extend({
  key: z.string().describe('The bearer secret; shown once, only its hash is stored'),
}) satisfies z.ZodType<CreatedKey>;

type TelemetryResult = Awaited<ReturnType<TelemetryRepository['query']>>;

export const telemetryResultSchema = z.object({
  deviceId: z.string(),
  from: isoTime,
  to: isoTime,
  every: z.string().nullable().describe('Bucket width; null for raw readings'),
  fn: z.string().nullable().describe('Aggregate per bucket; null for raw readings'),
  series: z.array(z.object({ time: isoTime, values: z.record(z.string(), z.number().nullable()) })),
}) satisfies z.ZodType<TelemetryResult>;

const check = z.object({ ok: z.boolean() }).catchall(z.unknown());

export const healthSchema = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() });

export const readinessSchema = z.object({
  status: z.enum(['ready', 'degraded']),
  checks: z.object({ influx: check, detector: check, writer: check }),
  failing: z.array(z.string()).describe('Names of the failing checks; empty when ready'),
});

export const modelViewSchema = z.object({
  name: z.string().describe('Model name = the profile it serves'),
  version: z.string(),
  features: z.array(z.string()),
  windowSize: z.number().int(),
  threshold: z.number().describe('Reconstruction error (MSE) that scores 1.0'),
  normalization: z.enum(['global', 'per-device']),
  evaluation: z
    .object({
      dataset: z.string(),
      precision: z.number(),
      recall: z.number(),
      f1: z.number(),
      falseAlarmRate: z.number(),
      missedAlarmRate: z.number(),
    })
    .catchall(z.unknown())
    .nullable(),
  createdAt: isoTime,
  active: z.boolean().describe('This version scores live traffic for its profile'),
}) satisfies z.ZodType<ModelView>;
