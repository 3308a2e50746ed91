import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
/** A listener that can be turned off: `off` = null, else a port (0 = pick a free one). */
const portOrOff = z.string().transform((v, ctx) => {
  const text = v.trim();
  if (text === 'off') return null;
  const parsed = port.safeParse(text === '' ? undefined : text);
  if (parsed.success) return parsed.data;
  ctx.addIssue({ code: 'custom', message: 'must be a port (0 = pick a free one) or off' });
  return z.NEVER;
});
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** A comma-separated list of http(s) URLs; empty or unset = none. */
const urlList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  )
  .pipe(
    z
      .array(z.url({ protocol: /^https?$/, error: 'each entry must be an http(s) URL' }), {
        error: 'must be a comma-separated list of http(s) URLs',
      })
      .max(20, 'at most 20 URLs'),
  );

/**
 * What detection reads: the gateway and the trainer's backtest (which must score as a running
 * gateway with the same settings would) parse the same variables with this one definition.
 */
export const detectionEnvShape = {
  DETECTOR_LEARN_READINGS: z.coerce.number().int().min(2).max(100_000).default(30),
  DETECTOR_Z_THRESHOLD: z.coerce.number().positive().max(1000).default(6),
  DETECTOR_LIKELIHOOD_READINGS: z.coerce.number().int().min(0).max(1_000_000).default(300),
  DETECTOR_LIKELIHOOD_THRESHOLD: z.coerce.number().positive().max(1000).default(4),
  DETECTOR_MULTIVARIATE: bool.default(true),
  DETECTOR_MULTIVARIATE_LEARN_READINGS: z.coerce.number().int().min(10).max(100_000).default(150),
  DETECTOR_MULTIVARIATE_LEARN_MINUTES: z.coerce.number().min(0).max(525_600).default(360),
  DETECTOR_MULTIVARIATE_CLOSE_AFTER: z.coerce.number().int().min(1).max(10_000).default(20),
  EPISODE_OPEN_AFTER: z.coerce.number().int().min(1).max(1000).default(1),
  EPISODE_CLOSE_AFTER: z.coerce.number().int().min(1).max(10_000).default(5),
};
export const detectionEnvSchema = z.object(detectionEnvShape);
export type DetectionEnv = z.output<typeof detectionEnvSchema>;

/** Every setting the gateway reads, with its environment variable name and default (DESIGN.md). */
export const envSchema = z
  .object({
    DATA_DIR: z.string().min(1).default('./data'),
    BIND_HOST: z.string().min(1).default('0.0.0.0'),
    MQTT_PORT: portOrOff.default(1883),
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
    INFLUX_USERNAME: optionalString,
    INFLUX_PASSWORD: optionalString,
    ADMIN_API_KEY: optionalString.pipe(
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    ALLOW_ANONYMOUS_DEVICES: bool.default(false),
    MQTT_ACL: optionalString,
    MODELS_DIR: z.string().min(1).default('./models'),
    MODEL_BACKEND: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
    MAX_PAYLOAD_BYTES: z.coerce.number().int().min(256).max(16_777_216).default(65_536),
    MAX_READINGS_PER_MESSAGE: z.coerce.number().int().min(1).max(100_000).default(1000),
    DEVICE_MAX_METRICS: z.coerce.number().int().min(1).max(10_000).default(64),
    DEVICE_PROFILES: optionalString,
    TLS_CERT: optionalString,
    TLS_KEY: optionalString,
    TLS_CA: optionalString,
    TLS_CRL: optionalString,
    HTTP_TLS: bool.optional(),
    MQTT_MAX_CONNECTIONS_PER_IP: z.coerce.number().int().min(0).max(1_000_000).default(1000),
    MQTT_AUTH_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(500),
    MQTT_AUTH_DELAY_MAX_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
    MQTT_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(10_000),
    MQTT_MAX_SUBSCRIPTIONS: z.coerce.number().int().min(1).max(100_000).default(100),
    MQTT_MAX_QUEUED_MESSAGES: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    MQTT_SESSION_EXPIRY_S: z.coerce.number().int().min(1).max(2_592_000).default(86_400),
    MQTT_MAX_SESSIONS_PER_PRINCIPAL: z.coerce.number().int().min(1).max(10_000).default(4),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** auto = pretty when stdout is a terminal, JSON lines otherwise. */
    LOG_FORMAT: z
      .enum(['auto', 'json', 'pretty'], { error: 'must be json, pretty or auto' })
      .default('auto'),
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
    ...detectionEnvShape,
    ANOMALY_EVENT_LOG_SIZE: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
    API_AUTH_MAX_FAILURES: z.coerce.number().int().min(0).max(1_000_000).default(20),
    HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
    HTTP_CONNECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(72_000),
    HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(1_073_741_824).default(1_048_576),
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
    SSE_MAX_STREAMS_PER_KEY: z.coerce.number().int().min(1).max(100_000).default(16),
    SSE_MAX_STREAMS: z.coerce.number().int().min(1).max(1_000_000).default(1000),
    SSE_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    WEBHOOK_URLS: urlList,
    WEBHOOK_SECRET: optionalString.pipe(
      z.string().min(16, 'must be at least 16 characters').optional(),
    ),
    WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
    WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(1).max(3_600_000).default(1000),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  })
  .refine((env) => env.WEBHOOK_URLS.length === 0 || env.WEBHOOK_SECRET !== undefined, {
    message: 'is required when WEBHOOK_URLS is set (receivers verify the signature with it)',
    path: ['WEBHOOK_SECRET'],
  });

/** Settings that only make sense together; each problem names the variable to fix. */
export const envRules = envSchema.superRefine((env, ctx) => {
  const problem = (path: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: [path], message });
  if (env.TLS_CERT !== undefined && env.TLS_KEY === undefined)
    problem('TLS_KEY', 'must be set with TLS_CERT');
  if (env.TLS_KEY !== undefined && env.TLS_CERT === undefined)
    problem('TLS_CERT', 'must be set with TLS_KEY');
  const tls = env.TLS_CERT !== undefined;
  if (!tls && env.TLS_CA !== undefined) problem('TLS_CA', 'needs TLS_CERT and TLS_KEY');
  if (env.TLS_CRL !== undefined && env.TLS_CA === undefined)
    problem('TLS_CRL', 'needs TLS_CA (client certificates)');
  if (!tls && env.HTTP_TLS === true) problem('HTTP_TLS', 'needs TLS_CERT and TLS_KEY');
  if ((env.INFLUX_USERNAME === undefined) !== (env.INFLUX_PASSWORD === undefined)) {
    const missing = env.INFLUX_USERNAME === undefined ? 'INFLUX_USERNAME' : 'INFLUX_PASSWORD';
    problem(missing, 'must be set with the other of INFLUX_USERNAME and INFLUX_PASSWORD');
  }
  if (env.INFLUX_USERNAME !== undefined && env.INFLUX_URL === undefined) {
    problem(
      'INFLUX_USERNAME',
      "is for an external server (INFLUX_URL); the managed influxd's credentials are generated",
    );
  }
  if (env.MQTT_AUTH_DELAY_MAX_MS < env.MQTT_AUTH_DELAY_MS)
    problem('MQTT_AUTH_DELAY_MAX_MS', 'must not be below MQTT_AUTH_DELAY_MS');
  // Node refuses a headers timeout longer than the whole request's.
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS)
    problem('HTTP_HEADERS_TIMEOUT_MS', 'must not be above HTTP_REQUEST_TIMEOUT_MS');
});

export type Env = z.output<typeof envSchema>;
