import { z } from 'zod';
import { METRIC_NAME_PATTERN, metricNameProblem, RESERVED_METRIC_NAMES } from './identifiers';
import { Reading } from './reading';
import { MetricNameGate, Rejection, RejectionCode } from './rejection';

export interface PayloadLimits {
  maxPayloadBytes: number;
  maxReadingsPerMessage: number;
}

export const MAX_METRICS_PER_READING = 64;
/** Readings older than this are almost always a clock sent in seconds, or an unset RTC. */
const EARLIEST_TS = Date.UTC(2000, 0, 1);
/** How far ahead of the gateway's clock a device's clock may run. */
export const MAX_CLOCK_AHEAD_MS = 24 * 3600_000;

const isoTimestamp = z.iso.datetime({ offset: true, local: false, precision: undefined });
const timestamp = z.union([z.number().int().nonnegative(), isoTimestamp]);

/** One reading: optional `ts`, then 1..64 finite numeric metrics with valid names. */
const readingSchema = z
  .object({ ts: timestamp.optional() }, { error: 'a reading must be a JSON object' })
  .catchall(z.number({ error: 'metric values must be finite numbers' }))
  .superRefine((reading, ctx) => {
    let metrics = 0;
    for (const key of Object.keys(reading)) {
      if (key === 'ts') continue;
      metrics++;
      const problem = metricNameProblem(key);
      if (problem !== null) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          params: { code: RejectionCode.INVALID_METRIC_NAME },
          message: problem,
        });
      }
    }
    if (metrics === 0) {
      ctx.addIssue({
        code: 'custom',
        params: { code: RejectionCode.NO_METRICS },
        message: 'a reading needs at least one metric',
      });
    } else if (metrics > MAX_METRICS_PER_READING) {
      ctx.addIssue({
        code: 'custom',
        params: { code: RejectionCode.TOO_MANY_METRICS },
        message: `${metrics} metrics; at most ${MAX_METRICS_PER_READING} per reading`,
      });
    }
  });

export interface ParsedPayload {
  readings: Reading[];
  rejections: Rejection[];
}

/**
 * Parses one MQTT telemetry payload: a reading or an array of readings (DESIGN.md).
 * Each reading is accepted or rejected on its own, so one bad element never costs the rest.
 * `gate` (the device's metric names) sees each otherwise valid reading, in order.
 */
