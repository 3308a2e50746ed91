import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** Every setting the gateway reads, with its environment variable name and default (DESIGN.md). */
export const envSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  BIND_HOST: z.string().min(1).default('0.0.0.0'),
  MQTT_PORT: port.default(1883),
  MQTTS_PORT: port.default(8883),
  HTTP_PORT: port.default(3000),
  INFLUX_URL: optionalString.pipe(z.url({ error: 'must be an http(s) URL' }).optional()),
  INFLUX_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
    .default('iot'),
  INFLUX_RETENTION: z
    .string()
    .regex(/^(INF|\d+[hdw])$/, 'must be INF or a duration like 30d, 12w, 720h')
    .default('INF'),
  INFLUXD_PATH: z.string().min(1).default('influxd'),
  ADMIN_API_KEY: optionalString.pipe(
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  ALLOW_ANONYMOUS_DEVICES: bool.default(false),
  MQTT_ACL: optionalString,
  MODELS_DIR: z.string().min(1).default('./models'),
  MAX_PAYLOAD_BYTES: z.coerce.number().int().min(256).max(16_777_216).default(65_536),
  MAX_READINGS_PER_MESSAGE: z.coerce.number().int().min(1).max(100_000).default(1000),
  TLS_CERT: optionalString,
  TLS_KEY: optionalString,
  TLS_CA: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WRITE_BATCH_POINTS: z.coerce.number().int().min(1).max(100_000).default(5000),
  WRITE_BATCH_MS: z.coerce.number().int().min(1).max(60_000).default(100),
  SPOOL_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1_048_576)
    .max(2 ** 40)
    .default(1_073_741_824),
  SHUTDOWN_FLUSH_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  MQTT_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  MQTT_DRAIN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  DEVICE_MAX_MESSAGES_PER_SEC: z.coerce.number().min(0).max(1_000_000).default(100),
  DEVICE_MAX_BYTES_PER_SEC: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 40)
    .default(1_048_576),
  DETECTOR_LEARN_READINGS: z.coerce.number().int().min(2).max(100_000).default(30),
  DETECTOR_Z_THRESHOLD: z.coerce.number().positive().max(1000).default(6),
  EPISODE_OPEN_AFTER: z.coerce.number().int().min(1).max(1000).default(1),
  EPISODE_CLOSE_AFTER: z.coerce.number().int().min(1).max(10_000).default(5),
});

export type Env = z.output<typeof envSchema>;
