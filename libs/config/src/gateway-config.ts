import { resolve } from 'node:path';
import { envSchema } from './config.schema';
import { ConfigException } from './config.exception';

/** The typed, validated settings. Nothing outside this lib reads process.env. */
export class GatewayConfig {
  readonly dataDir: string;
  readonly bindHost: string;
  readonly ports: { mqtt: number; mqtts: number; http: number };
  readonly influx: {
    url: string | undefined;
    database: string;
    retention: string;
    influxdPath: string;
  };
  readonly adminApiKey: string | undefined;
  readonly allowAnonymousDevices: boolean;
  readonly mqttAcl: string | undefined;
  readonly modelsDir: string;
  readonly limits: { maxPayloadBytes: number; maxReadingsPerMessage: number };
  readonly tls: { cert?: string; key?: string; ca?: string };
  readonly logLevel: string;
  readonly writer: { batchPoints: number; batchMs: number; bufferPoints: number };
  readonly detector: {
    learnReadings: number;
    zThreshold: number;
    openAfter: number;
    closeAfter: number;
  };
  readonly alerts: {
    /** Anomaly events kept for SSE resume (Last-Event-ID), in memory and in DATA_DIR. */
    eventLogSize: number;
    webhooks: {
      urls: string[];
      secret: string | undefined;
      maxAttempts: number;
      backoffMs: number;
      timeoutMs: number;
    };
  };

  private constructor(env: ReturnType<typeof envSchema.parse>) {
    this.dataDir = resolve(env.DATA_DIR);
    this.bindHost = env.BIND_HOST;
    this.ports = { mqtt: env.MQTT_PORT, mqtts: env.MQTTS_PORT, http: env.HTTP_PORT };
    this.influx = {
      url: env.INFLUX_URL,
      database: env.INFLUX_DATABASE,
      retention: env.INFLUX_RETENTION,
      influxdPath: env.INFLUXD_PATH,
    };
    this.adminApiKey = env.ADMIN_API_KEY;
    this.allowAnonymousDevices = env.ALLOW_ANONYMOUS_DEVICES;
    this.mqttAcl = env.MQTT_ACL;
    this.modelsDir = resolve(env.MODELS_DIR);
    this.limits = {
      maxPayloadBytes: env.MAX_PAYLOAD_BYTES,
      maxReadingsPerMessage: env.MAX_READINGS_PER_MESSAGE,
    };
    this.tls = { cert: env.TLS_CERT, key: env.TLS_KEY, ca: env.TLS_CA };
    this.logLevel = env.LOG_LEVEL;
    this.writer = {
      batchPoints: env.WRITE_BATCH_POINTS,
      batchMs: env.WRITE_BATCH_MS,
      bufferPoints: env.WRITE_BUFFER_POINTS,
    };
    this.detector = {
      learnReadings: env.DETECTOR_LEARN_READINGS,
      zThreshold: env.DETECTOR_Z_THRESHOLD,
      openAfter: env.EPISODE_OPEN_AFTER,
      closeAfter: env.EPISODE_CLOSE_AFTER,
    };
    this.alerts = {
      eventLogSize: env.ANOMALY_EVENT_LOG_SIZE,
      webhooks: {
        urls: env.WEBHOOK_URLS,
        secret: env.WEBHOOK_SECRET,
        maxAttempts: env.WEBHOOK_MAX_ATTEMPTS,
        backoffMs: env.WEBHOOK_BACKOFF_MS,
        timeoutMs: env.WEBHOOK_TIMEOUT_MS,
      },
    };
  }

  /** Validates the whole environment; throws one error listing every invalid variable. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
    const result = envSchema.safeParse(env);
    if (!result.success) {
      const problems = result.error.issues.map(
        (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
      );
      throw new ConfigException(problems);
    }
    return new GatewayConfig(result.data);
  }
}