export function parseTelemetryPayload(
  payload: Buffer,
  limits: PayloadLimits,
  receivedAt: number,
  gate: MetricNameGate = OPEN_GATE,
): ParsedPayload {
  if (payload.length > limits.maxPayloadBytes) {
    return refuse(
      RejectionCode.PAYLOAD_TOO_LARGE,
      `${payload.length} bytes; the limit is ${limits.maxPayloadBytes}`,
    );
  }
  let text: string;
  try {
    text = utf8.decode(payload);
  } catch {
    return refuse(RejectionCode.INVALID_UTF8, 'payload is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return refuse(RejectionCode.INVALID_JSON, (error as Error).message.slice(0, 200));
  }
  if (!Array.isArray(json)) {
    const one = parseReading(json, receivedAt, gate);
    return 'code' in one
      ? { readings: [], rejections: [one] }
      : { readings: [one], rejections: [] };
  }
  if (json.length === 0) return refuse(RejectionCode.EMPTY_BATCH, 'the array holds no readings');
  if (json.length > limits.maxReadingsPerMessage) {
    return refuse(
      RejectionCode.TOO_MANY_READINGS,
      `${json.length} readings; at most ${limits.maxReadingsPerMessage} per message`,
    );
  }
  const result: ParsedPayload = { readings: [], rejections: [] };
  json.forEach((element, index) => {
    const one = parseReading(element, receivedAt, gate);
    if ('code' in one) result.rejections.push({ ...one, index });
    else result.readings.push(one);
  });
  return result;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const OPEN_GATE: MetricNameGate = { admit: () => null };

function refuse(code: RejectionCode, detail: string): ParsedPayload {
  return { readings: [], rejections: [{ code, detail }] };
}

function parseReading(
  element: unknown,
  receivedAt: number,
  gate: MetricNameGate,
): Reading | Rejection {
  const reading = validReading(element, receivedAt);
  return 'code' in reading ? reading : (gate.admit(reading.values) ?? reading);
}

function validReading(element: unknown, receivedAt: number): Reading | Rejection {
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    return { code: RejectionCode.NOT_AN_OBJECT, detail: 'a reading must be a JSON object' };
  }
  const valid = checkValidReading(element as Record<string, unknown>);
  if (valid !== null) return withTimestamp(valid.rawTs, valid.values, receivedAt);
  // Something is wrong (or unusual): the schema decides, so every rejection keeps its code and detail.
  const parsed = readingSchema.safeParse(element);
  if (!parsed.success) return toRejection(parsed.error.issues[0]);
  const { ts: rawTs, ...values } = parsed.data;
  return withTimestamp(rawTs, values as Record<string, number>, receivedAt);
}

/**
 * The schema's verdict for a reading it accepts, in one pass: about 0.3 µs per reading against
 * zod's 1.1 µs on top of JSON.parse (issue 7). Returns null for anything the schema might reject
 * or reshape (such as a `__proto__` key), which then goes through zod for its code and detail.
 */
function checkValidReading(
  element: Record<string, unknown>,
): { rawTs: number | string | undefined; values: Record<string, number> } | null {
  let rawTs: number | string | undefined;
  let metrics = 0;
  for (const key in element) {
    const value = element[key];
    if (key === 'ts') {
      if (typeof value === 'number' ? !Number.isSafeInteger(value) || value < 0 : true) {
        if (typeof value !== 'string' || !isoTimestamp.safeParse(value).success) return null;
      }
      rawTs = value as number | string;
    } else if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      key === '__proto__' ||
      !METRIC_NAME_PATTERN.test(key) ||
      RESERVED_METRIC_NAMES.has(key)
    ) {
      return null;
    } else {
      metrics++;
    }
  }
  if (metrics === 0 || metrics > MAX_METRICS_PER_READING) return null;
  if (rawTs === undefined) return { rawTs, values: element as Record<string, number> };
  const values: Record<string, number> = {};
  for (const key in element) if (key !== 'ts') values[key] = element[key] as number;
  return { rawTs, values };
}

function withTimestamp(
  rawTs: number | string | undefined,
  values: Record<string, number>,
  receivedAt: number,
): Reading | Rejection {
  const ts =
    rawTs === undefined ? receivedAt : typeof rawTs === 'number' ? rawTs : Date.parse(rawTs);
  if (!Number.isFinite(ts) || ts < EARLIEST_TS) {
    return {
      code: RejectionCode.INVALID_TIMESTAMP,
      detail: `ts ${JSON.stringify(rawTs)} is before 2000-01-01; send epoch milliseconds or ISO 8601`,
    };
  }
  if (ts > receivedAt + MAX_CLOCK_AHEAD_MS) {
    return {
      code: RejectionCode.INVALID_TIMESTAMP,
      detail: `ts ${JSON.stringify(rawTs)} is more than 24 h ahead of the gateway clock`,
    };
  }
  return { ts, values };
}

function toRejection(issue: z.core.$ZodIssue): Rejection {
  const key = issue.path[0];
  if (issue.code === 'custom') {
    const code = (issue.params?.code as RejectionCode | undefined) ?? RejectionCode.INVALID_PAYLOAD;
    return { code, detail: issue.message };
  }
  if (key === 'ts') {
    return {
      code: RejectionCode.INVALID_TIMESTAMP,
      detail:
        'ts must be epoch milliseconds (a non-negative integer) or an ISO 8601 date-time with a zone',
    };
  }
  if (typeof key === 'string') {
    const problem = metricNameProblem(key);
    return problem === null
      ? {
          code: RejectionCode.INVALID_VALUE,
          detail: `metric ${JSON.stringify(key.slice(0, 80))} must be a finite number`,
        }
      : { code: RejectionCode.INVALID_METRIC_NAME, detail: problem };
  }
  return { code: RejectionCode.INVALID_PAYLOAD, detail: issue.message };
}
