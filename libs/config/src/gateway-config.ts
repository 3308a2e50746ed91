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
  readonly writer: { batchPoints: number; batchMs: number; shutdownFlushMs: number };
  /** The durable spool under DATA_DIR/spool: bytes of encoded readings it may hold. */
  readonly spool: { maxBytes: number };
  /** Broker overload limits; a per-device rate of 0 means unlimited. */
  readonly mqttLimits: {
    maxConnections: number;
    drainTimeoutMs: number;
    deviceMessagesPerSec: number;
    deviceBytesPerSec: number;
  };
  readonly detector: {
    learnReadings: number;
    zThreshold: number;
    openAfter: number;
    closeAfter: number;
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
      shutdownFlushMs: env.SHUTDOWN_FLUSH_MS,
    };
    this.spool = { maxBytes: env.SPOOL_MAX_BYTES };
    this.mqttLimits = {
      maxConnections: env.MQTT_MAX_CONNECTIONS,
      drainTimeoutMs: env.MQTT_DRAIN_TIMEOUT_MS,
      deviceMessagesPerSec: env.DEVICE_MAX_MESSAGES_PER_SEC,
      deviceBytesPerSec: env.DEVICE_MAX_BYTES_PER_SEC,
    };
    this.detector = {
      learnReadings: env.DETECTOR_LEARN_READINGS,
      zThreshold: env.DETECTOR_Z_THRESHOLD,
      openAfter: env.EPISODE_OPEN_AFTER,
      closeAfter: env.EPISODE_CLOSE_AFTER,
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
