import { resolve } from 'node:path';
import { Env, envRules } from './config.schema';
import { ConfigException } from './config.exception';
import { DetectionSettings, detectionSettingsOf } from './detection-settings';

/** The typed, validated settings. Nothing outside this lib reads process.env. */
export class GatewayConfig {
  readonly dataDir: string;
  readonly bindHost: string;
  /** `mqtt` is null when MQTT_PORT=off (no plain TCP listener). */
  readonly ports: { mqtt: number | null; mqtts: number; http: number };
  readonly influx: {
    url: string | undefined;
    database: string;
    retention: string;
    influxdPath: string;
    /** For an external server (INFLUX_URL); the managed influxd's are generated into DATA_DIR. */
    credentials: { username: string; password: string } | undefined;
  };
  readonly adminApiKey: string | undefined;
  readonly allowAnonymousDevices: boolean;
  readonly mqttAcl: string | undefined;
  readonly modelsDir: string;
  /** TF.js backend: auto = tfjs-node when installed, else wasm, else cpu. */
  readonly models: { backend: 'auto' | 'tensorflow' | 'wasm' | 'cpu' };
  readonly limits: { maxPayloadBytes: number; maxReadingsPerMessage: number };
  readonly deviceMetrics: {
    /** Distinct metric names one device may use, unless its profile declares its metrics. */
    maxPerDevice: number;
    /** DEVICE_PROFILES: a JSON file declaring each profile's metrics (checked at start). */
    profilesFile: string | undefined;
  };
  /** File paths; `http` = serve the HTTP listener (REST and MQTT over WebSocket) over TLS too. */
  readonly tls: { cert?: string; key?: string; ca?: string; crl?: string; http: boolean };
  readonly mqttSecurity: {
    /** Open MQTT connections (TCP, TLS, WebSocket) per client address; 0 = no cap. */
    maxConnectionsPerIp: number;
    /** First delay after repeated failed CONNECTs; doubles per failure up to the max; 0 = off. */
    authDelayMs: number;
    authDelayMaxMs: number;
    /** A connection that has not completed CONNECT by then is closed. */
    connectTimeoutMs: number;
    /** Topic filters one session may ask for (granted or refused) before it is closed. */
    maxSubscriptions: number;
    /** Largest MQTT packet accepted: room for a payload over the limit, so it can be answered. */
    maxPacketBytes: number;
  };
  /** Persistent (CleanSession=0) MQTT sessions: what one may hold and how long it outlives its connection. */
  readonly mqttSessions: {
    /** Messages queued for one session (offline or in flight); past it the oldest is dropped. */
    maxQueuedMessages: number;
    /** A disconnected persistent session, and its client id ownership, end this long after it left. */
    expiryMs: number;
    /** Persistent sessions one device or API key may hold. */
    maxPerPrincipal: number;
  };
  readonly logLevel: string;
  /** auto: pretty lines when stdout is a terminal, JSON lines otherwise (files, pipes, journald). */
  readonly logFormat: 'auto' | 'json' | 'pretty';
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
  readonly detector: DetectionSettings;
  /** The HTTP listener (REST, dashboard, MQTT over WebSocket): timeouts, body and connection bounds. */
  readonly http: {
    /** The whole request (headers and body) must arrive within this. */
    requestTimeoutMs: number;
    /** The request's headers must arrive within this (a slow-header client is closed). */
    headersTimeoutMs: number;
    /** A socket with no traffic this long is closed (not SSE streams: they have their own). */
    connectionTimeoutMs: number;
    /** An idle keep-alive connection waits this long for its next request. */
    keepAliveTimeoutMs: number;
    bodyLimitBytes: number;
    /** Open connections of the listener, MQTT over WebSocket included; past it new ones are closed. */
    maxConnections: number;
  };
  /** REST abuse limits. */
  readonly restLimits: {
    /** Failed authentications per client address (IPv6: per /64) and minute; then 429. 0 = off. */
    authFailuresPerMinute: number;
    sseStreamsPerKey: number;
    sseStreams: number;
    /** An SSE stream whose socket stays unwritable this long is closed. */
    sseStallTimeoutMs: number;
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

  private constructor(env: Env) {
    this.dataDir = resolve(env.DATA_DIR);
    this.bindHost = env.BIND_HOST;
    this.ports = { mqtt: env.MQTT_PORT, mqtts: env.MQTTS_PORT, http: env.HTTP_PORT };
    this.influx = {
      url: env.INFLUX_URL,
      database: env.INFLUX_DATABASE,
      retention: env.INFLUX_RETENTION,
      influxdPath: env.INFLUXD_PATH,
      credentials:
        env.INFLUX_USERNAME !== undefined && env.INFLUX_PASSWORD !== undefined
          ? { username: env.INFLUX_USERNAME, password: env.INFLUX_PASSWORD }
          : undefined,
    };
    this.adminApiKey = env.ADMIN_API_KEY;
    this.allowAnonymousDevices = env.ALLOW_ANONYMOUS_DEVICES;
    this.mqttAcl = env.MQTT_ACL;
    this.modelsDir = resolve(env.MODELS_DIR);
    this.models = { backend: env.MODEL_BACKEND };
    this.limits = {
      maxPayloadBytes: env.MAX_PAYLOAD_BYTES,
      maxReadingsPerMessage: env.MAX_READINGS_PER_MESSAGE,
    };
    this.deviceMetrics = {
      maxPerDevice: env.DEVICE_MAX_METRICS,
      profilesFile: env.DEVICE_PROFILES === undefined ? undefined : resolve(env.DEVICE_PROFILES),
    };
    this.tls = {
      cert: env.TLS_CERT,
      key: env.TLS_KEY,
      ca: env.TLS_CA,
      crl: env.TLS_CRL,
      http: env.HTTP_TLS ?? env.TLS_CERT !== undefined,
    };
    this.mqttSecurity = {
      maxConnectionsPerIp: env.MQTT_MAX_CONNECTIONS_PER_IP,
      authDelayMs: env.MQTT_AUTH_DELAY_MS,
      authDelayMaxMs: env.MQTT_AUTH_DELAY_MAX_MS,
      connectTimeoutMs: env.MQTT_CONNECT_TIMEOUT_MS,
      maxSubscriptions: env.MQTT_MAX_SUBSCRIPTIONS,
      maxPacketBytes: env.MAX_PAYLOAD_BYTES + 65_536,
    };
    this.mqttSessions = {
      maxQueuedMessages: env.MQTT_MAX_QUEUED_MESSAGES,
      expiryMs: env.MQTT_SESSION_EXPIRY_S * 1000,
      maxPerPrincipal: env.MQTT_MAX_SESSIONS_PER_PRINCIPAL,
    };
    this.logLevel = env.LOG_LEVEL;
    this.logFormat = env.LOG_FORMAT;
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
    this.detector = detectionSettingsOf(env);
    this.http = {
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      connectionTimeoutMs: env.HTTP_CONNECTION_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    };
    this.restLimits = {
      authFailuresPerMinute: env.API_AUTH_MAX_FAILURES,
      sseStreamsPerKey: env.SSE_MAX_STREAMS_PER_KEY,
      sseStreams: env.SSE_MAX_STREAMS,
      sseStallTimeoutMs: env.SSE_STALL_TIMEOUT_MS,
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
    const result = envRules.safeParse(env);
    if (!result.success) {
      const problems = result.error.issues.map(
        (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
      );
      throw new ConfigException(problems);
    }
    return new GatewayConfig(result.data);
  }
}
