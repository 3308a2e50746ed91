import { z } from 'zod';
import { anomalySeveritySchema, anomalyStatusSchema } from './anomaly';
import { roleSchema } from './access';
import { DEVICE_ID_PATTERN, metricNameProblem, PROFILE_NAME_PATTERN } from './identifiers';
import { pageCursorSchema, pageLimitSchema } from './paging';
import { requestShape } from './rest-registry';

/**
 * The instants InfluxDB can hold and query, in epoch ms: its times are int64 nanoseconds, and a
 * query naming a time outside them is refused as a whole (a 503 if it got that far).
 */
export const TIME_RANGE_MS = { min: -9_223_372_036_854, max: 9_223_372_036_854 } as const;
const TIME_RANGE_TEXT =
  `between ${new Date(TIME_RANGE_MS.min).toISOString()} and ` +
  `${new Date(TIME_RANGE_MS.max).toISOString()} (what InfluxDB stores)`;

/** A time as epoch milliseconds or ISO 8601, within TIME_RANGE_MS; parsed to epoch ms. */
const instant = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const ms = /^\d{1,16}$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(ms)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be epoch milliseconds or an ISO 8601 date-time',
      });
      return z.NEVER;
    }
    if (ms < TIME_RANGE_MS.min || ms > TIME_RANGE_MS.max) {
      ctx.addIssue({ code: 'custom', message: `must be ${TIME_RANGE_TEXT}` });
      return z.NEVER;
    }
    return ms;
  });

const deviceId = z.string().regex(DEVICE_ID_PATTERN, `must match ${DEVICE_ID_PATTERN.source}`);

export const anomaliesQuerySchema = z
  .object({
    deviceId: deviceId.optional(),
    from: instant.optional(),
    to: instant.optional(),
    status: anomalyStatusSchema.optional(),
    severity: anomalySeveritySchema.optional(),
    minScore: z.coerce.number({ error: 'must be a number' }).min(0).max(1e9).optional(),
    limit: pageLimitSchema,
    cursor: pageCursorSchema.optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: 'must not be before from',
    path: ['to'],
  });
export type AnomaliesQuery = z.output<typeof anomaliesQuerySchema>;

const DURATION = /^(\d{1,9})(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1e3,
  m: 60e3,
  h: 3600e3,
  d: 86400e3,
  w: 604800e3,
};
export const MAX_TELEMETRY_BUCKETS = 10_000;

export const telemetryQuerySchema = z
  .object({
    from: instant.optional(),
    to: instant.optional(),
    metrics: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((m) => m.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z.string().superRefine((name, ctx) => {
              const problem = metricNameProblem(name);
              if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
            }),
          )
          .min(1)
          .max(64),
      )
      .optional(),
    every: z
      .string()
      .regex(DURATION, 'must be a duration such as 500ms, 10s, 1m, 1h, 1d')
      .transform((v) => {
        const [, n, unit] = DURATION.exec(v)!;
        return Number(n) * UNIT_MS[unit];
      })
      .pipe(
        z
          .number()
          .min(1, 'must be at least 1ms')
          .max(TIME_RANGE_MS.max, `must be at most ${TIME_RANGE_MS.max}ms`),
      )
      .optional(),
    fn: z.enum(['mean', 'min', 'max', 'last', 'median']).default('mean'),
  })
  .strict()
  .transform((q) => {
    const to = q.to ?? Date.now();
    const from = q.from ?? Math.max(TIME_RANGE_MS.min, to - 3600_000);
    return { ...q, from, to };
  })
  .refine((q) => q.from <= q.to, { message: 'must not be before from', path: ['to'] })
  .refine((q) => q.every === undefined || (q.to - q.from) / q.every <= MAX_TELEMETRY_BUCKETS, {
    message: `asks for more than ${MAX_TELEMETRY_BUCKETS} buckets; choose a larger interval`,
    path: ['every'],
  });
export type TelemetryQuery = z.output<typeof telemetryQuerySchema>;

export const createDeviceSchema = requestShape(
  z
    .object({
      id: deviceId.describe('Also its MQTT username'),
      profile: z
        .string()
        .regex(PROFILE_NAME_PATTERN, `must match ${PROFILE_NAME_PATTERN.source}`)
        .describe('The model profile that scores it; default: matched by its metric names')
        .optional(),
    })
    .strict(),
  { id: 'CreateDeviceRequest' },
);
export type CreateDeviceBody = z.output<typeof createDeviceSchema>;

export const createApiKeySchema = requestShape(
  z
    .object({
      name: z
        .string()
        .trim()
        .min(1)
        .max(64)
        .regex(/^[\w .@-]+$/, 'use letters, digits, space and _ . @ -'),
      role: roleSchema,
    })
    .strict(),
  { id: 'CreateApiKeyRequest' },
);
export type CreateApiKeyBody = z.output<typeof createApiKeySchema>;

/** Turns a failed parse into "name: reason" lines, so a 400 names every bad parameter. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const name = issue.path.length > 0 ? issue.path.join('.') : 'request';
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown parameter(s) ${issue.keys.join(', ')}`
        : issue.message;
    return issue.code === 'unrecognized_keys' ? message : `${name}: ${message}`;
  });
}
