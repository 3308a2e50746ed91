import { ConfigException, GatewayConfig } from '@iag/config';

/** The problems GatewayConfig lists for an environment (it must refuse it). */
function problemsOf(env: Record<string, string>): string {
  try {
    GatewayConfig.fromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigException);
    return (error as ConfigException).problems.join('\n');
  }
  throw new Error('the environment was accepted');
}

describe(GatewayConfig.name, () => {
  it('applies the documented defaults', () => {
    const config = GatewayConfig.fromEnv({});
    expect(config.ports).toEqual({ mqtt: 1883, mqtts: 8883, http: 3000 });
    expect(config.influx.url).toBeUndefined();
    expect(config.influx.database).toBe('iot');
    expect(config.allowAnonymousDevices).toBe(false);
    expect(config.limits.maxPayloadBytes).toBe(65536);
    expect(config.logLevel).toBe('info');
    expect(config.logFormat).toBe('auto');
    expect(config.spool.maxBytes).toBe(1024 ** 3);
    expect(config.writer.shutdownFlushMs).toBe(10_000);
    expect(config.mqttLimits).toEqual({
      maxConnections: 10_000,
      drainTimeoutMs: 5_000,
      deviceMessagesPerSec: 100,
      deviceBytesPerSec: 1_048_576,
    });
  });

  it('bounds metric names per device and reads the profiles file path', () => {
    expect(GatewayConfig.fromEnv({}).deviceMetrics).toEqual({
      maxPerDevice: 64,
      profilesFile: undefined,
    });
    const config = GatewayConfig.fromEnv({ DEVICE_MAX_METRICS: '8', DEVICE_PROFILES: 'p.json' });
    expect(config.deviceMetrics.maxPerDevice).toBe(8);
    expect(config.deviceMetrics.profilesFile).toMatch(/^\/.*\/p\.json$/);
    expect(problemsOf({ DEVICE_MAX_METRICS: '0' })).toContain('DEVICE_MAX_METRICS');
  });

  it('takes InfluxDB credentials in pairs, for an external server only', () => {
    const external = { INFLUX_URL: 'http://db:8086' };
    expect(
      GatewayConfig.fromEnv({ ...external, INFLUX_USERNAME: 'u', INFLUX_PASSWORD: 'p' }).influx
        .credentials,
    ).toEqual({ username: 'u', password: 'p' });
    expect(GatewayConfig.fromEnv(external).influx.credentials).toBeUndefined();
    expect(problemsOf({ ...external, INFLUX_USERNAME: 'u' })).toContain('INFLUX_PASSWORD');
    expect(problemsOf({ INFLUX_USERNAME: 'u', INFLUX_PASSWORD: 'p' })).toMatch(
      /INFLUX_USERNAME: is for an external server/,
    );
  });

  it('refuses a spool bound under 1 MiB and negative rates', () => {
    expect(() => GatewayConfig.fromEnv({ SPOOL_MAX_BYTES: '1000' })).toThrow('SPOOL_MAX_BYTES');
    expect(() => GatewayConfig.fromEnv({ DEVICE_MAX_MESSAGES_PER_SEC: '-1' })).toThrow(
      'DEVICE_MAX_MESSAGES_PER_SEC',
    );
  });

  it('lists every invalid variable at once', () => {
    const problems = problemsOf({
      MQTT_PORT: 'abc',
      HTTP_PORT: '70000',
      INFLUX_URL: 'not a url',
      ALLOW_ANONYMOUS_DEVICES: 'maybe',
      LOG_LEVEL: 'loud',
      LOG_FORMAT: 'xml',
    });
    for (const name of [
      'MQTT_PORT',
      'HTTP_PORT',
      'INFLUX_URL',
      'ALLOW_ANONYMOUS_DEVICES',
      'LOG_LEVEL',
      'LOG_FORMAT: must be json, pretty or auto',
    ]) {
      expect(problems).toContain(name);
    }
  });

  it('treats an empty optional variable as unset', () => {
    expect(GatewayConfig.fromEnv({ INFLUX_URL: '' }).influx.url).toBeUndefined();
  });

  it('parses booleans and ports', () => {
    const config = GatewayConfig.fromEnv({ ALLOW_ANONYMOUS_DEVICES: 'true', MQTT_PORT: '0' });
    expect(config.allowAnonymousDevices).toBe(true);
    expect(config.ports.mqtt).toBe(0);
  });

  it('turns the plain MQTT listener off with MQTT_PORT=off', () => {
    expect(GatewayConfig.fromEnv({ MQTT_PORT: 'off' }).ports.mqtt).toBeNull();
    expect(GatewayConfig.fromEnv({ MQTT_PORT: ' 1884 ' }).ports.mqtt).toBe(1884);
    expect(problemsOf({ MQTT_PORT: 'none' })).toContain('MQTT_PORT: must be a port');
    expect(problemsOf({ MQTT_PORT: '' })).toContain('MQTT_PORT');
    expect(problemsOf({ MQTT_PORT: '65536' })).toContain('MQTT_PORT');
  });

  it('bounds persistent sessions by default', () => {
    expect(GatewayConfig.fromEnv({}).mqttSessions).toEqual({
      maxQueuedMessages: 1000,
      expiryMs: 86_400_000,
      maxPerPrincipal: 4,
    });
    const problems = problemsOf({
      MQTT_MAX_QUEUED_MESSAGES: '0',
      MQTT_SESSION_EXPIRY_S: '0',
      MQTT_MAX_SESSIONS_PER_PRINCIPAL: 'many',
    });
    for (const name of [
      'MQTT_MAX_QUEUED_MESSAGES',
      'MQTT_SESSION_EXPIRY_S',
      'MQTT_MAX_SESSIONS_PER_PRINCIPAL',
    ])
      expect(problems).toContain(name);
  });

  it('applies the security defaults', () => {
    const config = GatewayConfig.fromEnv({});
    expect(config.tls).toEqual({ http: false });
    expect(config.mqttSecurity).toEqual({
      maxConnectionsPerIp: 1000,
      authDelayMs: 500,
      authDelayMaxMs: 30000,
      connectTimeoutMs: 10000,
      maxSubscriptions: 100,
      maxPacketBytes: 65536 + 65536,
    });
  });

  it('bounds the HTTP listener and the REST API by default', () => {
    const config = GatewayConfig.fromEnv({});
    expect(config.http).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      connectionTimeoutMs: 60_000,
      keepAliveTimeoutMs: 72_000,
      bodyLimitBytes: 1_048_576,
      maxConnections: 10_000,
    });
    expect(config.restLimits).toEqual({
      authFailuresPerMinute: 20,
      sseStreamsPerKey: 16,
      sseStreams: 1000,
      sseStallTimeoutMs: 30_000,
    });
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: '40000' })).toContain('HTTP_HEADERS_TIMEOUT_MS');
    expect(problemsOf({ SSE_MAX_STREAMS_PER_KEY: '0', HTTP_MAX_CONNECTIONS: '-1' })).toMatch(
      /SSE_MAX_STREAMS_PER_KEY[\s\S]*HTTP_MAX_CONNECTIONS|HTTP_MAX_CONNECTIONS[\s\S]*SSE_MAX_STREAMS_PER_KEY/,
    );
  });

  it('serves HTTPS with TLS unless HTTP_TLS=false', () => {
    const tls = { TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' };
    expect(GatewayConfig.fromEnv(tls).tls.http).toBe(true);
    expect(GatewayConfig.fromEnv({ ...tls, HTTP_TLS: 'false' }).tls.http).toBe(false);
  });

  it('names TLS settings that only make sense together', () => {
    const problems = problemsOf({
      TLS_CERT: 'c.pem',
      TLS_CRL: 'crl.pem',
      MQTT_AUTH_DELAY_MAX_MS: '1',
      MQTT_AUTH_DELAY_MS: '5',
    });
    for (const name of ['TLS_KEY', 'TLS_CRL', 'MQTT_AUTH_DELAY_MAX_MS'])
      expect(problems).toContain(name);
    expect(problemsOf({ HTTP_TLS: 'true' })).toContain('HTTP_TLS');
    expect(problemsOf({ TLS_CA: 'ca.pem' })).toContain('TLS_CA');
  });

  it('reads webhook URLs as a list and wants a secret with them', () => {
    expect(GatewayConfig.fromEnv({}).alerts.webhooks.urls).toEqual([]);
    const config = GatewayConfig.fromEnv({
      WEBHOOK_URLS: 'http://127.0.0.1:9000/hook, https://example.test/a',
      WEBHOOK_SECRET: 'a-secret-of-16-chars',
    });
    expect(config.alerts.webhooks).toMatchObject({
      urls: ['http://127.0.0.1:9000/hook', 'https://example.test/a'],
      secret: 'a-secret-of-16-chars',
      maxAttempts: 8,
    });
    expect(() => GatewayConfig.fromEnv({ WEBHOOK_URLS: 'http://127.0.0.1:9000/hook' })).toThrow(
      /WEBHOOK_SECRET/,
    );
    expect(() =>
      GatewayConfig.fromEnv({ WEBHOOK_URLS: 'ftp://x/y', WEBHOOK_SECRET: 'a-secret-of-16-chars' }),
    ).toThrow(/WEBHOOK_URLS/);
  });
});
